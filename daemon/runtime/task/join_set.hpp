// JoinSet<T>: a set of spawned tasks whose results are collected in completion order (Tokio's
// `task::JoinSet`).
//
//     weft::JoinSet<int> set;
//     for (int i = 0; i < 10; ++i) set.spawn(work(i));
//     while (auto r = co_await set.join_next()) {     // std::optional<Result<int, JoinError>>
//         if (*r) use(**r); else log(r->error().what());
//     }                                                // nullopt: the set is empty
//
// join_next() gives the result of a task that finished (in the order they finished; the value, or
// the JoinError of a cancelled or failed task), or nullopt once the set is empty. try_join_next()
// is the same without waiting: nullopt when no task has finished yet (or the set is empty).
// spawn() returns an AbortHandle for that one task. abort_all() aborts every task (they stay in
// the set and come out of join_next() as cancelled). detach_all() empties the set without aborting:
// the tasks run on, detached. Destroying the JoinSet aborts every task it still holds. shutdown()
// aborts all and waits until all are gone. join_all() waits for every task and gives their values
// in completion order; the first failed or cancelled task's JoinError is thrown instead, and the
// tasks still running are then aborted (as Tokio's join_all resumes the panic and drops the set).
//
// How (Tokio's IdleNotifiedSet): each task's entry is itself the waker registered as the task's
// join waker; when the task completes, the wake moves the entry from the idle list to the notified
// list and wakes the task awaiting join_next(), which takes the first notified entry. No polling
// of unfinished tasks.
//
// Thread-safety: a JoinSet is used by one task at a time; its tasks run anywhere.
// Cancellation safety: join_next() is cancellation safe (a dropped join_next() takes nothing).
// Coop: each poll of join_next() spends one budget unit.
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
#include "runtime/handle.hpp"
#include "runtime/sync/detail/wait_list.hpp"
#include "runtime/sync/result.hpp"
#include "runtime/task/harness.hpp"
#include "runtime/task/join_handle.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/task.hpp"

namespace weft {

template <class T>
class JoinSet {
   public:
    using Output = sync::Result<T, JoinError>;

    JoinSet() : shared_(std::make_shared<Shared>()) {}
    JoinSet(const JoinSet&) = delete;
    JoinSet& operator=(const JoinSet&) = delete;
    JoinSet(JoinSet&&) noexcept = default;
    ~JoinSet() { drop_all(true); }

    // Spawns `task` on the current runtime into the set. Throws outside a runtime.
    AbortHandle spawn(Task<T> task) { return insert(weft::spawn(std::move(task))); }
    // Spawns `task` on the runtime of `handle` into the set.
    AbortHandle spawn_on(Task<T> task, const Handle& handle) {
        return insert(handle.spawn(std::move(task)));
    }

    [[nodiscard]] std::size_t len() const noexcept {
        std::lock_guard lock(shared_->mutex);
        return shared_->len;
    }
    [[nodiscard]] bool is_empty() const noexcept { return len() == 0; }

    // Aborts every task in the set; their results still come out of join_next() (as cancelled).
    void abort_all() noexcept {
        std::lock_guard lock(shared_->mutex);
        for (Entry* e : {shared_->idle.front(), shared_->notified.front()})
            for (; e; e = static_cast<Entry*>(e->next)) e->handle.abort();
    }

    class [[nodiscard]] JoinNext : public Pollable<JoinNext> {
       public:
        bool poll(Context& cx) {
            if (result_) return true;
            if (!coop::poll_proceed(cx)) return false;
            Shared& s = *set_->shared_;
            for (;;) {
                Entry* e;
                {
                    std::lock_guard lock(s.mutex);
                    if (s.len == 0) {
                        result_.emplace(std::nullopt);
                        return true;
                    }
                    e = s.notified.pop_front();
                    if (!e) {
                        cx.waker().store_into(s.waiter);
                        coop::refund();
                        return false;
                    }
                    e->where = Where::polling;
                }
                if (task::can_read_output(e->handle.raw(), e->waker_ref())) {
                    result_.emplace(take(e->handle));
                    set_->remove(e);
                    return true;
                }
                set_->back_to_waiting(e);
            }
        }
        std::optional<Output> await_resume() { return std::move(*result_); }

       private:
        friend class JoinSet;
        explicit JoinNext(JoinSet* set) noexcept : set_(set) {}
        static Output take(JoinHandle<T>& h) {
            try {
                if constexpr (std::is_void_v<T>) {
                    h.take_output();
                    return Output();
                } else {
                    return Output(h.take_output());
                }
            } catch (const JoinError& e) {
                return sync::err(e);
            }
        }
        JoinSet* set_;
        std::optional<std::optional<Output>> result_;
    };
    // The result of the next task to finish, or nullopt if the set is empty.
    [[nodiscard]] JoinNext join_next() noexcept { return JoinNext(this); }

    // The result of a task that already finished, or nullopt if none has (or the set is empty).
    // Never waits; spends no coop budget.
    [[nodiscard]] std::optional<Output> try_join_next() {
        Shared& s = *shared_;
        for (;;) {
            Entry* e;
            {
                std::lock_guard lock(s.mutex);
                e = s.notified.pop_front();
                if (!e) return std::nullopt;
                e->where = Where::polling;
            }
            if (task::can_read_output(e->handle.raw(), e->waker_ref())) {
                std::optional<Output> r(JoinNext::take(e->handle));
                remove(e);
                return r;
            }
            back_to_waiting(e);
        }
    }

