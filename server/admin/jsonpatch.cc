/**
 * JSON Pointer (RFC 6901) and JSON Patch (RFC 6902) on Jansson values. The patch is applied
 * to a deep copy that is thrown away at the first failing operation, so a patch applies
 * completely or not at all. Values taken from the patch are deep-copied too: the result
 * shares nothing with the caller's patch or document.
 *
 * Threads: pure functions, callable from any thread.
 */
#include "jsonpatch.hh"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace sqlgate::admin
{
namespace
{

/// A parsed pointer from an operation: its text (for messages), the member it came from
/// ("path" or "from") and its unescaped tokens.
struct Pointer
{
    std::string text;
    const char* member = "path";
    std::vector<std::string> tokens;
};

/// An RFC 6901 array index: "0" or digits without a leading zero. Indices that overflow
/// size_t are valid syntax but out of range for any array.
bool parse_index(const std::string& token, size_t& index)
{
    if (token.empty() || (token.size() > 1 && token[0] == '0') ||
        !std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }))
    {
        return false;
    }

    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (ec == std::errc::result_out_of_range)
    {
        index = std::numeric_limits<size_t>::max();
    }
    return true;
}

std::string quoted(const std::string& s)
{
    return "'" + s + "'";
}

/// Walks the first @c count tokens of @c p from @c root. On failure, @c error says why;
/// a failure before the last token is reported as a missing parent.
json_t* locate(json_t* root, const Pointer& p, size_t count, std::string& error)
{
    std::string what = std::string(p.member) + " " + quoted(p.text);
    if (count < p.tokens.size())
    {
        what = "parent of " + what;
    }

    json_t* node = root;
    for (size_t i = 0; i < count; ++i)
    {
        const std::string& token = p.tokens[i];
        size_t index = 0;

        if (json_is_object(node))
        {
            node = json_object_getn(node, token.data(), token.size());
        }
        else if (!json_is_array(node))
        {
            node = nullptr;
        }
        else if (parse_index(token, index))
        {
            node = json_array_get(node, index);
        }
        else
        {
            error = what + ": " + quoted(token) + " is not a valid array index";
            return nullptr;
        }

        if (!node)
        {
            error = what + " does not exist";
            return nullptr;
        }
    }
    return node;
}

json_t* get(json_t* root, const Pointer& p, std::string& error)
{
    return locate(root, p, p.tokens.size(), error);
}

/// Adds @c value (a new reference, always consumed; nullptr when a deep copy failed) at @c p,
/// replacing an existing object member or inserting into an array ("-" appends).
bool add(json_t*& root, const Pointer& p, json_t* value, std::string& error)
{
    if (!value)
    {
        error = "out of memory";
        return false;
    }
    else if (p.tokens.empty())
    {
        json_decref(root);
        root = value;
        return true;
    }

    json_t* parent = locate(root, p, p.tokens.size() - 1, error);
    const std::string& key = p.tokens.back();
    size_t size = json_array_size(parent);  // 0 unless an array
    size_t index = size;                    // "-" appends
    int rc = 1;  // 1: no setter ran. The *_new setters return 0 or -1 and always consume value.

    if (!parent)
    {
        // error set by locate()
    }
    else if (json_is_object(parent))
    {
        rc = json_object_setn_new(parent, key.data(), key.size(), value);
    }
    else if (!json_is_array(parent))
    {
        error = "parent of path " + quoted(p.text) + " is not an object or an array";
    }
    else if (key != "-" && !parse_index(key, index))
    {
        error = "path " + quoted(p.text) + ": " + quoted(key) + " is not a valid array index";
    }
    else if (index > size)
    {
        error = "path " + quoted(p.text) + ": array index " + key + " is out of range (size " +
                std::to_string(size) + ")";
    }
    else
    {
        rc = json_array_insert_new(parent, index, value);
    }

    if (rc == 1)
    {
        json_decref(value);
    }
    else if (rc == -1)
    {
        error = "could not set " + quoted(p.text);
    }
    return rc == 0;
}

