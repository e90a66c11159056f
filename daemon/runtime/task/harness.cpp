#include "runtime/task/harness.hpp"

#include "runtime/context/thread_context.hpp"
#include "runtime/task/frame_alloc.hpp"

namespace weft::task {
namespace {

using W = State::Word;

// The frame is gone (destroyed at completion); what is left is the block with the output.
void dealloc(Header* t) noexcept { release_block(t); }

// Leaves the owned list before COMPLETE is published, so whoever sees a task complete (a
// JoinHandle, block_on) never counts it among the alive ones. The frame was destroyed already.
void complete(Header* t) noexcept {
    W count = t->scheduler->release(t) ? 2 : 1;
    W prev = t->state.transition_to_complete();
    if ((prev & State::JOIN_INTEREST) && (prev & State::JOIN_WAKER)) t->join_waker.wake_by_ref();
    if (t->state.transition_to_terminal(count)) dealloc(t);
}

// Called while holding RUNNING: destroys the coroutine (its destructors run) and completes
// without an output.
void cancel(Header* t) noexcept {
    t->pending = nullptr;
    t->state.set_no_output();
    t->coroutine().destroy();
    complete(t);
}

// The coroutine returned (or threw): its output is stored outside the frame, so the frame goes
// now, as Tokio drops a future once it is ready: a Sender it holds closes its channel at once.
void finish(Header* t) noexcept {
    t->coroutine().destroy();
    complete(t);
}

// Resumes the coroutine if the awaiter it waits on is ready; true when the coroutine finished.
bool poll_coroutine(Header* t, Context& cx) noexcept {
    if (detail::PendingAwait* p = t->pending) {
        if (!p->poll_fn(p, cx)) return false;
        t->pending = nullptr;
        p->continuation.resume();
    } else {
        t->coroutine().resume();  // the first poll leaves the initial suspend point
    }
    return t->coroutine().done();
}

const void* waker_clone(const void* data) noexcept {
    static_cast<Header*>(const_cast<void*>(data))->state.ref_inc();
    return data;
}
void waker_wake_by_ref(const void* data) noexcept {
    auto* t = static_cast<Header*>(const_cast<void*>(data));
    if (t->state.transition_to_notified_by_ref() == State::Notify::submit)
        t->scheduler->schedule(t);
}
void waker_wake(const void* data) noexcept {
    auto* t = static_cast<Header*>(const_cast<void*>(data));
    switch (t->state.transition_to_notified_by_val()) {
        case State::Notify::submit:
            t->scheduler->schedule(t);
            break;
        case State::Notify::dealloc:
            dealloc(t);
            break;
        case State::Notify::do_nothing:
            break;
    }
}
void waker_drop(const void* data) noexcept {
    auto* t = static_cast<Header*>(const_cast<void*>(data));
    if (t->state.ref_dec()) dealloc(t);
}

}  // namespace

const WakerVTable kWakerVTable{&waker_clone, &waker_wake, &waker_wake_by_ref, &waker_drop};

Header* bind(std::coroutine_handle<> coroutine, Schedule* scheduler) noexcept {
    Header* t = Header::from_frame(coroutine.address());
    t->state.init();
    t->scheduler = scheduler;
    return t;
}

void run(Header* t) noexcept {
    switch (t->state.transition_to_running()) {
        case State::ToRunning::success:
            break;
        case State::ToRunning::cancelled:
            cancel(t);
            return;
        case State::ToRunning::failed:
            return;
        case State::ToRunning::dealloc:
            dealloc(t);
            return;
    }
    auto& ctx = detail::tls();
    Context cx(waker_ref(t));
    Header* outer_task = ctx.task;
    Context* outer_cx = ctx.cx;
    ctx.task = t;
    ctx.cx = &cx;
    bool done = poll_coroutine(t, cx);
    ctx.task = outer_task;
    ctx.cx = outer_cx;
    if (done) {
        finish(t);
        return;
    }
    switch (t->state.transition_to_idle()) {
        case State::ToIdle::ok:
            break;
        case State::ToIdle::ok_notified:
            t->scheduler->yield(t);
            break;
        case State::ToIdle::ok_dealloc:
            dealloc(t);
            break;
        case State::ToIdle::cancelled:
            cancel(t);
            break;
    }
}

void shutdown(Header* t) noexcept {
    if (!t->state.transition_to_shutdown()) {
        // Running elsewhere (it will see CANCELLED) or already complete: drop the list's ref.
        if (t->state.ref_dec()) dealloc(t);
        return;
    }
    cancel(t);
}

void drop_notification(Header* t) noexcept {
    if (t->state.ref_dec()) dealloc(t);
}

void drop_reference(Header* t) noexcept {
    if (t->state.ref_dec()) dealloc(t);
}

void abort(Header* t) noexcept {
    if (t->state.transition_to_notified_and_cancel()) t->scheduler->schedule(t);
}

void drop_join_handle(Header* t) noexcept {
    // If the task already completed, its output is destroyed with the block at dealloc.
    (void)t->state.unset_join_interested();
    if (t->state.ref_dec()) dealloc(t);
}

// The join-waker protocol (Tokio's `can_read_output`): the JoinHandle may write the slot only
// while JOIN_WAKER is clear; setting JOIN_WAKER hands the slot to the task until COMPLETE.
bool can_read_output(Header* t, const WakerRef& waker) noexcept {
    W s = t->state.load();
    if (s & State::COMPLETE) return true;
    if (s & State::JOIN_WAKER) {
        if (waker.will_wake(t->join_waker)) return false;
        if (!t->state.unset_join_waker()) return true;  // completed meanwhile
    }
    t->join_waker = waker.clone();
    if (t->state.set_join_waker()) return false;
    t->join_waker.reset();  // completed meanwhile: the slot is ours again
    return true;
}

}  // namespace weft::task
