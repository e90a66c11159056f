// WaitList: the intrusive, doubly linked FIFO of waiters every sync primitive keeps (the
// runtime's IntrusiveList over WaitNode's links).
//
// A waiter node lives inside the awaitable that waits (a Notified, a semaphore Acquire, ...), so
// waiting allocates nothing. The list never owns its nodes: a node is linked while its awaitable
// waits and unlinked by whoever wakes or cancels it, always under the primitive's mutex. The list
// does not know whether a given node is linked; each primitive tracks that in its own node state.
//
// Thread-safety: none; the owning primitive's mutex guards the list and every node's links.
#pragma once

#include <cstddef>

#include "runtime/util/intrusive_list.hpp"

namespace weft::sync::detail {

struct WaitNode {
    WaitNode* prev = nullptr;
    WaitNode* next = nullptr;
};

// Node must derive from WaitNode.
template <class Node>
using WaitList = ::weft::detail::IntrusiveList<Node, WaitNode, &WaitNode::prev, &WaitNode::next>;

// Wakers collected under a lock and woken after it is released (Tokio's WakeList), so that
// waking, which may unpark a thread, stays out of the critical section.
template <class Waker, std::size_t N = 32>
class WakeList {
   public:
    WakeList() = default;
    WakeList(const WakeList&) = delete;
    WakeList& operator=(const WakeList&) = delete;
    ~WakeList() { wake_all(); }

    [[nodiscard]] bool can_push() const noexcept { return len_ < N; }
    void push(Waker&& w) noexcept {
        if (w) wakers_[len_++] = static_cast<Waker&&>(w);
    }
    void wake_all() noexcept {
        for (std::size_t i = 0; i < len_; ++i) wakers_[i].wake();
        len_ = 0;
    }

   private:
    Waker wakers_[N];
    std::size_t len_ = 0;
};

}  // namespace weft::sync::detail
