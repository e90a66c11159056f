// WaitList: the intrusive, doubly linked FIFO of waiters every sync primitive keeps.
//
// A waiter node lives inside the awaitable that waits (a Notified, a semaphore Acquire, ...), so
// waiting allocates nothing. The list never owns its nodes: a node is linked while its awaitable
// waits and unlinked by whoever wakes or cancels it, always under the primitive's mutex. The list
// does not know whether a given node is linked; each primitive tracks that in its own node state.
//
// Thread-safety: none; the owning primitive's mutex guards the list and every node's links.
#pragma once

#include <cstddef>

namespace weft::sync::detail {

struct WaitNode {
    WaitNode* prev = nullptr;
    WaitNode* next = nullptr;
};

// Node must derive from WaitNode.
template <class Node>
class WaitList {
   public:
    WaitList() noexcept = default;
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;

    [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
    [[nodiscard]] Node* front() const noexcept { return static_cast<Node*>(head_); }

    void push_back(Node* node) noexcept {
        WaitNode* n = node;
        n->next = nullptr;
        n->prev = tail_;
        if (tail_)
            tail_->next = n;
        else
            head_ = n;
        tail_ = n;
    }
    [[nodiscard]] Node* pop_front() noexcept {
        WaitNode* n = head_;
        if (!n) return nullptr;
        head_ = n->next;
        if (head_)
            head_->prev = nullptr;
        else
            tail_ = nullptr;
        n->next = n->prev = nullptr;
        return static_cast<Node*>(n);
    }
    [[nodiscard]] Node* pop_back() noexcept {
        auto* n = static_cast<Node*>(tail_);
        if (n) remove(n);
        return n;
    }
    // `node` must be linked in this list.
    void remove(Node* node) noexcept {
        WaitNode* n = node;
        if (n->prev)
            n->prev->next = n->next;
        else
            head_ = n->next;
        if (n->next)
            n->next->prev = n->prev;
        else
            tail_ = n->prev;
        n->next = n->prev = nullptr;
    }
    // Puts `fresh` where the linked `old` is (an awaitable that moved while waiting).
    void replace(Node* old, Node* fresh) noexcept {
        WaitNode* o = old;
        WaitNode* f = fresh;
        f->prev = o->prev;
        f->next = o->next;
        if (f->prev)
            f->prev->next = f;
        else
            head_ = f;
        if (f->next)
            f->next->prev = f;
        else
            tail_ = f;
        o->next = o->prev = nullptr;
    }

   private:
    WaitNode* head_ = nullptr;
    WaitNode* tail_ = nullptr;
};

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
