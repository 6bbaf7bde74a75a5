/**
 * Little-endian reads of MariaDB packet fields, shared by the packet and
 * reply decoders of this library (internal header).
 *
 * Threads: none (pure functions).
 */
#pragma once

#include <cstdint>
#include <string_view>

namespace sqlgate::httpsql
{

inline const unsigned char* ubegin(std::string_view s)
{
    return reinterpret_cast<const unsigned char*>(s.data());
}

inline uint16_t u16(const unsigned char* p)
{
    return p[0] | (p[1] << 8);
}

inline uint32_t u32(const unsigned char* p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace sqlgate::httpsql