    // Empties the set without aborting its tasks: they run on, detached.
    void detach_all() noexcept { drop_all(false); }

    // What join_all() gives: every value in completion order (nothing for JoinSet<void>).
    using JoinAll = std::conditional_t<std::is_void_v<T>, void, std::vector<T>>;
    // Waits for every task of the set, which is empty afterwards (the set must outlive the
    // await). Throws the JoinError of the first task that failed or was cancelled, after
    // aborting the others (they stay in the set until joined or the set is destroyed).
    [[nodiscard]] Task<JoinAll> join_all() {
        if constexpr (std::is_void_v<T>) {
            for (;;) {
                auto next = co_await join_next();
                if (!next) break;
                if (!*next) {
                    abort_all();
                    throw std::move(*next).error();
                }
            }
        } else {
            std::vector<T> values;
            values.reserve(len());
            for (;;) {
                auto next = co_await join_next();
                if (!next) break;
                if (!*next) {
                    abort_all();
                    throw std::move(*next).error();
                }
                values.push_back(std::move(**next));
            }
            co_return values;
        }
    }

    // Aborts every task and waits until each has finished and left the set.
    [[nodiscard]] Task<void> shutdown() {
        abort_all();
        // (Not `while (co_await join_next()) {}`: GCC 12 miscompiles that form.)
        for (;;) {
            auto next = co_await join_next();
            if (!next) break;
        }
    }

   private:
    enum class Where { idle, notified, polling, polling_notified, removed };

    struct Shared;
    // One task of the set. It is also the waker the task's JoinHandle registers, so it is counted:
    // one reference for the set's membership, one per Waker copy held by the task.
    struct Entry : sync::detail::WaitNode {
        Entry(std::shared_ptr<Shared> s, JoinHandle<T> h) noexcept
            : shared(std::move(s)), handle(std::move(h)) {}
        [[nodiscard]] WakerRef waker_ref() noexcept { return WakerRef(this, &kVTable); }

        static const void* clone(const void* p) noexcept {
            static_cast<Entry*>(const_cast<void*>(p))->refs.fetch_add(1, std::memory_order_relaxed);
            return p;
        }
        static void wake(const void* p) noexcept {
            wake_by_ref(p);
            drop(p);
        }
        static void wake_by_ref(const void* p) noexcept {
            auto* e = static_cast<Entry*>(const_cast<void*>(p));
            Shared& s = *e->shared;
            Waker waiter;
            {
                std::lock_guard lock(s.mutex);
                switch (e->where) {
                    case Where::idle:
                        s.idle.remove(e);
                        s.notified.push_back(e);
                        e->where = Where::notified;
                        waiter = std::move(s.waiter);
                        break;
                    case Where::polling:
                        e->where = Where::polling_notified;
                        break;
                    default:
                        break;
                }
            }
            waiter.wake();
        }
        static void drop(const void* p) noexcept {
            auto* e = static_cast<Entry*>(const_cast<void*>(p));
            if (e->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
                std::unique_ptr<Entry> owned(e);
        }
        static constexpr WakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};

        std::atomic<std::size_t> refs{1};
        std::shared_ptr<Shared> shared;  // wakes may come after the JoinSet is gone
        JoinHandle<T> handle;            // touched by the JoinSet's owner only
        Where where = Where::idle;       // under shared->mutex
    };

    struct Shared {
        std::mutex mutex;
        sync::detail::WaitList<Entry> idle;
        sync::detail::WaitList<Entry> notified;
        std::size_t len = 0;
        Waker waiter;  // the task awaiting join_next()
    };

    // A polled entry whose task had not finished (a spurious wake): back to idle, unless it was
    // woken again meanwhile.
    void back_to_waiting(Entry* e) noexcept {
        std::lock_guard lock(shared_->mutex);
        if (e->where == Where::polling_notified) {
            e->where = Where::notified;
            shared_->notified.push_back(e);
        } else {
            e->where = Where::idle;
            shared_->idle.push_back(e);
        }
    }

    AbortHandle insert(JoinHandle<T> h) {
        AbortHandle abort = h.abort_handle();
        auto owned = std::make_unique<Entry>(shared_, std::move(h));
        Entry* e = owned.release();
        {
            std::lock_guard lock(shared_->mutex);
            shared_->idle.push_back(e);
            ++shared_->len;
        }
        // Registers the entry as the join waker; a task that already finished is notified now.
        if (task::can_read_output(e->handle.raw(), e->waker_ref())) Entry::wake_by_ref(e);
        return abort;
    }
    // Takes a polled entry out of the set (its handle already consumed the output).
    void remove(Entry* e) noexcept {
        {
            std::lock_guard lock(shared_->mutex);
            e->where = Where::removed;
            --shared_->len;
        }
        e->handle.detach();
        Entry::drop(e);
    }
    // Drops every entry (aborting the tasks first when `abort`).
    void drop_all(bool abort) noexcept {
        if (!shared_) return;
        for (;;) {
            Entry* e;
            {
                std::lock_guard lock(shared_->mutex);
                e = shared_->idle.pop_front();
                if (!e) e = shared_->notified.pop_front();
                if (!e) return;
                e->where = Where::removed;
                --shared_->len;
            }
            if (abort) e->handle.abort();
            e->handle.detach();
            Entry::drop(e);
        }
    }

    std::shared_ptr<Shared> shared_;
};

}  // namespace weft
