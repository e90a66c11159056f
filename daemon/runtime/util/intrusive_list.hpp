// IntrusiveList: the one doubly linked list of the runtime, for objects it does not own: a
// primitive's waiters (sync/detail/wait_list.hpp), a timer wheel slot's timers, a signal's
// listeners, a runtime's tasks (scheduler/owned_tasks.hpp), the blocking pool's queue, the I/O
// driver's registrations.
//
// The links live in the element, so linking allocates nothing and unlinking is O(1) from the
// element alone. The element names its own link fields (Prev and Next, pointers to a base N of T
// or to T itself), so one object can sit in several lists through different fields (a task's
// header in its runtime's owned list and, through another field, in a run queue).
//
// Ownership: none; the list never creates or destroys an element. An unlinked element's links
// are null. Thread-safety: none; whoever owns the list serialises every access to it and to the
// links of its elements (a mutex, a spin lock, a single thread).
#pragma once

#include <utility>

namespace weft::detail {

template <class T, class N, N* N::*Prev, N* N::*Next>
class IntrusiveList {
   public:
    IntrusiveList() noexcept = default;
    // Moving takes every element (the elements point at each other, never at the list) and
    // leaves the source empty.
    IntrusiveList(IntrusiveList&& other) noexcept
        : head_(std::exchange(other.head_, nullptr)), tail_(std::exchange(other.tail_, nullptr)) {}
    IntrusiveList& operator=(IntrusiveList&&) = delete;

    [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
    [[nodiscard]] T* front() const noexcept { return static_cast<T*>(head_); }
    [[nodiscard]] T* back() const noexcept { return static_cast<T*>(tail_); }
    // True when `node` is in this list (given that it is in this one or in none).
    [[nodiscard]] bool contains(const T* node) const noexcept {
        const N* n = node;
        return n->*Prev != nullptr || head_ == n;
    }

    void push_front(T* node) noexcept {
        N* n = node;
        n->*Prev = nullptr;
        n->*Next = head_;
        if (head_)
            head_->*Prev = n;
        else
            tail_ = n;
        head_ = n;
    }
    void push_back(T* node) noexcept {
        N* n = node;
        n->*Next = nullptr;
        n->*Prev = tail_;
        if (tail_)
            tail_->*Next = n;
        else
            head_ = n;
        tail_ = n;
    }
    [[nodiscard]] T* pop_front() noexcept {
        T* n = front();
        if (n) remove(n);
        return n;
    }
    [[nodiscard]] T* pop_back() noexcept {
        T* n = back();
        if (n) remove(n);
        return n;
    }
    // `node` must be in this list; its links are null afterwards.
    void remove(T* node) noexcept {
        N* n = node;
        if (n->*Prev)
            n->*Prev->*Next = n->*Next;
        else
            head_ = n->*Next;
        if (n->*Next)
            n->*Next->*Prev = n->*Prev;
        else
            tail_ = n->*Prev;
        n->*Next = n->*Prev = nullptr;
    }
    // Puts `fresh` where `old` is (an element that moved while listed); `old` ends unlinked.
    void replace(T* old, T* fresh) noexcept {
        N* o = old;
        N* f = fresh;
        f->*Prev = o->*Prev;
        f->*Next = o->*Next;
        if (f->*Prev)
            f->*Prev->*Next = f;
        else
            head_ = f;
        if (f->*Next)
            f->*Next->*Prev = f;
        else
            tail_ = f;
        o->*Next = o->*Prev = nullptr;
    }

   private:
    N* head_ = nullptr;
    N* tail_ = nullptr;
};

}  // namespace weft::detail
