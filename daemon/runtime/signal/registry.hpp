// Registry: the signal listeners of one runtime, and the libuv signal handles behind them.
//
// The first listener of a signal number makes the driver's loop thread create and start a
// uv_signal_t for it (through Driver::run_on_loop, waiting until it is started, so a signal sent
// after signal() returned is never missed). The handle then stays until the runtime shuts down:
// as in Tokio, once a signal is listened for, the process keeps catching it (a later delivery
// with no listener is dropped rather than killing the process). Every delivery marks every
// listener of that signal and wakes it; deliveries a listener has not yet received coalesce.
//
// Thread-safety: every member is guarded by one mutex; loop callbacks run on the loop thread.
// Wakers are woken and dropped outside the mutex.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/task/waker.hpp"
#include "runtime/util/intrusive_list.hpp"

struct uv_loop_s;
struct uv_signal_s;
typedef struct uv_signal_s uv_signal_t;

namespace weft::detail {
class Driver;
}

namespace weft::signal::detail {

struct Listener {
    Listener* prev = nullptr;
    Listener* next = nullptr;
    int signum = 0;
    bool pending = false;  // a delivery not yet received
    Waker waker;
};

class Registry {
   public:
    explicit Registry(weft::detail::Driver& driver) noexcept : driver_(&driver) {}
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // Lists `l` for l.signum and makes sure the signal is caught. Throws std::system_error when
    // libuv refuses the signal, std::logic_error after shutdown.
    void add(Listener& l);
    void remove(Listener& l) noexcept;

    enum class Poll { delivered, pending, closed };
    // Takes a pending delivery, or stores `waker` to be woken by the next one.
    [[nodiscard]] Poll poll_recv(Listener& l, const WakerRef& waker) noexcept;

    // Driver shutdown (on the loop thread): closes the handles and wakes every listener, whose
    // recv() then reports the end.
    void shutdown() noexcept;

   private:
    struct HandleDelete {  // defined where uv_signal_t is complete
        void operator()(uv_signal_t* h) const noexcept;
    };
    using HandlePtr = std::unique_ptr<uv_signal_t, HandleDelete>;
    struct Slot {
        HandlePtr handle;  // created and started on the loop thread
        bool started = false;
        weft::detail::IntrusiveList<Listener, Listener, &Listener::prev, &Listener::next> listeners;
    };
    static void on_signal(uv_signal_t* handle, int signum);
    void install(uv_loop_s& loop, int signum);  // on the loop thread

    weft::detail::Driver* driver_;  // null after shutdown
    std::mutex mutex_;
    std::map<int, Slot> slots_;
    std::vector<HandlePtr> failed_;  // closed handles whose start failed
    bool closed_ = false;
};

}  // namespace weft::signal::detail
