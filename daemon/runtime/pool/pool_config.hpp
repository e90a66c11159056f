// PoolConfig and PoolError: a weft::Pool's limits and timeouts, and why an acquire failed.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "runtime/time/instant.hpp"

namespace weft::pool {

struct PoolConfig {
    std::string name = "pool";  // in log lines and errors
    std::size_t max_size = 10;  // resources open at once, idle or in use (>= 1)
    std::size_t min_idle = 0;   // kept open and idle in the background (<= max_size)
    // An idle resource above min_idle is closed after this long unused; unset: never.
    std::optional<time::Duration> idle_timeout;
    // A resource is closed at this age (when idle, or when given back); unset: never.
    std::optional<time::Duration> max_lifetime;
    // How long acquire() waits for a slot and for the resource to be created; unset: forever.
    std::optional<time::Duration> acquire_timeout;
    // Failed creates are retried after a pause that doubles from backoff_min up to backoff_max.
    time::Duration backoff_min = std::chrono::milliseconds(50);
    time::Duration backoff_max = std::chrono::seconds(5);
};

// Why acquire() gave no resource.
class PoolError {
   public:
    enum class Kind {
        closed,     // the pool was closed (shutdown)
        exhausted,  // acquire_timeout passed while every slot was in use
        create,     // acquire_timeout passed while creating failed (last_error says why)
    };
    PoolError(Kind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

    [[nodiscard]] Kind kind() const noexcept { return kind_; }
    [[nodiscard]] bool is_closed() const noexcept { return kind_ == Kind::closed; }
    [[nodiscard]] bool is_exhausted() const noexcept { return kind_ == Kind::exhausted; }
    [[nodiscard]] bool is_create() const noexcept { return kind_ == Kind::create; }
    // E.g. "pool 'cache' exhausted: 16 of 16 in use, 3 waiting, gave up after 2000 ms".
    [[nodiscard]] const char* what() const noexcept { return message_.c_str(); }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

   private:
    Kind kind_;
    std::string message_;
};

}  // namespace weft::pool
