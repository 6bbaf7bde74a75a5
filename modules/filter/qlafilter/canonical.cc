#include <cctype>

#include "qlafilter.hh"

namespace sqlgate::qlafilter
{

namespace
{

bool word_char(unsigned char c)
{
    return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

}  // namespace

std::string canonical(std::string_view sql)
{
    std::string out;
    out.reserve(sql.size());
    size_t i = 0;
    const size_t n = sql.size();
    bool space = false;  // a whitespace run is pending
    auto emit = [&](std::string_view s)
    {
        if (space && !out.empty())
        {
            out += ' ';
        }
        space = false;
        out += s;
    };
    while (i < n)
    {
        unsigned char c = sql[i];
        if (std::isspace(c))
        {
            space = true;
            ++i;
        }
        else if (c == '#' || (c == '-' && i + 2 < n && sql[i + 1] == '-' &&
                              std::isspace(static_cast<unsigned char>(sql[i + 2]))))
        {
            // Comment to the end of the line.
            while (i < n && sql[i] != '\n')
            {
                ++i;
            }
            space = true;
        }
        else if (c == '/' && i + 1 < n && sql[i + 1] == '*' &&
                 !(i + 2 < n && (sql[i + 2] == '!' || sql[i + 2] == 'M')))
        {
            // Block comment (executable comments /*! and /*M! are kept as text).
            size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? n : end + 2;
            space = true;
        }
        else if (c == '\'' || c == '"')
        {
            // String literal, with backslash and doubled-quote escapes.
            size_t j = i + 1;
            while (j < n)
            {
                if (sql[j] == '\\')
                {
                    j += 2;
                }
                else if (sql[j] == static_cast<char>(c))
                {
                    if (j + 1 < n && sql[j + 1] == static_cast<char>(c))
                    {
                        j += 2;
                    }
                    else
                    {
                        break;
                    }
                }
                else
                {
                    ++j;
                }
            }
            i = j < n ? j + 1 : n;
            emit("?");
        }
        else if (c == '`')
        {
            size_t end = sql.find('`', i + 1);
            size_t stop = end == std::string_view::npos ? n : end + 1;
            emit(sql.substr(i, stop - i));
            i = stop;
        }
        else if (std::isdigit(c) && (out.empty() || space || !word_char(out.back())))
        {
            // Numeric literal: digits, '.', exponent, hex 0x...
            size_t j = i + 1;
            while (j < n &&
                   (word_char(sql[j]) || sql[j] == '.' ||
                    ((sql[j] == '+' || sql[j] == '-') && (sql[j - 1] == 'e' || sql[j - 1] == 'E'))))
            {
                ++j;
            }
            i = j;
            emit("?");
        }
        else if (word_char(c))
        {
            size_t j = i + 1;
            while (j < n && word_char(sql[j]))
            {
                ++j;
            }
            emit(sql.substr(i, j - i));
            i = j;
        }
        else
        {
            emit(sql.substr(i, 1));
            ++i;
        }
    }
    return out;
}

}  // namespace sqlgate::qlafilter
