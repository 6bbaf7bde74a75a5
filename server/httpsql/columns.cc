/**
 * Column metadata for the HTTP APIs: SQL type names, byte strings, the
 * maximum character width of a collation.
 */
#include <strings.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "sqlgate/httpsql/resultset.hh"

namespace sqlgate::httpsql
{

// ---------------------------------------------------------------- column metadata

bool is_binary(const Column& col)
{
    if (col.charset != BINARY_CHARSET)
    {
        return false;
    }
    switch (col.type)
    {
        case type::VARCHAR:
        case type::TINY_BLOB:
        case type::MEDIUM_BLOB:
        case type::LONG_BLOB:
        case type::BLOB:
        case type::VAR_STRING:
        case type::STRING:
        case type::GEOMETRY:
            return true;
        default:
            return false;
    }
}

const char* type_name(const Column& col)
{
    static const char* const ext_names[][2] = {
        {"json", "JSON"},
        {"uuid", "UUID"},
        {"inet4", "INET4"},
        {"inet6", "INET6"},
        {"point", "POINT"},
        {"linestring", "LINESTRING"},
        {"polygon", "POLYGON"},
        {"multipoint", "MULTIPOINT"},
        {"multilinestring", "MULTILINESTRING"},
        {"multipolygon", "MULTIPOLYGON"},
        {"geometrycollection", "GEOMETRYCOLLECTION"},
        {"vector", "VECTOR"},
    };
    for (const auto& e : ext_names)
    {
        if (!col.ext_type.empty() && strcasecmp(col.ext_type.c_str(), e[0]) == 0)
        {
            return e[1];
        }
    }
    // Fixed names by type, UNSIGNED variant second.
    static const std::pair<uint8_t, std::array<const char*, 2>> simple[] = {
        {type::DECIMAL, {"DECIMAL", "DECIMAL UNSIGNED"}},
        {type::NEWDECIMAL, {"DECIMAL", "DECIMAL UNSIGNED"}},
        {type::TINY, {"TINYINT", "TINYINT UNSIGNED"}},
        {type::SHORT, {"SMALLINT", "SMALLINT UNSIGNED"}},
        {type::INT24, {"MEDIUMINT", "MEDIUMINT UNSIGNED"}},
        {type::LONG, {"INT", "INT UNSIGNED"}},
        {type::LONGLONG, {"BIGINT", "BIGINT UNSIGNED"}},
        {type::FLOAT, {"FLOAT", "FLOAT UNSIGNED"}},
        {type::DOUBLE, {"DOUBLE", "DOUBLE UNSIGNED"}},
        {type::NULL_TYPE, {"NULL", "NULL"}},
        {type::TIMESTAMP, {"TIMESTAMP", "TIMESTAMP"}},
        {type::DATE, {"DATE", "DATE"}},
        {type::NEWDATE, {"DATE", "DATE"}},
        {type::TIME, {"TIME", "TIME"}},
        {type::DATETIME, {"DATETIME", "DATETIME"}},
        {type::YEAR, {"YEAR", "YEAR"}},
        {type::BIT, {"BIT", "BIT"}},
        {type::JSON, {"JSON", "JSON"}},
        {type::ENUM, {"ENUM", "ENUM"}},
        {type::SET, {"SET", "SET"}},
        {type::GEOMETRY, {"GEOMETRY", "GEOMETRY"}},
    };
    for (const auto& [t, names] : simple)
    {
        if (t == col.type)
        {
            return names[(col.flags & flag::UNSIGNED) ? 1 : 0];
        }
    }
    bool binary = is_binary(col);
    switch (col.type)
    {
        case type::VARCHAR:
        case type::VAR_STRING:
            return binary ? "VARBINARY" : "VARCHAR";
        case type::STRING:
            if (col.flags & flag::ENUM)
            {
                return "ENUM";
            }
            if (col.flags & flag::SET)
            {
                return "SET";
            }
            return binary ? "BINARY" : "CHAR";
        case type::TINY_BLOB:
        case type::MEDIUM_BLOB:
        case type::LONG_BLOB:
        case type::BLOB:
        {
            // MariaDB sends most of them as BLOB: tell them apart by size.
            uint32_t n = binary ? col.length : col.length / charset_max_bytes(col.charset);
            if (n <= 255)
            {
                return binary ? "TINYBLOB" : "TINYTEXT";
            }
            if (n <= 65535)
            {
                return binary ? "BLOB" : "TEXT";
            }
            if (n <= 16777215)
            {
                return binary ? "MEDIUMBLOB" : "MEDIUMTEXT";
            }
            return binary ? "LONGBLOB" : "LONGTEXT";
        }
        default:
            return "UNKNOWN";
    }
}

unsigned charset_max_bytes(uint16_t id)
{
    if (id >= 2048 && id < 2048 + 5 * 256)
    {
        // MariaDB's UCA 14.0.0 collations: 256 ids per character set in the
        // order utf8mb3, utf8mb4, ucs2, utf16, utf32.
        static const unsigned mb[] = {3, 4, 2, 4, 4};
        return mb[(id - 2048) / 256];
    }
    if (id >= 1024 && id < 2048)
    {
        id -= 1024;  // MariaDB's _nopad_ collations
    }
    if (id == 45 || id == 46 || (id >= 224 && id <= 247) || (id >= 255 && id <= 309))
    {
        return 4;  // utf8mb4
    }
    if (id == 33 || id == 76 || id == 83 || (id >= 192 && id <= 215) || id == 223)
    {
        return 3;  // utf8mb3
    }
    if (id == 35 || id == 90 || (id >= 128 && id <= 151) || id == 159)
    {
        return 2;  // ucs2
    }
    if (id == 54 || id == 55 || id == 56 || id == 62 || (id >= 101 && id <= 124))
    {
        return 4;  // utf16, utf16le
    }
    if (id == 60 || id == 61 || (id >= 160 && id <= 183))
    {
        return 4;  // utf32
    }
    if (id == 12 || id == 91 || id == 97 || id == 98)
    {
        return 3;  // ujis, eucjpms
    }
    // big5, sjis, euckr, gb2312, gbk, cp932
    static const uint16_t two[] = {1, 84, 13, 88, 19, 85, 24, 86, 28, 87, 95, 96};
    return std::find(std::begin(two), std::end(two), id) != std::end(two) ? 2 : 1;
}

}  // namespace sqlgate::httpsql
