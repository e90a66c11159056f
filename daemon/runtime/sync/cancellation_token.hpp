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
// run_until_cancelled(x) awaits `x` (a leaf awaitable, by value or by reference, or a Task, driven
// inside the awaiting task) unless the token is cancelled first: std::optional of x's value,
// nullopt when cancelled (for a void `x`, a bool: true when it completed). Cancellation is
// checked first on every poll (Tokio's `biased` select), so a token already cancelled gives
// nullopt without polling `x`; when it fires, `x` is dropped with the awaitable (a Task's
// destructors run). run_until_cancelled_owned(x) is the same holding a copy of the token, so the
// awaitable may outlive this handle.
//
// Thread-safety: any thread. Structural changes and cancellation of one tree take the tree's
// mutex (one per root token); is_cancelled() is a single atomic load.
// Cancellation safety: cancelled() is cancellation safe; run_until_cancelled() is as safe as `x`.
// The token must outlive the await (not for the _owned form).
// Coop: each poll of cancelled() spends one budget unit (also when the token is already
// cancelled); a poll that stays pending gives it back.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/coop/budget.hpp"
#include "runtime/sync/detail/notified_until.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/time/timeout.hpp"

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
template <class Inner>
class RunUntilCancelled;

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
            return until_.poll(cx, node_->notify, [this]() noexcept {
                return node_->cancelled.load(std::memory_order_acquire);
            });
        }
        void await_resume() const noexcept {}

       private:
        detail::TreeNode* node_;
        sync::detail::NotifiedUntil until_;
    };
    // Completes once this token is cancelled.
    [[nodiscard]] WaitForCancellation cancelled() const noexcept {
        return WaitForCancellation(*node_);
    }

    // A guard that cancels this token when destroyed, unless disarm()ed.
    [[nodiscard]] DropGuard drop_guard() const;

    // Awaits `awaitable` unless this token is cancelled first (nullopt then). The token must
    // outlive the await.
    template <class A>
    requires time::detail::Boundable<A>
    [[nodiscard]] RunUntilCancelled<typename time::detail::TimeoutInner<A>::type>
    run_until_cancelled(A&& awaitable) const;
    // The same, holding a copy of this token.
    template <class A>
    requires time::detail::Boundable<A>
    [[nodiscard]] RunUntilCancelled<typename time::detail::TimeoutInner<A>::type>
    run_until_cancelled_owned(A&& awaitable) const;

   private:
    template <class Inner>
    friend class RunUntilCancelled;
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

// What run_until_cancelled() returns (see the file comment).
template <class Inner>
class [[nodiscard]] RunUntilCancelled : public Pollable<RunUntilCancelled<Inner>> {
   public:
    using inner_value = std::remove_cvref_t<decltype(std::declval<Inner&>().await_resume())>;
    using value_type =
        std::conditional_t<std::is_void_v<inner_value>, bool, std::optional<inner_value>>;

    template <class Arg>
    RunUntilCancelled(const CancellationToken& token, bool owned, Arg&& arg)
        : owner_(owned ? std::optional<CancellationToken>(token) : std::nullopt),
          wait_(*token.node_),
          inner_(std::forward<Arg>(arg)) {}

    bool poll(Context& cx) {
        if (done_) return true;
        if (wait_.poll(cx)) return done_ = true;  // cancellation first, as Tokio's biased select
        if (!inner_.poll(cx)) return false;
        completed_ = true;
        return done_ = true;
    }
    value_type await_resume() {
        if constexpr (std::is_void_v<inner_value>) {
            if (completed_) inner_.await_resume();
            return completed_;
        } else {
            if (!completed_) return std::nullopt;
            return value_type(inner_.await_resume());
        }
    }

   private:
    std::optional<CancellationToken> owner_;  // the _owned form's copy of the token
    CancellationToken::WaitForCancellation wait_;
    Inner inner_;
    bool done_ = false;
    bool completed_ = false;
};

template <class A>
requires time::detail::Boundable<A> RunUntilCancelled<typename time::detail::TimeoutInner<A>::type>
CancellationToken::run_until_cancelled(A&& awaitable)
const { return {*this, false, std::forward<A>(awaitable)}; }
template <class A>
requires time::detail::Boundable<A> RunUntilCancelled<typename time::detail::TimeoutInner<A>::type>
CancellationToken::run_until_cancelled_owned(A&& awaitable)
const { return {*this, true, std::forward<A>(awaitable)}; }

}  // namespace weft::sync
