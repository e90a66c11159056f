// ShutdownToken: a plugin's shutdown token (plugin.h 6.6). It fires once, when the daemon's
// graceful shutdown begins; every wait registered before or after sees it.
//
// A one-shot event, smaller than a CancellationToken (no children): an atomic flag for the
// cheap check and a mutex-guarded intrusive list of waiting wakers.
//
// Thread-safety: everything may be called from any thread. Wait is polled by one task at a time
// (it is a Pollable) and is cancel-safe: its destructor unlinks it.
#pragma once

#include <atomic>
#include <mutex>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/wait_list.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/waker.hpp"

namespace weft::host {

class ShutdownToken {
    struct Node : sync::detail::WaitNode {
        bool linked = false;
        Waker waker;
    };

   public:
    ShutdownToken() = default;
    ShutdownToken(const ShutdownToken&) = delete;
    ShutdownToken& operator=(const ShutdownToken&) = delete;

    [[nodiscard]] bool is_fired() const noexcept { return fired_.load(std::memory_order_acquire); }

    // Fires the token and wakes every waiter. Idempotent.
    void fire() noexcept {
        std::lock_guard lock(mutex_);
        if (fired_.exchange(true, std::memory_order_acq_rel)) return;
        // Woken under the lock (waking only queues the task): a Wait destroyed concurrently
        // blocks in unlink() until its node is no longer touched here.
        while (Node* n = waiters_.pop_front()) {
            n->linked = false;
            n->waker.wake();
        }
    }

    class Wait : public Pollable<Wait> {
       public:
        explicit Wait(ShutdownToken& token) noexcept : token_(token) {}
        Wait(const Wait&) = delete;
        Wait& operator=(const Wait&) = delete;
        ~Wait() { token_.unlink(node_); }

        bool poll(Context& cx) noexcept {
            if (!coop::poll_proceed(cx)) return false;
            if (token_.register_waiter(node_, cx.waker())) return true;
            coop::refund();
            return false;
        }
        void await_resume() const noexcept {}

       private:
        ShutdownToken& token_;
        Node node_;
    };

   private:
    // True when fired; otherwise `node` is linked with the current waker.
    bool register_waiter(Node& node, const WakerRef& waker) noexcept {
        if (is_fired()) return true;
        std::lock_guard lock(mutex_);
        if (is_fired()) return true;
        waker.store_into(node.waker);
        if (!node.linked) {
            waiters_.push_back(&node);
            node.linked = true;
        }
        return false;
    }
    void unlink(Node& node) noexcept {
        std::lock_guard lock(mutex_);
        if (!node.linked) return;
        waiters_.remove(&node);
        node.linked = false;
    }

    std::atomic<bool> fired_{false};
    std::mutex mutex_;
    sync::detail::WaitList<Node> waiters_;  // under mutex_
};

}  // namespace weft::host
