// Host function table: the plugin's config by JSON pointer (plugin.h 6.11). Reads the copy the
// instance keeps from before init; it never changes afterwards, so any thread may read it.
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <string>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/plugin_instance.hpp"

namespace weft::host {
namespace {

using json = nlohmann::json;

// "string \"x\"", "number 2.5", "object"... for "expected X, found Y".
std::string found(const json& value) {
    switch (value.type()) {
        case json::value_t::string:
            return "a string";
        case json::value_t::boolean:
            return value.get<bool>() ? "true" : "false";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return "the number " + value.dump();
        case json::value_t::array:
            return "an array";
        case json::value_t::object:
            return "an object";
        case json::value_t::null:
            return "null";
        default:
            return "a value";
    }
}

// The value at `pointer` in the plugin's config, or nullptr with `status` set (and last_error).
const json* lookup(weft_host* h, const char* pointer, const void* out, const char* call,
                   weft_status& status) {
    if (!h || !pointer || !out) {
        status = invalid(fmt::format("{}: NULL argument", call));
        return nullptr;
    }
    const json& config = PluginInstance::of(h).config();
    const std::string text(pointer);
    if (!text.empty() && text.front() != '/') {
        status = invalid(fmt::format(
            "{}: \"{}\" is not a JSON pointer (it starts with '/', as \"/rate_hz\")", call, text));
        return nullptr;
    }
    try {
        const json::json_pointer ptr(text);
        // contains() is false (never throws) for a missing key, an index past the end or a step
        // through a scalar; at() then cannot fail.
        if (config.contains(ptr)) return &config.at(ptr);
    } catch (const json::exception& e) {  // "~" not followed by 0 or 1, an index like "01"
        status = invalid(
            fmt::format("{}: \"{}\" is not a valid JSON pointer: {}", call, text, e.what()));
        return nullptr;
    }
    set_last_error(fmt::format("{}: the config has no value at \"{}\"", call, text));
    status = WEFT_ERR_NOT_FOUND;
    return nullptr;
}

weft_status mismatch(const char* call, const char* pointer, const char* expected,
                     const json& value) {
    set_last_error(fmt::format("{}: \"{}\" is {}, not {}", call, pointer, found(value), expected));
    return WEFT_ERR_MISMATCH;
}

weft_status config_get_int(weft_host* h, const char* pointer, std::int64_t* out) {
    return guarded([&] {
        constexpr const char* kCall = "weft_config_get_int";
        weft_status status = WEFT_OK;
        const json* value = lookup(h, pointer, out, kCall, status);
        if (!value) return status;
        if (value->is_number_unsigned()) {
            const auto n = value->get<std::uint64_t>();
            if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return mismatch(kCall, pointer, "an integer that fits in int64_t", *value);
            *out = static_cast<std::int64_t>(n);
            return WEFT_OK;
        }
        if (!value->is_number_integer()) return mismatch(kCall, pointer, "an integer", *value);
        *out = value->get<std::int64_t>();
        return WEFT_OK;
    });
}

weft_status config_get_double(weft_host* h, const char* pointer, double* out) {
    return guarded([&] {
        constexpr const char* kCall = "weft_config_get_double";
        weft_status status = WEFT_OK;
        const json* value = lookup(h, pointer, out, kCall, status);
        if (!value) return status;
        if (!value->is_number()) return mismatch(kCall, pointer, "a number", *value);
        *out = value->get<double>();
        return WEFT_OK;
    });
}

weft_status config_get_bool(weft_host* h, const char* pointer, int* out) {
    return guarded([&] {
        constexpr const char* kCall = "weft_config_get_bool";
        weft_status status = WEFT_OK;
        const json* value = lookup(h, pointer, out, kCall, status);
        if (!value) return status;
        if (!value->is_boolean()) return mismatch(kCall, pointer, "true or false", *value);
        *out = value->get<bool>() ? 1 : 0;
        return WEFT_OK;
    });
}

weft_status config_get_string(weft_host* h, const char* pointer, const char** out,
                              std::size_t* len) {
    return guarded([&] {
        constexpr const char* kCall = "weft_config_get_string";
        weft_status status = WEFT_OK;
        const json* value = lookup(h, pointer, out, kCall, status);
        if (!value) return status;
        if (!value->is_string()) return mismatch(kCall, pointer, "a string", *value);
        // The instance's config is never modified after init: the pointer stays valid.
        const auto& text = value->get_ref<const std::string&>();
        *out = text.c_str();
        if (len) *len = text.size();
        return WEFT_OK;
    });
}

weft_status config_get_array_length(weft_host* h, const char* pointer, std::size_t* out) {
    return guarded([&] {
        constexpr const char* kCall = "weft_config_get_array_length";
        weft_status status = WEFT_OK;
        const json* value = lookup(h, pointer, out, kCall, status);
        if (!value) return status;
        if (!value->is_array()) return mismatch(kCall, pointer, "an array", *value);
        *out = value->size();
        return WEFT_OK;
    });
}

}  // namespace

void fill_config_api(weft_host_api& api) noexcept {
    api.config_get_int = config_get_int;
    api.config_get_double = config_get_double;
    api.config_get_bool = config_get_bool;
    api.config_get_string = config_get_string;
    api.config_get_array_length = config_get_array_length;
}

}  // namespace weft::host
