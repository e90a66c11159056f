// weft::CancellationToken: cancellation that a plugin hands down a tree of its tasks (Tokio's
// tokio_util::sync::CancellationToken).
//
//   auto token = shutdown().child_token();      // cancelled when the daemon shuts down, or by hand
//   auto worker = token.child_token();          // cancelled with `token`, or alone
//   spawn(serve(worker));
//   ...
//   worker.cancel();                            // only that worker's subtree
//
//   weft::Task<> serve(weft::CancellationToken token) {
//       while (auto req = co_await token.run_until_cancelled(rx.recv())) { ... }  // empty:
//       cancelled
//   }
//
// Rules (Tokio's):
//   - cancel() cancels the token and every token derived from it (child_token(), recursively),
//     waking every task waiting in cancelled(); it never cancels the parent. Cancelling twice is
//     a no-op. A child made from a cancelled token starts cancelled.
//   - A token made by ShutdownToken::child_token() has the plugin's shutdown token as its root:
//     it and all its descendants count as cancelled once the daemon's graceful shutdown begins
//     (is_cancelled() is true, cancelled() completes), whether or not anyone called cancel().
//     Cancelling it does not shut anything down. A token made with the default constructor is a
//     root of its own.
//   - Copies share the token (a copy is another handle to it, cancel() through either one).
//   - drop_guard() gives a guard that cancels the token when it is destroyed (disarm() keeps it).
//   - run_until_cancelled(a) awaits `a` unless the token is cancelled first (then `a` is dropped,
//     cancelled as its header says): std::optional of a's result (bool for void), empty when
//     cancelled. Cancellation wins when both are ready (Tokio's run_until_cancelled is biased).
//
// Thread-safety: every member may be called from any thread, including a plugin's own threads
// and hooks; cancelled() is awaited in a plugin task and is cancel-safe. Errors: cancelled()
// throws Error only if the host cannot give a waker (WEFT_ERR_NO_MEMORY).
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/plugin.h"
#include "weft/sdk/detail/waiter.hpp"
#include "weft/sdk/error.hpp"
#include "weft/sdk/future.hpp"
#include "weft/sdk/select.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

// One mutex per tree guards every node's children and waiters: cancel() walks a subtree under it.
struct CancelTree {
    std::mutex mutex;
    weft_host* shutdown_root = nullptr;  // the host whose shutdown token is the tree's root
};

struct CancelNode {
    std::shared_ptr<CancelTree> tree;
    std::shared_ptr<CancelNode> parent;  // keeps the path to the root alive
    std::vector<std::weak_ptr<CancelNode>> children;
    // Set under the tree's mutex; read without it (release/acquire: whoever sees it set also
    // sees what the canceller wrote before cancelling).
    std::atomic<bool> cancelled{false};
    WaitQueue waiters;

    void cancel_locked() noexcept {
        if (!cancelled.exchange(true, std::memory_order_release)) waiters.wake_all();
        for (auto& weak : children)
            if (auto child = weak.lock()) child->cancel_locked();
    }
};

}  // namespace detail

class CancelDropGuard;

// Awaits A unless Stop completes first (Stop is polled first: cancellation wins a tie); the
// result is std::optional of A's result (bool for void), empty when stopped. What
// CancellationToken::run_until_cancelled and ShutdownToken::run_until_cancelled return.
template <class Stop, class A>
class [[nodiscard]] RunUntilCancelled : public Awaitable<RunUntilCancelled<Stop, A>> {
    using Inner = detail::result_t<A>;

   public:
    using result = std::conditional_t<std::is_void_v<Inner>, bool, std::optional<Inner>>;
    RunUntilCancelled(Stop stop, A inner) : race_(std::move(stop), std::move(inner)) {}
    weft_status poll(weft_context* cx) noexcept { return race_.poll_status(cx); }
    result await_resume() {
        auto r = race_.await_resume();
        if (r.index() == 0) return result{};
        if constexpr (std::is_void_v<Inner>) {
            return true;
        } else {
            return result(std::move(std::get<1>(r)));
        }
    }

   private:
    FirstOf<Stop, A> race_;
};

class CancellationToken {
   public:
    // A new root token.
    CancellationToken() : node_(std::make_shared<detail::CancelNode>()) {
        node_->tree = std::make_shared<detail::CancelTree>();
    }

    CancellationToken(const CancellationToken&) = default;  // no move: a token is never empty
    CancellationToken& operator=(const CancellationToken&) = default;

    // A token with the plugin's shutdown token as its root (what ShutdownToken::child_token()
    // returns).
    [[nodiscard]] static CancellationToken under_shutdown(weft_host* host) {
        CancellationToken token;
        token.node_->tree->shutdown_root = host;
        return token;
    }

