// OwnedHandle and OpenHandles: every handle a plugin holds (channels, notifies, semaphores, join
// handles, wakers), so that the host can close what a plugin left open once it is destroyed.
//
// A handle is created by a host call, registered in its plugin's OpenHandles, and deleted by
// exactly one of: the plugin's close/release call, or close_all() after the plugin's destroy.
//
// Thread-safety: add/remove/close_all may be called from any thread; the set is mutex-guarded.
// close_all() runs when no plugin code runs any more, so nothing races with it but stray
// plugin threads, which plugin.h forbids after destroy.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_set>

namespace weft::host {

class OwnedHandle {
   public:
    OwnedHandle() = default;
    OwnedHandle(const OwnedHandle&) = delete;
    OwnedHandle& operator=(const OwnedHandle&) = delete;
    virtual ~OwnedHandle() = default;
    // "channel", "notify", ... for the log line listing what a plugin left open.
    [[nodiscard]] virtual const char* handle_kind() const noexcept = 0;
    // The plugin is done sending (shutdown): a channel handle gives up its sending rights.
    virtual void retire() noexcept {}
};

class OpenHandles {
   public:
    OpenHandles() = default;
    OpenHandles(const OpenHandles&) = delete;
    OpenHandles& operator=(const OpenHandles&) = delete;
    ~OpenHandles() { close_all(); }

    void add(OwnedHandle* h) {
        std::lock_guard lock(mutex_);
        handles_.insert(h);
    }
    // Removes and deletes `h`.
    void close(OwnedHandle* h) noexcept {
        {
            std::lock_guard lock(mutex_);
            handles_.erase(h);
        }
        delete h;
    }
    // Calls fn on each open handle (under the lock: fn must not open or close handles).
    void for_each(const std::function<void(OwnedHandle&)>& fn) {
        std::lock_guard lock(mutex_);
        for (OwnedHandle* h : handles_) fn(*h);
    }
    // Deletes every handle; returns how many of each kind there were.
    std::map<std::string, std::size_t> close_all() noexcept {
        std::unordered_set<OwnedHandle*> handles;
        {
            std::lock_guard lock(mutex_);
            handles.swap(handles_);
        }
        std::map<std::string, std::size_t> counts;
        for (OwnedHandle* h : handles) {
            try {
                ++counts[h->handle_kind()];
            } catch (...) {  // the count is for a log line; never worth failing the close
            }
            delete h;
        }
        return counts;
    }

   private:
    std::mutex mutex_;
    std::unordered_set<OwnedHandle*> handles_;
};

}  // namespace weft::host
