// CancellationToken: a cancellation signal for a tree of tasks (tokio-util's
// `sync::CancellationToken`).
//
//     weft::sync::CancellationToken shutdown;
//     auto child = shutdown.child_token();          // cancelled when `shutdown` is
//     spawn(worker(child));                         // worker: co_await token.cancelled();
//     shutdown.cancel();
//
// cancel() cancels the token, every copy of it and every descendant (child tokens, their
// children, ...); it is idempotent. Cancelling a child does not cancel its parent, and dropping a
// child token neither cancels nor affects its parent. A child created from a cancelled token is
// born cancelled. Copies share one token: cancelling one cancels all. When the last copy of a token
// is dropped, its live children are re-attached to its parent, so that cancelling an ancestor
// still reaches them.
//
// cancelled() is an awaitable that completes once the token is cancelled (at once if it is
// already). drop_guard() gives a guard that cancels the token when it is destroyed.
//
// Thread-safety: any thread. Structural changes and cancellation of one tree take the tree's
// mutex (one per root token); is_cancelled() is a single atomic load.
// Cancellation safety: cancelled() is cancellation safe. The token must outlive the await.
// Coop: each poll of cancelled() spends one budget unit (also when the token is already
// cancelled); a poll that stays pending gives it back.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/task/pollable.hpp"

namespace weft::sync {

namespace detail {

struct TreeNode {
    explicit TreeNode(std::shared_ptr<std::mutex> tree_lock) noexcept
        : tree(std::move(tree_lock)) {}

    struct Child {
        TreeNode* raw;
        std::weak_ptr<TreeNode> node;
    };

    std::shared_ptr<std::mutex> tree;  // one per tree: guards parent/children of all its nodes
    std::atomic<bool> cancelled{false};
    std::atomic<std::size_t> handles{1};  // CancellationToken copies referring to this node
    Notify notify;                        // notify_waiters() on cancellation
    std::shared_ptr<TreeNode> parent;     // keeps ancestors alive while they can cancel us
    std::vector<Child> children;          // weak: a child lives as long as its handles
};

}  // namespace detail

class DropGuard;

class CancellationToken {
   public:
    // A new root token.
    CancellationToken();
    CancellationToken(const CancellationToken& o) noexcept : node_(o.node_) {
        node_->handles.fetch_add(1, std::memory_order_relaxed);
    }
    CancellationToken(CancellationToken&& o) noexcept = default;
    CancellationToken& operator=(CancellationToken o) noexcept {
        node_.swap(o.node_);
        return *this;
    }
    ~CancellationToken();

    void cancel() const noexcept;
    [[nodiscard]] bool is_cancelled() const noexcept {
        return node_->cancelled.load(std::memory_order_acquire);
    }
    // A token cancelled whenever this one is (and on its own cancel()).
    [[nodiscard]] CancellationToken child_token() const;

    class [[nodiscard]] WaitForCancellation : public Pollable<WaitForCancellation> {
       public:
        explicit WaitForCancellation(detail::TreeNode& node) noexcept : node_(&node) {}
        bool poll(Context& cx) noexcept {
            if (!coop::poll_proceed(cx)) return false;
            for (;;) {
                // Ask for the notification before looking: a cancel in between is not missed.
                if (!notified_) notified_.emplace(node_->notify.notified());
                if (node_->cancelled.load(std::memory_order_acquire)) return true;
                if (!notified_->poll_unbudgeted(cx)) {
                    coop::refund();
                    return false;
                }
                notified_.reset();
            }
        }
        void await_resume() const noexcept {}

       private:
        detail::TreeNode* node_;
        std::optional<Notified> notified_;
    };
    // Completes once this token is cancelled.
    [[nodiscard]] WaitForCancellation cancelled() const noexcept {
        return WaitForCancellation(*node_);
    }

    // A guard that cancels this token when destroyed, unless disarm()ed.
    [[nodiscard]] DropGuard drop_guard() const;

   private:
    explicit CancellationToken(std::shared_ptr<detail::TreeNode> node) noexcept
        : node_(std::move(node)) {}
    std::shared_ptr<detail::TreeNode> node_;  // null only when moved from
};

// Cancels its token when destroyed, unless disarm()ed (tokio-util's DropGuard).
class [[nodiscard]] DropGuard {
   public:
    explicit DropGuard(CancellationToken token) noexcept : token_(std::move(token)) {}
    DropGuard(DropGuard&&) noexcept = default;
    ~DropGuard() {
        if (token_) token_->cancel();
    }
    // Gives the token back without cancelling it.
    [[nodiscard]] CancellationToken disarm() noexcept {
        CancellationToken t = std::move(*token_);
        token_.reset();
        return t;
    }

   private:
    std::optional<CancellationToken> token_;
};

inline DropGuard CancellationToken::drop_guard() const { return DropGuard(*this); }

}  // namespace weft::sync