/// Detaches the value at @c p and returns it (a new reference), or nullptr with @c error.
json_t* take(json_t* root, const Pointer& p, std::string& error)
{
    if (p.tokens.empty())
    {
        error = "cannot remove the whole document";
        return nullptr;
    }

    json_t* value = get(root, p, error);
    if (!value)
    {
        return nullptr;
    }

    json_t* parent = locate(root, p, p.tokens.size() - 1, error);
    const std::string& key = p.tokens.back();
    size_t index = 0;
    json_incref(value);

    if (json_is_object(parent))
    {
        json_object_deln(parent, key.data(), key.size());
    }
    else if (parse_index(key, index))  // get() above accepted it as an array index
    {
        json_array_remove(parent, index);
    }
    return value;
}

bool replace(json_t*& root, const Pointer& p, json_t* value, std::string& error)
{
    if (!get(root, p, error))
    {
        json_decref(value);
        return false;
    }

    // Remove then add at the same place: for arrays the index stays valid (<= new size).
    if (!p.tokens.empty())
    {
        json_decref(take(root, p, error));
    }
    return add(root, p, value, error);
}

bool move(json_t*& root, const Pointer& from, const Pointer& path, std::string& error)
{
    if (!get(root, from, error))
    {
        return false;
    }
    else if (from.tokens == path.tokens)
    {
        return true;
    }
    else if (path.tokens.size() > from.tokens.size() &&
             std::equal(from.tokens.begin(), from.tokens.end(), path.tokens.begin()))
    {
        error = "cannot move " + quoted(from.text) + " into its own child " + quoted(path.text);
        return false;
    }

    json_t* value = take(root, from, error);
    return value && add(root, path, value, error);
}

bool copy(json_t*& root, const Pointer& from, const Pointer& path, std::string& error)
{
    json_t* value = get(root, from, error);
    return value && add(root, path, json_deep_copy(value), error);
}

bool numbers_equal(const json_t* a, const json_t* b)
{
    if (json_is_integer(a) && json_is_integer(b))
    {
        return json_integer_value(a) == json_integer_value(b);
    }
    else if (json_is_real(a) && json_is_real(b))
    {
        return json_real_value(a) == json_real_value(b);
    }

    // Integer against real: exact, so 2^53 + 1 does not equal 2^53 as a double would say.
    const json_t* integer = json_is_integer(a) ? a : b;
    double real = json_real_value(json_is_real(a) ? a : b);
    constexpr double k_limit = 9223372036854775808.0;  // 2^63
    return std::trunc(real) == real && real >= -k_limit && real < k_limit &&
           static_cast<json_int_t>(real) == json_integer_value(integer);
}

/// RFC 6902 section 4.6 equality: json_equal, except that numbers compare by value.
bool values_equal(const json_t* a, const json_t* b)
{
    if (json_is_number(a) && json_is_number(b))
    {
        return numbers_equal(a, b);
    }
    else if (json_typeof(a) != json_typeof(b))
    {
        return false;
    }
    else if (json_is_array(a))
    {
        if (json_array_size(a) != json_array_size(b))
        {
            return false;
        }
        for (size_t i = 0; i < json_array_size(a); ++i)
        {
            if (!values_equal(json_array_get(a, i), json_array_get(b, i)))
            {
                return false;
            }
        }
        return true;
    }
    else if (json_is_object(a))
    {
        if (json_object_size(a) != json_object_size(b))
        {
            return false;
        }
        // Jansson's iterators take a non-const object but do not modify it.
        json_t* obj = const_cast<json_t*>(a);
        const char* key;
        size_t key_len;
        json_t* value;
        json_object_keylen_foreach(obj, key, key_len, value)
        {
            const json_t* other = json_object_getn(b, key, key_len);
            if (!other || !values_equal(value, other))
            {
                return false;
            }
        }
        return true;
    }
    return json_equal(a, b);
}

/// Reads the pointer in member @c member ("path" or "from") of an operation.
bool read_pointer(const json_t* op, const char* member, Pointer& p, std::string& error)
{
    const json_t* value = json_object_get(op, member);
    if (!value)
    {
        error = std::string("missing '") + member + "'";
        return false;
    }
    else if (!json_is_string(value))
    {
        error = std::string("'") + member + "' must be a string";
        return false;
    }

    p.text.assign(json_string_value(value), json_string_length(value));
    p.member = member;
    return parse_pointer(p.text, p.tokens, error);
}

