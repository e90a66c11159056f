#include "host/plugin/hook_call.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

namespace weft::host {
namespace {

// What the hook's thread shares with the waiting one; the last of them frees it.
struct HookCall {
    explicit HookCall(HookFunction f) : hook(std::move(f)) {}
    HookFunction hook;
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    HookResult result;
};

}  // namespace

HookResult call_hook_within(std::chrono::milliseconds timeout, const CrashIdentity& plugin,
                            const char* activity, const void* code, HookFunction hook) {
    auto call = std::make_shared<HookCall>(std::move(hook));
    const CrashIdentity* who = &plugin;
    std::thread runner;
    try {
        runner = std::thread([call, who, activity, code] {
            HookResult r;
            {
                CrashScope scope(*who, activity, code);
                r = call_hook(call->hook);
            }
            std::lock_guard lock(call->mutex);
            call->result = std::move(r);
            call->done = true;
            call->done_cv.notify_all();
        });
    } catch (const std::system_error&) {
        CrashScope scope(plugin, activity, code);
        return call_hook(call->hook);
    }
    std::unique_lock lock(call->mutex);
    if (call->done_cv.wait_for(lock, timeout, [&] { return call->done; })) {
        HookResult r = std::move(call->result);
        lock.unlock();
        runner.join();
        return r;
    }
    lock.unlock();
    runner.detach();  // it keeps `call` alive; the plugin is never destroyed nor unloaded now
    HookResult r;
    r.status = WEFT_ERR_TIMED_OUT;
    r.abandoned = true;
    r.message = fmt::format("did not return within {} ms (shutdown.hook_timeout_ms): abandoned",
                            timeout.count());
    return r;
}

}  // namespace weft::host
