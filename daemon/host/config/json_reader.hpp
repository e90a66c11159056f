// Typed, path-aware reading of a parsed JSON document that collects errors instead of throwing.
//
// Every read names the JSON Pointer path of the value (RFC 6901: "/runtime/budget",
// "/plugins/0/name"), so each error tells the operator exactly where to look. A failed read
// reports one error and yields nothing; the caller keeps its default and carries on, which is how
// all errors of a file end up reported together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "host/config/names.hpp"
#include "host/config/suggest.hpp"

namespace weft::host {

// Keeps keys in file order, so errors come out in the order an operator reads the file.
using Json = nlohmann::ordered_json;

// Collects errors. Only the first kMaxListed are kept (absurd input, such as 100,000 unknown keys,
// must not cost minutes or megabytes of messages); the rest are counted.
class Diagnostics {
   public:
    static constexpr std::size_t kMaxListed = 100;

    // Records "<path>: <message>"; the root path "" is shown as "/".
    void error(std::string_view path, std::string_view message);
    [[nodiscard]] const std::vector<std::string>& messages() const noexcept { return messages_; }
    // Errors counted but not listed.
    [[nodiscard]] std::size_t unlisted() const noexcept { return unlisted_; }
    // Whether the next error would only be counted: callers skip the work of composing it.
    [[nodiscard]] bool full() const noexcept { return messages_.size() >= kMaxListed; }
    // Counts an error without composing its message (for a caller that checked full()).
    void count_unlisted() noexcept { ++unlisted_; }

   private:
    std::vector<std::string> messages_;
    std::size_t unlisted_ = 0;
};

[[nodiscard]] std::string child_path(std::string_view parent, std::string_view key);
[[nodiscard]] std::string child_path(std::string_view parent, std::size_t index);

// A short description of a value for "expected X, got Y": `string "4"`, `number 2.5`, `array`.
[[nodiscard]] std::string describe(const Json& value);

// Checks the type; on mismatch reports "expected <expected>, got <describe(value)>".
bool expect_type(const Json& value, Json::value_t type, std::string_view path, Diagnostics& diag);

[[nodiscard]] std::optional<std::int64_t> read_integer(const Json& value, std::string_view path,
                                                       Diagnostics& diag, std::int64_t min,
                                                       std::int64_t max);
[[nodiscard]] std::optional<bool> read_bool(const Json& value, std::string_view path,
                                            Diagnostics& diag);
// Strings in the config are names, paths and expressions: an empty one is always a mistake.
[[nodiscard]] std::optional<std::string> read_string(const Json& value, std::string_view path,
                                                     Diagnostics& diag);

// Reports "must be one of ..., got ..." (with a suggestion for a near miss).
void report_bad_choice(std::string_view path, std::string_view got,
                       std::span<const std::string_view> choices, Diagnostics& diag);

template <class E>
[[nodiscard]] std::optional<E> read_choice(const Json& value, std::string_view path,
                                           Diagnostics& diag, std::span<const Named<E>> names) {
    const auto text = read_string(value, path, diag);
    if (!text) return std::nullopt;
    if (auto found = from_name(names, *text)) return found;
    std::vector<std::string_view> choices;
    for (const auto& entry : names) choices.push_back(entry.name);
    report_bad_choice(path, *text, choices, diag);
    return std::nullopt;
}

// One JSON object at a known path, with the set of keys it may hold.
class ObjectReader {
   public:
    enum class Presence { optional, required };

    // Reports a type error if `value` is not an object (then every read yields nothing), and an
    // error for each key outside `known_keys`, suggesting the closest known one.
    ObjectReader(const Json& value, std::string path, Diagnostics& diag,
                 std::initializer_list<std::string_view> known_keys);

    [[nodiscard]] bool is_object() const noexcept { return object_ != nullptr; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] std::string path_of(std::string_view key) const { return child_path(path_, key); }
    [[nodiscard]] Diagnostics& diagnostics() const noexcept { return diag_; }

    // The member, or nullptr; a missing required member is reported.
    [[nodiscard]] const Json* find(std::string_view key,
                                   Presence presence = Presence::optional) const;

    [[nodiscard]] std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                                      std::int64_t max,
                                                      Presence presence = Presence::optional) const;
    [[nodiscard]] std::optional<bool> boolean(std::string_view key) const;
    [[nodiscard]] std::optional<std::string> string(std::string_view key,
                                                    Presence presence = Presence::optional) const;

    template <class E>
    [[nodiscard]] std::optional<E> choice(std::string_view key, std::span<const Named<E>> names,
                                          Presence presence = Presence::optional) const {
        const Json* member = find(key, presence);
        if (member == nullptr) return std::nullopt;
        return read_choice(*member, path_of(key), diag_, names);
    }

   private:
    const Json* object_ = nullptr;
    std::string path_;
    Diagnostics& diag_;
};

// Assigns a successfully read value, converting to the field's type (ranges were checked).
template <class T, class U>
void assign_if(T& field, const std::optional<U>& value) {
    if (value) field = static_cast<T>(*value);
}

}  // namespace weft::host
