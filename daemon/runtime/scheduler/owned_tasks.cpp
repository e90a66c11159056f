#include "runtime/scheduler/owned_tasks.hpp"

#include "runtime/task/harness.hpp"

namespace weft::detail {

bool OwnedTasks::bind(task::Header* t) noexcept {
    Shard& s = shard_of(t);
    std::lock_guard lock(s.mutex);
    if (closed_.load(std::memory_order_acquire)) return false;
    s.tasks.push_front(t);
    ++s.count;
    ++s.spawned;
    return true;
}

bool OwnedTasks::remove(task::Header* t) noexcept {
    Shard& s = shard_of(t);
    std::lock_guard lock(s.mutex);
    if (!s.tasks.contains(t)) return false;  // never bound, or popped by the shutdown
    s.tasks.remove(t);
    --s.count;
    return true;
}

task::Header* OwnedTasks::pop(Shard& s) noexcept {
    std::lock_guard lock(s.mutex);
    task::Header* t = s.tasks.pop_front();
    if (!t) return nullptr;
    --s.count;
    return t;
}

void OwnedTasks::close_and_shutdown_all() noexcept {
    closed_.store(true, std::memory_order_release);
    for (Shard& s : shards_) {
        // Cancelling runs destructors, which may complete other tasks: pop one at a time.
        while (task::Header* t = pop(s)) task::shutdown(t);
    }
}

std::size_t OwnedTasks::alive() const noexcept {
    std::size_t n = 0;
    for (const Shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.count;
    }
    return n;
}

std::uint64_t OwnedTasks::spawned_total() const noexcept {
    std::uint64_t n = 0;
    for (const Shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.spawned;
    }
    return n;
}

}  // namespace weft::detail
