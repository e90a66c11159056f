// Specification of weft::sync::CancellationToken: copies share a token, children follow their
// parent (not the reverse), dropping tokens never cancels, re-attachment of orphans, a child of a
// cancelled token, cancelled() waking tasks, DropGuard.
#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <vector>

#include "runtime/sync/cancellation_token.hpp"
#include "support.hpp"

using namespace weft;
using weft::sync::CancellationToken;

TEST_CASE("cancellation token: copies share one token", "[sync][cancellation_token]") {
    CancellationToken a;
    CancellationToken b = a;
    CHECK_FALSE(a.is_cancelled());
    b.cancel();
    CHECK(a.is_cancelled());
    a.cancel();  // idempotent
    CHECK(b.is_cancelled());
}

TEST_CASE("cancellation token: parents cancel children, never the reverse",
          "[sync][cancellation_token]") {
    CancellationToken root;
    auto child = root.child_token();
    auto grandchild = child.child_token();
    auto sibling = root.child_token();
    grandchild.cancel();
    CHECK(grandchild.is_cancelled());
    CHECK_FALSE(child.is_cancelled());
    CHECK_FALSE(root.is_cancelled());
    child.cancel();
    CHECK_FALSE(root.is_cancelled());
    CHECK_FALSE(sibling.is_cancelled());
    auto other = sibling.child_token();
    root.cancel();
    CHECK(sibling.is_cancelled());
    CHECK(other.is_cancelled());
    auto late = root.child_token();
    CHECK(late.is_cancelled());  // born cancelled
}

TEST_CASE("cancellation token: dropping tokens cancels nothing and keeps descendants reachable",
          "[sync][cancellation_token]") {
    CancellationToken root;
    std::optional<CancellationToken> middle(root.child_token());
    auto leaf = middle->child_token();
    { auto dropped_child = root.child_token(); }
    middle.reset();  // the leaf is re-attached to the root
    CHECK_FALSE(root.is_cancelled());
    CHECK_FALSE(leaf.is_cancelled());
    root.cancel();
    CHECK(leaf.is_cancelled());

    std::optional<CancellationToken> lone_root(std::in_place);
    auto orphan = lone_root->child_token();
    lone_root.reset();
    CHECK_FALSE(orphan.is_cancelled());
    orphan.cancel();
    CHECK(orphan.is_cancelled());
}

TEST_CASE("cancellation token: cancelled() wakes waiting tasks", "[sync][cancellation_token]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        CancellationToken root;
        std::vector<JoinHandle<void>> waiters;
        for (int i = 0; i < 10; ++i) {
            waiters.push_back(spawn([](CancellationToken t) -> Task<void> {
                co_await t.cancelled();
            }(i % 2 ? root.child_token() : root)));
        }
        co_await yield_now();
        root.cancel();
        for (auto& h : waiters) co_await h;
        co_await root.cancelled();  // already cancelled: immediate
    }());
}

TEST_CASE("cancellation token: aborting a task waiting in cancelled() is harmless",
          "[sync][cancellation_token]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        CancellationToken t;
        auto a = spawn([](CancellationToken t) -> Task<void> { co_await t.cancelled(); }(t));
        auto b = spawn([](CancellationToken t) -> Task<void> { co_await t.cancelled(); }(t));
        co_await yield_now();
        a.abort();
        try {
            co_await a;
        } catch (const JoinError&) {
        }
        t.cancel();
        co_await b;
    }());
}

TEST_CASE("cancellation token: a DropGuard cancels unless disarmed", "[sync][cancellation_token]") {
    CancellationToken t;
    { auto guard = t.drop_guard(); }
    CHECK(t.is_cancelled());
    CancellationToken u;
    {
        auto guard = u.drop_guard();
        auto back = guard.disarm();
        CHECK_FALSE(back.is_cancelled());
    }
    CHECK_FALSE(u.is_cancelled());
}

TEST_CASE("cancellation token: concurrent children and cancellation",
          "[sync][cancellation_token]") {
    auto flavor = GENERATE(from_range(weft::test::flavors()));
    auto rt = weft::test::make_runtime(flavor);
    rt.block_on([]() -> Task<void> {
        CancellationToken root;
        std::atomic<int> woken{0};
        std::vector<JoinHandle<void>> tasks;
        for (int i = 0; i < 50; ++i) {
            tasks.push_back(spawn([](CancellationToken parent, std::atomic<int>& w) -> Task<void> {
                for (int k = 0; k < 20; ++k) {
                    auto c = parent.child_token();  // created and dropped
                    co_await yield_now();
                }
                auto mine = parent.child_token().child_token();
                co_await mine.cancelled();
                w.fetch_add(1);
            }(root, woken)));
        }
        for (int k = 0; k < 10; ++k) co_await yield_now();
        root.cancel();
        for (auto& h : tasks) co_await h;
        CHECK(woken.load() == 50);
    }());
}