bool is_known_op(const std::string& name)
{
    static const std::array<const char*, 6> k_ops = {"add",  "remove", "replace",
                                                     "move", "copy",   "test"};
    return std::any_of(k_ops.begin(), k_ops.end(), [&](const char* op) { return name == op; });
}

/// Applies one operation of a known @c name to @c root; @c error gets the reason only.
bool apply_op(json_t*& root, const json_t* op, const std::string& name, std::string& error)
{
    Pointer path;
    Pointer from;
    if (!read_pointer(op, "path", path, error))
    {
        return false;
    }

    const json_t* value = json_object_get(op, "value");
    if (!value && (name == "add" || name == "replace" || name == "test"))
    {
        error = "missing 'value'";
        return false;
    }
    else if ((name == "move" || name == "copy") && !read_pointer(op, "from", from, error))
    {
        return false;
    }

    if (name == "add" || name == "replace")
    {
        // Deep copy: later operations must not modify the caller's patch through the result.
        json_t* dup = json_deep_copy(value);
        return name == "add" ? add(root, path, dup, error) : replace(root, path, dup, error);
    }
    else if (name == "remove")
    {
        json_t* removed = take(root, path, error);
        json_decref(removed);
        return removed != nullptr;
    }
    else if (name == "move")
    {
        return move(root, from, path, error);
    }
    else if (name == "copy")
    {
        return copy(root, from, path, error);
    }

    const json_t* target = get(root, path, error);
    if (target && !values_equal(target, value))
    {
        error = "value at " + quoted(path.text) + " is not equal to the given value";
        return false;
    }
    return target != nullptr;
}
}  // namespace

bool parse_pointer(const std::string& pointer, std::vector<std::string>& tokens, std::string& error)
{
    tokens.clear();
    if (pointer.empty())
    {
        return true;
    }
    else if (pointer[0] != '/')
    {
        error = "JSON pointer " + quoted(pointer) + " must start with '/'";
        return false;
    }

    std::string token;
    for (size_t i = 1; i <= pointer.size(); ++i)
    {
        if (i == pointer.size() || pointer[i] == '/')
        {
            tokens.push_back(std::move(token));
            token.clear();
        }
        else if (pointer[i] != '~')
        {
            token += pointer[i];
        }
        else if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1'))
        {
            token += pointer[++i] == '0' ? '~' : '/';
        }
        else
        {
            error = "JSON pointer " + quoted(pointer) + " has an invalid '~' escape at offset " +
                    std::to_string(i) + " (only ~0 and ~1 are allowed)";
            tokens.clear();
            return false;
        }
    }
    return true;
}

json_t* pointer_get(json_t* doc, const std::string& pointer)
{
    Pointer p;
    std::string error;
    if (!doc || !parse_pointer(pointer, p.tokens, error))
    {
        return nullptr;
    }
    p.text = pointer;
    return get(doc, p, error);
}

json_t* apply_patch(const json_t* doc, const json_t* patch, std::string& error)
{
    if (!json_is_array(patch))
    {
        error = "a JSON Patch must be an array of operations";
        return nullptr;
    }
    else if (!doc)
    {
        error = "no document to patch";
        return nullptr;
    }

    json_t* root = json_deep_copy(doc);
    if (!root)
    {
        error = "out of memory copying the document";
        return nullptr;
    }

    for (size_t i = 0; i < json_array_size(patch); ++i)
    {
        const json_t* op = json_array_get(patch, i);
        const json_t* name = json_object_get(op, "op");  // nullptr for a non-object
        std::string prefix = "operation " + std::to_string(i);
        std::string reason;

        if (!json_is_object(op))
        {
            error = prefix + ": not a JSON object";
        }
        else if (!name)
        {
            error = prefix + ": missing 'op'";
        }
        else if (!json_is_string(name))
        {
            error = prefix + ": 'op' must be a string";
        }
        else if (std::string n(json_string_value(name), json_string_length(name)); !is_known_op(n))
        {
            error = prefix + ": unknown op " + quoted(n);
        }
        else if (!apply_op(root, op, n, reason))
        {
            error = prefix + " (" + n + "): " + reason;
        }
        else
        {
            continue;
        }

        json_decref(root);
        return nullptr;
    }
    return root;
}

}  // namespace sqlgate::admin
