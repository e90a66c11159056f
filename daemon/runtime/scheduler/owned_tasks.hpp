// OwnedTasks: every live task of a runtime, so that shutdown can cancel tasks that sit in no
// queue (idle, waiting on a resource). Intrusive and sharded by task address so that spawns and
// completions on different workers rarely meet on one lock.
//
// A task is in the list from spawn until it completes; the list holds one reference meanwhile.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>  // std::lock_guard

#include "runtime/task/header.hpp"
#include "runtime/util/intrusive_list.hpp"
#include "runtime/util/spin_lock.hpp"

namespace weft::detail {

class OwnedTasks {
   public:
    // Adds a newly bound task. False once the list is closed: the caller shuts the task down.
    [[nodiscard]] bool bind(task::Header* t) noexcept;
    // Removes a completing task; true if it was in the list (the list's reference is released).
    [[nodiscard]] bool remove(task::Header* t) noexcept;
    // Refuses new tasks, then cancels every listed one. Call with the runtime's workers stopped.
    void close_and_shutdown_all() noexcept;

    [[nodiscard]] bool is_closed() const noexcept {
        return closed_.load(std::memory_order_acquire);
    }
    [[nodiscard]] std::size_t alive() const noexcept;
    [[nodiscard]] std::uint64_t spawned_total() const noexcept;

   private:
    static constexpr std::size_t kShards = 16;
    struct alignas(64) Shard {
        mutable SpinLock mutex;
        IntrusiveList<task::Header, task::Header, &task::Header::owned_prev,
                      &task::Header::owned_next>
            tasks;
        std::size_t count = 0;
        std::uint64_t spawned = 0;
    };
    Shard& shard_of(task::Header* t) noexcept {
        return shards_[(reinterpret_cast<std::uintptr_t>(t) >> 6) % kShards];
    }
    task::Header* pop(Shard& s) noexcept;

    std::array<Shard, kShards> shards_;
    std::atomic<bool> closed_{false};
};

}  // namespace weft::detail
