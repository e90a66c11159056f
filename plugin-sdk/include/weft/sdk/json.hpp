// weft::Json: a small read-only JSON value, for a plugin's config (init receives it as text).
//
//   const auto interval = config.value("interval_ms", 1000);     // default when absent
//   const auto& name = config["name"].as_string();                // throws ConfigError if not
//
// Enough for configs (objects, arrays, strings with escapes, numbers, booleans, null), so that a
// plugin needs no JSON library; a plugin that wants one can parse the text itself. Errors are
// ConfigError (std::invalid_argument) naming the key or the position.
//
// Thread-safety: a Json is immutable once parsed; share it freely.
#pragma once

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace weft {
inline namespace sdk {

class ConfigError : public std::invalid_argument {
   public:
    using std::invalid_argument::invalid_argument;
};

class Json {
   public:
    enum class Type { null, boolean, number, string, array, object };
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;  // in file order

    Json() noexcept = default;
    static Json parse(std::string_view text) {
        Parser p{text};
        p.skip_space();
        Json v = p.value(0);
        p.skip_space();
        if (p.pos != text.size()) p.fail("unexpected text after the JSON value");
        return v;
    }

    [[nodiscard]] Type type() const noexcept { return static_cast<Type>(v_.index()); }
    [[nodiscard]] bool is_null() const noexcept { return type() == Type::null; }
    [[nodiscard]] bool is_object() const noexcept { return type() == Type::object; }

    [[nodiscard]] bool as_bool() const { return get<bool>("a boolean"); }
    [[nodiscard]] double as_double() const { return get<Number>("a number").value; }
    [[nodiscard]] std::int64_t as_int() const {
        const Number& n = get<Number>("an integer");
        if (!n.integral) throw ConfigError("expected an integer, got " + shortest(n.value));
        return n.integer;
    }
    [[nodiscard]] const std::string& as_string() const { return get<std::string>("a string"); }
    [[nodiscard]] const Array& as_array() const { return get<Array>("an array"); }
    [[nodiscard]] const Object& as_object() const { return get<Object>("an object"); }

    [[nodiscard]] bool contains(std::string_view key) const noexcept {
        return find(key) != nullptr;
    }
    // The member `key` of an object; a null Json if absent or if this is not an object.
    [[nodiscard]] const Json& operator[](std::string_view key) const noexcept {
        const Json* v = find(key);
        return v ? *v : null_value();
    }
    [[nodiscard]] const Json& operator[](std::size_t i) const noexcept {
        const Array* a = std::get_if<Array>(&v_);
        return a && i < a->size() ? (*a)[i] : null_value();
    }

    // The member `key` as T (bool, an integer type, double, std::string), or `fallback` when
    // absent or null. Throws ConfigError naming the key when it holds another type.
    template <class T>
    [[nodiscard]] T value(std::string_view key, T fallback) const {
        const Json* v = find(key);
        if (!v || v->is_null()) return fallback;
        try {
            return v->as<T>();
        } catch (const ConfigError& e) {
            throw ConfigError("\"" + std::string(key) + "\": " + e.what());
        }
    }
    [[nodiscard]] std::string value(std::string_view key, const char* fallback) const {
        return value<std::string>(key, fallback);
    }

    template <class T>
    [[nodiscard]] T as() const {
        if constexpr (std::is_same_v<T, bool>) {
            return as_bool();
        } else if constexpr (std::is_integral_v<T>) {
            const std::int64_t i = as_int();
            if (std::is_unsigned_v<T> && i < 0)
                throw ConfigError("expected a non-negative integer, got " + std::to_string(i));
            // Never a silent wrap: a 4294967396 read as an int is an error, not 100.
            if (!std::in_range<T>(i))
                throw ConfigError("expected an integer between " +
                                  std::to_string(std::numeric_limits<T>::min()) + " and " +
                                  std::to_string(std::numeric_limits<T>::max()) + ", got " +
                                  std::to_string(i));
            return static_cast<T>(i);
        } else if constexpr (std::is_floating_point_v<T>) {
            return static_cast<T>(as_double());
        } else {
            return T(as_string());
        }
    }

   private:
    // The shortest text that reads back as `d` ("2.5", "1e+300"): an error quotes the number
    // as the operator wrote it, not as 300 digits of std::to_string.
    static std::string shortest(double d) {
        char text[32];
        const auto r = std::to_chars(text, text + sizeof text, d);
        return std::string(text, r.ptr);
    }

    struct Number {
        double value = 0;
        std::int64_t integer = 0;
        bool integral = false;
    };
    std::variant<std::nullptr_t, bool, Number, std::string, Array, Object> v_{nullptr};

    static const Json& null_value() noexcept {
        static const Json null;
        return null;
    }
    const Json* find(std::string_view key) const noexcept {
        if (const Object* o = std::get_if<Object>(&v_))
            for (const auto& [k, v] : *o)
                if (k == key) return &v;
        return nullptr;
    }
    template <class V>
    const V& get(const char* expected) const {
        if (const V* v = std::get_if<V>(&v_)) return *v;
        static constexpr const char* names[] = {"null",     "a boolean", "a number",
                                                "a string", "an array",  "an object"};
        throw ConfigError(std::string("expected ") + expected + ", got " + names[v_.index()]);
    }

    struct Parser {
        std::string_view text;
        std::size_t pos = 0;

        [[noreturn]] void fail(const std::string& what) const {
            throw ConfigError("invalid JSON at offset " + std::to_string(pos) + ": " + what);
        }
        void skip_space() noexcept {
            while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                         text[pos] == '\n' || text[pos] == '\r'))
                ++pos;
        }
        char peek() const { return pos < text.size() ? text[pos] : '\0'; }
        void expect(char c) {
            if (peek() != c) fail(std::string("expected '") + c + "'");
            ++pos;
        }
        bool literal(std::string_view word) {
            if (text.substr(pos, word.size()) != word) return false;
            pos += word.size();
            return true;
        }
        Json value(int depth) {
            if (depth > 256) fail("nested too deeply");
            Json out;
            const char c = peek();
            if (c == '{') {
                out.v_ = object(depth);
            } else if (c == '[') {
                out.v_ = array(depth);
            } else if (c == '"') {
                out.v_ = string();
            } else if (literal("true")) {
                out.v_ = true;
            } else if (literal("false")) {
                out.v_ = false;
            } else if (literal("null")) {
                out.v_ = nullptr;
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                out.v_ = number();
            } else {
                fail("expected a value");
            }
            return out;
        }
        Object object(int depth) {
            Object o;
            expect('{');
            skip_space();
            if (peek() == '}') {
                ++pos;
                return o;
            }
            while (true) {
                skip_space();
                std::string key = string();
                skip_space();
                expect(':');
                skip_space();
                o.emplace_back(std::move(key), value(depth + 1));
                skip_space();
                if (peek() == ',') {
                    ++pos;
                    continue;
                }
                expect('}');
                return o;
            }
        }
        Array array(int depth) {
            Array a;
            expect('[');
            skip_space();
            if (peek() == ']') {
                ++pos;
                return a;
            }
            while (true) {
                skip_space();
                a.push_back(value(depth + 1));
                skip_space();
                if (peek() == ',') {
                    ++pos;
                    continue;
                }
                expect(']');
                return a;
            }
        }
        Number number() {
            const std::size_t start = pos;
            bool integral = true;
            if (peek() == '-') ++pos;
            while (pos < text.size()) {
                const char c = text[pos];
                if (c >= '0' && c <= '9') {
                    ++pos;
                } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                    integral = false;
                    ++pos;
                } else {
                    break;
                }
            }
            const std::string digits(text.substr(start, pos - start));
            char* end = nullptr;
            Number n;
            n.value = std::strtod(digits.c_str(), &end);
            if (end != digits.c_str() + digits.size() || digits == "-") fail("bad number");
            // Converting a double outside the int64 range is undefined behaviour: 1e300 and an
            // integer of 30 digits are numbers, not integers.
            constexpr double kInt64End = 9223372036854775808.0;  // 2^63
            if (integral) {
                errno = 0;
                n.integer = std::strtoll(digits.c_str(), nullptr, 10);
                n.integral = errno != ERANGE && static_cast<double>(n.integer) == n.value;
            } else if (n.value >= -kInt64End && n.value < kInt64End &&
                       n.value == static_cast<double>(static_cast<std::int64_t>(n.value))) {
                n.integer = static_cast<std::int64_t>(n.value);
                n.integral = true;  // 1e3 is the integer 1000
            }
            return n;
        }
        static void put_utf8(std::string& out, unsigned long cp) {
            if (cp < 0x80) {
                out += static_cast<char>(cp);
            } else if (cp < 0x800) {
                out += static_cast<char>(0xC0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out += static_cast<char>(0xE0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                out += static_cast<char>(0xF0 | (cp >> 18));
                out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            }
        }
        unsigned long hex4() {
            if (pos + 4 > text.size()) fail("truncated \\u escape");
            unsigned long v = 0;
            for (int i = 0; i < 4; ++i) {
                const char c = text[pos++];
                v <<= 4;
                if (c >= '0' && c <= '9')
                    v |= static_cast<unsigned long>(c - '0');
                else if (c >= 'a' && c <= 'f')
                    v |= static_cast<unsigned long>(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                    v |= static_cast<unsigned long>(c - 'A' + 10);
                else
                    fail("bad \\u escape");
            }
            return v;
        }
        std::string string() {
            expect('"');
            std::string out;
            while (true) {
                if (pos >= text.size()) fail("unterminated string");
                const char c = text[pos++];
                if (c == '"') return out;
                if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
                if (c != '\\') {
                    out += c;
                    continue;
                }
                if (pos >= text.size()) fail("unterminated escape");
                switch (const char e = text[pos++]) {
                    case '"':
                    case '\\':
                    case '/':
                        out += e;
                        break;
                    case 'b':
                        out += '\b';
                        break;
                    case 'f':
                        out += '\f';
                        break;
                    case 'n':
                        out += '\n';
                        break;
                    case 'r':
                        out += '\r';
                        break;
                    case 't':
                        out += '\t';
                        break;
                    case 'u': {
                        unsigned long cp = hex4();
                        if (cp >= 0xD800 && cp < 0xDC00 && literal("\\u")) {
                            const unsigned long low = hex4();
                            if (low < 0xDC00 || low >= 0xE000) fail("bad surrogate pair");
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        }
                        put_utf8(out, cp);
                        break;
                    }
                    default:
                        fail("bad escape");
                }
            }
        }
    };
};

}  // namespace sdk
}  // namespace weft
