// Fake ends of the routing chain for filter and router unit tests: a
// downstream that records the commands it gets and an upstream that records
// the replies, plus a builder for MariaDB command packets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sqlgate/mariadb.hh"
#include "sqlgate/routing.hh"

namespace sqlgate::mocks
{

struct RecordingDownstream : Downstream
{
    std::vector<std::string> packets;  ///< each routed command, bytes as sent
    bool route_query(Buffer&& packet) override
    {
        packets.push_back(packet.to_string());
        return true;
    }
};

struct RecordingUpstream : Upstream
{
    std::vector<std::string> data;  ///< each reply piece, bytes as delivered
    std::vector<Reply> replies;
    bool client_reply(Buffer&& d, const Reply& reply) override
    {
        data.push_back(d.to_string());
        replies.push_back(reply);
        return true;
    }
};

/// One command packet: @c cmd followed by @c sql.
inline Buffer command(std::string_view sql, uint8_t cmd = mariadb::COM_QUERY, uint8_t seq = 0)
{
    std::string payload(1, static_cast<char>(cmd));
    payload += sql;
    return mariadb::make_packet(seq, payload);
}

}  // namespace sqlgate::mocks
