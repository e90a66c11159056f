// Host function table: time and the shutdown token.
#include <chrono>

#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/plugin/timer_op.hpp"

namespace weft::host {
namespace {

class ShutdownWaitOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::shutdown_wait;
    explicit ShutdownWaitOp(ShutdownToken& token) noexcept : OpBase(kKind), wait_(token) {}
    weft_status poll(Context& cx) noexcept { return wait_.poll(cx) ? WEFT_OK : WEFT_PENDING; }

   private:
    ShutdownToken::Wait wait_;
};

weft_instant time_now(weft_host*) { return monotonic_now_ns(); }

int shutdown_is_requested(weft_host* h) {
    return h && PluginInstance::of(h).shutdown_token().is_fired() ? 1 : 0;
}

weft_status shutdown_wait(weft_context* c, weft_host* h, weft_op** op) {
    if (!c || !h || !op) return invalid("weft_shutdown_wait: NULL argument");
    return guarded([&] {
        auto& token = PluginInstance::of(h).shutdown_token();
        return poll_op<ShutdownWaitOp>(context_of(c).cx, op, "weft_shutdown_wait",
                                       [&] { return std::make_unique<ShutdownWaitOp>(token); });
    });
}

}  // namespace

void fill_time_api(weft_host_api& api) noexcept {
    api.time_now = time_now;
    api.time_sleep_until = time_sleep_until;
    api.time_sleep = time_sleep;
    api.shutdown_is_requested = shutdown_is_requested;
    api.shutdown_wait = shutdown_wait;
}

}  // namespace weft::host
