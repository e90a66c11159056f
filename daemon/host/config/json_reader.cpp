#include "host/config/json_reader.hpp"

#include <algorithm>
#include <limits>

namespace weft::host {
namespace {

std::string_view type_name(Json::value_t type) {
    switch (type) {
        case Json::value_t::object:
            return "object";
        case Json::value_t::array:
            return "array";
        case Json::value_t::string:
            return "string";
        case Json::value_t::boolean:
            return "boolean";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "integer";
        case Json::value_t::number_float:
            return "number";
        default:
            return "null";
    }
}

std::string quoted_list(std::span<const std::string_view> words) {
    std::string out;
    for (std::string_view word : words) {
        if (!out.empty()) out += ", ";
        out += fmt::format("\"{}\"", word);
    }
    return out;
}

}  // namespace

void Diagnostics::error(std::string_view path, std::string_view message) {
    if (full()) {
        ++unlisted_;
        return;
    }
    messages_.push_back(fmt::format("{}: {}", path.empty() ? "/" : path, message));
}

std::string child_path(std::string_view parent, std::string_view key) {
    // RFC 6901 escaping, so a key containing '/' still yields an unambiguous pointer.
    std::string out(parent);
    out += '/';
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string child_path(std::string_view parent, std::size_t index) {
    return fmt::format("{}/{}", parent, index);
}

std::string describe(const Json& value) {
    switch (value.type()) {
        case Json::value_t::string: {
            const auto& text = value.get_ref<const std::string&>();
            constexpr std::size_t kMax = 40;
            if (text.size() <= kMax) return fmt::format("string \"{}\"", text);
            return fmt::format("string \"{}...\"", text.substr(0, kMax));
        }
        case Json::value_t::boolean:
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float:
            return fmt::format("{} {}", type_name(value.type()), value.dump());
        default:
            return std::string(type_name(value.type()));
    }
}

bool expect_type(const Json& value, Json::value_t type, std::string_view path, Diagnostics& diag) {
    const bool integer_wanted = type == Json::value_t::number_integer;
    if (integer_wanted ? value.is_number_integer() : value.type() == type) return true;
    diag.error(path, fmt::format("expected {}, got {}", type_name(type), describe(value)));
    return false;
}

std::optional<std::int64_t> read_integer(const Json& value, std::string_view path,
                                         Diagnostics& diag, std::int64_t min, std::int64_t max) {
    if (!expect_type(value, Json::value_t::number_integer, path, diag)) return std::nullopt;
    // An unsigned value above INT64_MAX is out of every range we accept.
    const bool huge = value.is_number_unsigned() &&
                      value.get<std::uint64_t>() >
                          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    const std::int64_t number =
        huge ? std::numeric_limits<std::int64_t>::max() : value.get<std::int64_t>();
    if (huge || number < min || number > max) {
        diag.error(path, fmt::format("must be between {} and {}, got {}", min, max, value.dump()));
        return std::nullopt;
    }
    return number;
}

std::optional<bool> read_bool(const Json& value, std::string_view path, Diagnostics& diag) {
    if (!expect_type(value, Json::value_t::boolean, path, diag)) return std::nullopt;
    return value.get<bool>();
}

std::optional<std::string> read_string(const Json& value, std::string_view path,
                                       Diagnostics& diag) {
    if (!expect_type(value, Json::value_t::string, path, diag)) return std::nullopt;
    auto text = value.get<std::string>();
    if (text.empty()) {
        diag.error(path, "must not be empty");
        return std::nullopt;
    }
    return text;
}

void report_bad_choice(std::string_view path, std::string_view got,
                       std::span<const std::string_view> choices, Diagnostics& diag) {
    std::string message = fmt::format("must be one of {}, got \"{}\"", quoted_list(choices), got);
    if (auto near = closest_match(got, choices)) {
        message += fmt::format(" (did you mean \"{}\"?)", *near);
    }
    diag.error(path, message);
}

ObjectReader::ObjectReader(const Json& value, std::string path, Diagnostics& diag,
                           std::initializer_list<std::string_view> known_keys)
    : path_(std::move(path)), diag_(diag) {
    if (!expect_type(value, Json::value_t::object, path_, diag_)) return;
    object_ = &value;
    const std::span<const std::string_view> known(known_keys.begin(), known_keys.size());
    for (const auto& [key, member] : value.items()) {
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        if (diag_.full()) {
            diag_.count_unlisted();  // no suggestion to compute for an error nobody reads
            continue;
        }
        if (auto near = closest_match(key, known)) {
            diag_.error(path_of(key), fmt::format("unknown key (did you mean \"{}\"?)", *near));
        } else {
            diag_.error(path_of(key),
                        fmt::format("unknown key (expected one of {})", quoted_list(known)));
        }
    }
}

const Json* ObjectReader::find(std::string_view key, Presence presence) const {
    if (object_ == nullptr) return nullptr;
    const auto it = object_->find(std::string(key));
    if (it != object_->end()) return &*it;
    if (presence == Presence::required) {
        diag_.error(path_, fmt::format("missing required key \"{}\"", key));
    }
    return nullptr;
}

std::optional<std::int64_t> ObjectReader::integer(std::string_view key, std::int64_t min,
                                                  std::int64_t max, Presence presence) const {
    const Json* member = find(key, presence);
    if (member == nullptr) return std::nullopt;
    return read_integer(*member, path_of(key), diag_, min, max);
}

std::optional<bool> ObjectReader::boolean(std::string_view key) const {
    const Json* member = find(key);
    if (member == nullptr) return std::nullopt;
    return read_bool(*member, path_of(key), diag_);
}

std::optional<std::string> ObjectReader::string(std::string_view key, Presence presence) const {
    const Json* member = find(key, presence);
    if (member == nullptr) return std::nullopt;
    return read_string(*member, path_of(key), diag_);
}

}  // namespace weft::host
