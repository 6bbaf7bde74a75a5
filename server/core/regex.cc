#include "sqlgate/regex.hh"

namespace sqlgate
{

std::string regex_error_message(int code)
{
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof(buf));
    return reinterpret_cast<const char*>(buf);
}

RegexPtr compile_regex(std::string_view pattern, uint32_t options, std::string& error)
{
    int code = 0;
    PCRE2_SIZE offset = 0;
    RegexPtr re(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                              &code, &offset, nullptr));
    if (!re)
    {
        error = "invalid regular expression '" + std::string(pattern) +
                "': " + regex_error_message(code) + " at offset " + std::to_string(offset);
        return nullptr;
    }
    pcre2_jit_compile(re.get(), PCRE2_JIT_COMPLETE);  // a failure only means no JIT
    return re;
}

}  // namespace sqlgate
