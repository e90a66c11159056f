// RuntimeThread: keeps a runtime running while the host drives it from outside.
//
// The plugin host calls hooks and waits for shutdown on the daemon's main thread, outside any
// task. A multi_thread runtime runs on its workers regardless; a current_thread runtime only runs
// inside block_on, so this class parks a thread of its own in block_on until stop() (or the
// destructor). For a multi_thread runtime it does nothing.
//
// Thread-safety: construct and stop from one thread.
#pragma once

#include <thread>

#include "host/plugin/shutdown_token.hpp"
#include "runtime/runtime.hpp"

namespace weft::host {

class RuntimeThread {
   public:
    explicit RuntimeThread(Runtime& runtime) {
        if (runtime.config().flavor != weft::Flavor::current_thread) return;
        thread_ = std::thread([&runtime, this] {
            runtime.block_on([](ShutdownToken& stop) -> Task<void> {
                ShutdownToken::Wait wait(stop);
                co_await wait;
            }(stop_));
        });
    }
    ~RuntimeThread() { stop(); }
    RuntimeThread(const RuntimeThread&) = delete;
    RuntimeThread& operator=(const RuntimeThread&) = delete;

    void stop() {
        stop_.fire();
        if (thread_.joinable()) thread_.join();
    }

   private:
    ShutdownToken stop_;
    std::thread thread_;
};

}  // namespace weft::host
