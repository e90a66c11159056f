// Specification of the coop budget across weft::sync: every waiting operation spends one unit of
// the task's budget per poll, also when it is ready at once, and with no budget left it returns
// pending after waking its task, without doing anything (no permit taken, no message consumed).
// A poll that stays pending gives its unit back. Operations that never wait (try_*, unbounded
// send, notify_*, watch send) spend nothing, as in Tokio.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

#include "manual_poll.hpp"
#include "runtime/context/thread_context.hpp"
#include "runtime/sync/sync.hpp"

using namespace weft;

namespace {

// Polls `a` once on this thread with `budget` units; returns whether it was ready and, in `left`,
// the units left afterwards.
template <class A>
bool poll_with_budget(A& a, std::uint32_t budget, std::atomic<int>& wakes, std::uint32_t& left) {
    auto& t = detail::tls();
    const std::uint32_t saved = t.budget;
    t.budget = budget;
    Context cx(weft::test::CountingWaker::ref(wakes));
    bool ready = a.poll(cx);
    left = t.budget;
    t.budget = saved;
    return ready;
}

// `a` is ready: with no budget it must return pending and wake its task; with one unit it must
// complete and spend it.
template <class A>
void check_ready_spends_budget(A& a) {
    std::atomic<int> wakes{0};
    std::uint32_t left = 0;
    CHECK_FALSE(poll_with_budget(a, 0, wakes, left));
    CHECK(wakes.load() == 1);
    CHECK(poll_with_budget(a, 1, wakes, left));
    CHECK(left == 0);
}

// The waker of pending polls stays registered after the check: it must outlive the test.
std::atomic<int> g_pending_wakes{0};

// `a` is not ready: a pending poll gives its unit back.
template <class A>
void check_pending_refunds(A& a) {
    const int before = g_pending_wakes.load();
    std::uint32_t left = 0;
    CHECK_FALSE(poll_with_budget(a, 5, g_pending_wakes, left));
    CHECK(left == 5);
    CHECK(g_pending_wakes.load() == before);
}

}  // namespace

TEST_CASE("coop: semaphore, mutex and rwlock acquisitions spend budget", "[sync][coop]") {
    sync::Semaphore sem(2);
    {
        auto a = sem.acquire_many(2);
        check_ready_spends_budget(a);
        auto p = a.await_resume().value();
        auto b = sem.acquire();
        check_pending_refunds(b);
    }
    CHECK(sem.available_permits() == 2);

    sync::Mutex<int> m(0);
    {
        auto l = m.lock();
        check_ready_spends_budget(l);
        auto g = l.await_resume();
        auto l2 = m.lock();
        check_pending_refunds(l2);
    }
    CHECK(m.try_lock().is_ok());

    sync::RwLock<int> rw(0);
    {
        auto r = rw.read();
        check_ready_spends_budget(r);
        auto g = r.await_resume();
        auto w = rw.write();
        check_pending_refunds(w);
    }
    {
        auto w = rw.write();
        check_ready_spends_budget(w);
        auto g = w.await_resume();
    }
    CHECK(rw.try_write().is_ok());
}

TEST_CASE("coop: Notified, Barrier and CancellationToken spend budget", "[sync][coop]") {
    sync::Notify notify;
    notify.notify_one();
    {
        auto n = notify.notified();
        check_ready_spends_budget(n);
        auto again = notify.notified();
        check_pending_refunds(again);
    }

    sync::Barrier barrier(1);
    auto w = barrier.wait();
    check_ready_spends_budget(w);
    CHECK(w.await_resume().is_leader());

    sync::CancellationToken token;
    {
        auto c = token.cancelled();
        check_pending_refunds(c);
    }
    token.cancel();
    auto c = token.cancelled();
    check_ready_spends_budget(c);
}

TEST_CASE("coop: oneshot receive and Sender::closed spend budget", "[sync][coop]") {
    {
        auto [tx, rx] = sync::oneshot::channel<int>();
        check_pending_refunds(rx);
        (void)tx.send(7);
        check_ready_spends_budget(rx);
        auto v = rx.await_resume();
        CHECK(v.value() == 7);
    }
    {
        auto [tx, rx] = sync::oneshot::channel<int>();
        auto closed = tx.closed();
        check_pending_refunds(closed);
        { auto gone = std::move(rx); }
        check_ready_spends_budget(closed);
    }
}

TEST_CASE("coop: mpsc send, reserve, recv and closed spend budget; try_* do not", "[sync][coop]") {
    auto [tx, rx] = sync::mpsc::channel<int>(2);
    {
        auto s = tx.send(1);
        check_ready_spends_budget(s);
        CHECK(s.await_resume().is_ok());
    }
    CHECK(tx.capacity() == 1);
    {
        auto r = tx.reserve();
        check_ready_spends_budget(r);
        auto permit = r.await_resume().value();
        auto full = tx.send(3);
        check_pending_refunds(full);
        permit.send(2);
    }
    for (int expect : {1, 2}) {
        auto r = rx.recv();
        check_ready_spends_budget(r);
        auto v = r.await_resume();
        REQUIRE(v.has_value());
        CHECK(*v == expect);
    }
    {
        auto r = rx.recv();
        check_pending_refunds(r);
    }
    {
        auto& t = detail::tls();
        const std::uint32_t saved = std::exchange(t.budget, 0);
        CHECK(tx.try_send(5).is_ok());  // no budget needed
        CHECK(rx.try_recv().value() == 5);
        t.budget = saved;
    }
    auto closed = tx.closed();
    check_pending_refunds(closed);
    { auto gone = std::move(rx); }
    check_ready_spends_budget(closed);

    auto [utx, urx] = sync::mpsc::unbounded_channel<int>();
    (void)utx.send(4);
    {
        auto r = urx.recv();
        check_ready_spends_budget(r);
        CHECK(r.await_resume() == std::optional<int>(4));
    }
    auto uclosed = utx.closed();
    urx.close();
    check_ready_spends_budget(uclosed);
}

TEST_CASE("coop: mpmc send and recv spend budget", "[sync][coop]") {
    auto [tx, rx] = sync::mpmc::channel<int>(1);
    {
        auto s = tx.send(1);
        check_ready_spends_budget(s);
        CHECK(s.await_resume().is_ok());
        auto full = tx.send(2);
        check_pending_refunds(full);
    }
    auto r = rx.recv();
    check_ready_spends_budget(r);
    CHECK(r.await_resume() == std::optional<int>(1));
    auto empty = rx.recv();
    check_pending_refunds(empty);
}

TEST_CASE("coop: watch changed and closed spend budget, also when ready at once", "[sync][coop]") {
    auto [tx, rx] = sync::watch::channel<int>(0);
    {
        auto c = rx.changed();
        check_pending_refunds(c);
    }
    (void)tx.send(1);
    {
        auto c = rx.changed();
        check_ready_spends_budget(c);
        CHECK(c.await_resume().is_ok());
        CHECK(*rx.borrow() == 1);
        CHECK_FALSE(rx.has_changed().value());  // changed() marked it seen
    }
    auto closed = tx.closed();
    check_pending_refunds(closed);
    { auto gone = std::move(rx); }
    check_ready_spends_budget(closed);
}

TEST_CASE("coop: broadcast recv spends budget", "[sync][coop]") {
    auto [tx, rx] = sync::broadcast::channel<int>(4);
    {
        auto r = rx.recv();
        check_pending_refunds(r);
    }
    (void)tx.send(9);
    auto r = rx.recv();
    check_ready_spends_budget(r);
    CHECK(r.await_resume().value() == 9);
}
