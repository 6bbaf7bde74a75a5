# Shell functions shared by the benchmark scripts in test/bench (sourced, not run).

# Stop a process we started: SIGTERM, then SIGKILL after 10 s; reaps it.
stop_pid()
{
    local pid=$1 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# N free TCP ports on 127.0.0.1 (bound to port 0 at the same time, so they are distinct).
free_ports()
{
    python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
' "$1"
}

# utime+stime of a process, in clock ticks.
cpu_ticks()
{
    local stat
    stat=$(cat "/proc/$1/stat")
    stat=${stat##*) }
    read -ra f <<<"$stat"
    echo $((f[11] + f[12]))
}

# "req/s p99-ms requests errors sqlgate-cpu-%" from a `wrk --latency` output file, given the
# sqlgate CPU ticks spent during the run and its length in seconds (errors: non-2xx/3xx
# answers plus socket errors).
wrk_summary()
{
    local file=$1 ticks=$2 secs=$3
    awk -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" -v secs="$secs" '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /m$/) return v * 60000
            if (v ~ /s$/) return v * 1000
            return v + 0
        }
        /^ *99%/ { p99 = ms($2) }
        /requests in/ { n = $1 }
        /Non-2xx or 3xx responses:/ { err += $NF }
        /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        /^Requests\/sec:/ { rps = $2 }
        END { printf "%.0f %.2f %d %d %.0f\n", rps, p99, n, err, ticks / hz / secs * 100 }
    ' "$file"
}
