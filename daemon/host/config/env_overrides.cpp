#include "host/config/env_overrides.hpp"

#include <charconv>
#include <cstdlib>

#include "host/config/schema.hpp"

namespace weft::host {
namespace {

std::optional<std::string> lookup(const EnvLookup& env, const char* name) {
    auto value = env(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

void report_not_in_range(const char* name, Range range, std::string_view text, Diagnostics& diag) {
    diag.error(name, fmt::format("must be an integer between {} and {}, got \"{}\"", range.min,
                                 range.max, text));
}

std::optional<std::uint32_t> integer_override(const EnvLookup& env, const char* name, Range range,
                                              Diagnostics& diag) {
    const auto text = lookup(env, name);
    if (!text) return std::nullopt;
    std::int64_t value = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc{} || ptr != end || value < range.min || value > range.max) {
        report_not_in_range(name, range, *text, diag);
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(value);
}

template <class E>
std::optional<E> choice_override(const EnvLookup& env, const char* name,
                                 std::span<const Named<E>> names, Diagnostics& diag) {
    const auto text = lookup(env, name);
    if (!text) return std::nullopt;
    if (auto value = from_name(names, *text)) return value;
    std::vector<std::string_view> choices;
    for (const auto& entry : names) choices.push_back(entry.name);
    report_bad_choice(name, *text, choices, diag);
    return std::nullopt;
}

}  // namespace

EnvLookup process_environment() {
    return [](const char* name) -> std::optional<std::string> {
        // getenv is safe here: weftd reads its config before starting any thread.
        const char* value = std::getenv(name);
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

void apply_env_overrides(Config& config, const EnvLookup& env, Diagnostics& diag) {
    // Parsed by the runtime's own parser, the one Builder uses for its default.
    if (auto text = lookup(env, limits::kWorkerThreadsVariable)) {
        if (auto workers = limits::parse_worker_threads(*text)) {
            config.runtime.worker_threads = static_cast<std::uint32_t>(*workers);
        } else {
            report_not_in_range(limits::kWorkerThreadsVariable, kWorkerThreads, *text, diag);
        }
    }
    assign_if(config.runtime.max_blocking_threads,
              integer_override(env, "WEFT_MAX_BLOCKING_THREADS", kMaxBlockingThreads, diag));
    assign_if(config.runtime.flavor,
              choice_override<Flavor>(env, "WEFT_FLAVOR", kFlavorNames, diag));
    assign_if(config.log.level,
              choice_override<LogLevel>(env, "WEFT_LOG_LEVEL", kLogLevelNames, diag));
    if (auto socket = lookup(env, "WEFT_ADMIN_SOCKET")) {
        if (socket->size() > kMaxSocketPath) {
            diag.error("WEFT_ADMIN_SOCKET",
                       fmt::format("must be at most {} bytes (a Unix socket path), got {}",
                                   kMaxSocketPath, socket->size()));
        } else {
            config.admin.socket = std::move(*socket);
        }
    }
}

}  // namespace weft::host
