#include "runtime/task/task_id.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

#include "runtime/task/header.hpp"

namespace weft::task {
namespace {

// Relaxed: an id only has to be unique, it orders nothing.
std::atomic<std::uint64_t> g_next_id{1};

// The ids of numbered tasks. One lock is enough: only tasks whose id was asked for are here, and
// asking is rare (an error, a log line), never a per-poll or per-spawn cost.
struct IdTable {
    std::mutex mutex;
    std::unordered_map<const Header*, std::uint64_t> ids;
};
IdTable& table() noexcept {
    // Never destroyed: a runtime in static storage may free numbered tasks after main returns.
    static union Storage {
        Storage() : table() {}
        ~Storage() {}
        IdTable table;
    } storage;
    return storage.table;
}

}  // namespace

std::uint64_t next_id() noexcept { return g_next_id.fetch_add(1, std::memory_order_relaxed); }

std::uint64_t id_of(Header* task) noexcept {
    IdTable& t = table();
    std::lock_guard lock(t.mutex);
    // NUMBERED is only set under this lock, so a relaxed load sees every earlier setting of it.
    if (task->state.load(std::memory_order_relaxed) & State::NUMBERED) return t.ids.at(task);
    const std::uint64_t id = next_id();
    t.ids.emplace(task, id);
    task->state.set_numbered();
    return id;
}

void forget_id(const Header* task) noexcept {
    IdTable& t = table();
    std::lock_guard lock(t.mutex);
    t.ids.erase(task);
}

}  // namespace weft::task