    [[nodiscard]] CancellationToken child_token() const {
        auto child = std::make_shared<detail::CancelNode>();
        child->tree = node_->tree;
        child->parent = node_;
        const std::lock_guard lock(node_->tree->mutex);
        auto& siblings = node_->children;
        // Forget children that are gone, so a long-lived parent does not grow without bound.
        siblings.erase(std::remove_if(siblings.begin(), siblings.end(),
                                      [](const auto& w) { return w.expired(); }),
                       siblings.end());
        siblings.push_back(child);
        if (node_->cancelled.load(std::memory_order_relaxed))
            child->cancelled.store(true, std::memory_order_relaxed);
        return CancellationToken(std::move(child));
    }

    void cancel() const noexcept {
        const std::lock_guard lock(node_->tree->mutex);
        node_->cancel_locked();
    }

    [[nodiscard]] bool is_cancelled() const noexcept {
        if (node_->cancelled.load(std::memory_order_acquire)) return true;
        weft_host* root = node_->tree->shutdown_root;
        return root && weft_shutdown_is_requested(root) != 0;
    }

    class [[nodiscard]] Cancelled : public Awaitable<Cancelled> {
       public:
        explicit Cancelled(std::shared_ptr<detail::CancelNode> node)
            : node_(std::move(node)), waiter_(std::make_unique<detail::Waiter>()) {}
        Cancelled(Cancelled&& other) noexcept
            : Awaitable<Cancelled>(other),
              node_(std::move(other.node_)),
              waiter_(std::move(other.waiter_)),
              op_(std::exchange(other.op_, nullptr)) {}
        Cancelled& operator=(Cancelled&&) = delete;
        ~Cancelled() {
            weft_op_cancel(&op_);
            if (node_ && waiter_ && waiter_->queued) {
                const std::lock_guard lock(node_->tree->mutex);
                node_->waiters.remove(*waiter_);
            }
        }

        weft_status poll(weft_context* cx) noexcept {
            if (weft_host* root = node_->tree->shutdown_root) {
                const weft_status s = weft_shutdown_wait(cx, root, &op_);
                if (s != WEFT_PENDING) return s;
            }
            const std::lock_guard lock(node_->tree->mutex);
            if (node_->cancelled.load(std::memory_order_relaxed)) {
                node_->waiters.remove(*waiter_);
                return WEFT_OK;
            }
            if (!waiter_->queued) {
                const weft_status s = waiter_->arm(cx);
                if (s != WEFT_OK) return s;
                waiter_->woken = false;
                node_->waiters.push_back(*waiter_);
            }
            return WEFT_PENDING;
        }
        void await_resume() const {
            if (status_ != WEFT_OK) throw Error(status_, "weft::CancellationToken::cancelled");
        }

       private:
        std::shared_ptr<detail::CancelNode> node_;
        std::unique_ptr<detail::Waiter> waiter_;
        weft_op* op_ = nullptr;
    };
    // Completes once the token is cancelled.
    [[nodiscard]] Cancelled cancelled() const { return Cancelled(node_); }

    template <class A>
    [[nodiscard]] RunUntilCancelled<Cancelled, detail::future_t<A&&>> run_until_cancelled(
        A&& inner) const {
        return RunUntilCancelled<Cancelled, detail::future_t<A&&>>(
            cancelled(), detail::into_future(std::forward<A>(inner)));
    }

    // A guard that cancels this token when destroyed, unless disarmed (below).
    [[nodiscard]] CancelDropGuard drop_guard() const;

   private:
    explicit CancellationToken(std::shared_ptr<detail::CancelNode> node) noexcept
        : node_(std::move(node)) {}
    std::shared_ptr<detail::CancelNode> node_;
};

// Cancels the token when destroyed, unless disarmed.
class [[nodiscard]] CancelDropGuard {
   public:
    explicit CancelDropGuard(CancellationToken token) : token_(std::move(token)) {}
    CancelDropGuard(CancelDropGuard&& other) noexcept
        : token_(std::exchange(other.token_, std::nullopt)) {}
    CancelDropGuard& operator=(CancelDropGuard&&) = delete;
    ~CancelDropGuard() {
        if (token_) token_->cancel();
    }
    // Gives the token back without cancelling it.
    CancellationToken disarm() noexcept { return *std::exchange(token_, std::nullopt); }

   private:
    std::optional<CancellationToken> token_;
};

inline CancelDropGuard CancellationToken::drop_guard() const { return CancelDropGuard(*this); }

}  // namespace sdk
}  // namespace weft
