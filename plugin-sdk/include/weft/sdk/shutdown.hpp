// weft::ShutdownToken: the plugin's shutdown token (plugin.h 6.6).
//
//   while (!shutdown.is_requested()) { ... }
//   co_await shutdown.requested();                        // wait for it
//   co_await weft::timeout(interval, shutdown.requested()) // sleep, but wake on shutdown
//   auto token = shutdown.child_token();                  // a CancellationToken under it
//   if (auto s = co_await shutdown.run_until_cancelled(listener.accept())) { ... } // empty:
//   shutdown
//
// Cheap to copy; any thread. requested() is cancel-safe.
#pragma once

#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/cancellation.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

class ShutdownToken {
   public:
    ShutdownToken() noexcept = default;
    explicit ShutdownToken(const Host& host) noexcept : host_(host.raw()) {}

    [[nodiscard]] bool is_requested() const noexcept {
        return host_ && weft_shutdown_is_requested(host_) != 0;
    }

    class [[nodiscard]] Requested : public Awaitable<Requested> {
       public:
        explicit Requested(weft_host* host) noexcept : host_(host) {}
        Requested(Requested&& other) noexcept
            : Awaitable<Requested>(other),
              host_(other.host_),
              op_(std::exchange(other.op_, nullptr)) {}
        Requested& operator=(Requested&&) = delete;
        ~Requested() { weft_op_cancel(&op_); }
        weft_status poll(weft_context* cx) noexcept { return weft_shutdown_wait(cx, host_, &op_); }
        void await_resume() const {
            if (status_ != WEFT_OK) throw Error(status_, "waiting for shutdown");
        }

       private:
        weft_host* host_;
        weft_op* op_ = nullptr;
    };
    [[nodiscard]] Requested requested() const noexcept { return Requested(host_); }

    // Awaits `inner` (any SDK awaitable or Task) unless the shutdown token fires first: then
    // `inner` is dropped (cancelled, as its header says) and the result is empty. std::optional
    // of inner's result (bool for a void one). Shutdown wins a tie.
    template <class A>
    [[nodiscard]] RunUntilCancelled<Requested, detail::future_t<A&&>> run_until_cancelled(
        A&& inner) const {
        return RunUntilCancelled<Requested, detail::future_t<A&&>>(
            requested(), detail::into_future(std::forward<A>(inner)));
    }

    // A new CancellationToken whose root is this shutdown token (weft/sdk/cancellation.hpp): it
    // is cancelled when the daemon shuts down, or earlier by its own cancel().
    [[nodiscard]] CancellationToken child_token() const {
        return CancellationToken::under_shutdown(host_);
    }

   private:
    weft_host* host_ = nullptr;
};

}  // namespace sdk
}  // namespace weft
