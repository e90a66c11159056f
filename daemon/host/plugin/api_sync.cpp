// Host function table: named Notify and semaphores (plugin.h 6.8, 6.9), over the runtime's
// sync::Notify and sync::Semaphore.
#include "host/abi/api_support.hpp"
#include "host/plugin/api_areas.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "host/registry/registry.hpp"

namespace weft::host {
namespace {

// --- Notify ------------------------------------------------------------------------------------

class NotifyHandle final : public weft_notify, public OwnedHandle {
   public:
    NotifyHandle(PluginInstance& plugin, std::shared_ptr<NamedNotify> notify) noexcept
        : weft_notify{&host_api()}, plugin_(plugin), notify_(std::move(notify)) {}
    [[nodiscard]] static NotifyHandle& of(weft_notify* n) noexcept {
        return static_cast<NotifyHandle&>(*n);
    }
    [[nodiscard]] const char* handle_kind() const noexcept override { return "notify"; }
    [[nodiscard]] const std::shared_ptr<NamedNotify>& notify() const noexcept { return notify_; }
    void close() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    std::shared_ptr<NamedNotify> notify_;
};

// A Notified in a plugin's slot. Destroying it (weft_op_cancel) hands a notify_one it already
// received to the next waiter, as sync::Notified's destructor does.
class NotifiedOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::notified;
    explicit NotifiedOp(std::shared_ptr<NamedNotify> n)
        : OpBase(kKind), notify_(std::move(n)), notified_(notify_->notify.notified()) {}
    weft_status poll(Context& cx) noexcept { return notified_.poll(cx) ? WEFT_OK : WEFT_PENDING; }

   private:
    std::shared_ptr<NamedNotify> notify_;
    sync::Notified notified_;
};

weft_status notify_open(weft_host* host, const char* name, weft_notify** out) {
    if (out) *out = nullptr;
    if (!host || !out || !name || !*name)
        return invalid("weft_notify_open: NULL argument or empty name");
    clear_last_error();
    return guarded([&] {
        auto& plugin = PluginInstance::of(host);
        auto opened = plugin.registry().notify(name);
        auto handle = std::make_unique<NotifyHandle>(plugin, std::move(opened.object));
        plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

void notify_close(weft_notify* n) {
    if (n) NotifyHandle::of(n).close();
}
void notify_notify_one(weft_notify* n) {
    if (n) NotifyHandle::of(n).notify()->notify.notify_one();
}
void notify_notify_waiters(weft_notify* n) {
    if (n) NotifyHandle::of(n).notify()->notify.notify_waiters();
}

weft_status notify_notified(weft_context* c, weft_notify* n, weft_op** op) {
    if (!c || !n || !op) return invalid("weft_notify_notified: NULL argument");
    return guarded([&] {
        const auto& notify = NotifyHandle::of(n).notify();
        return poll_op<NotifiedOp>(context_of(c).cx, op, "weft_notify_notified",
                                   [&] { return std::make_unique<NotifiedOp>(notify); });
    });
}

// --- Semaphores --------------------------------------------------------------------------------

// Permits acquired through a handle and not yet released: given back when the handle closes.
struct HeldPermits {
    std::atomic<std::uint64_t> count{0};
};

class SemaphoreHandle final : public weft_semaphore, public OwnedHandle {
   public:
    SemaphoreHandle(PluginInstance& plugin, std::shared_ptr<NamedSemaphore> semaphore)
        : weft_semaphore{&host_api()},
          plugin_(plugin),
          semaphore_(std::move(semaphore)),
          held_(std::make_shared<HeldPermits>()) {}
    ~SemaphoreHandle() override {
        if (const auto n = held_->count.exchange(0)) give_back(n);
    }
    [[nodiscard]] static SemaphoreHandle& of(weft_semaphore* s) noexcept {
        return static_cast<SemaphoreHandle&>(*s);
    }
    [[nodiscard]] const char* handle_kind() const noexcept override { return "semaphore"; }
    [[nodiscard]] const std::shared_ptr<NamedSemaphore>& semaphore() const noexcept {
        return semaphore_;
    }
    [[nodiscard]] const std::shared_ptr<HeldPermits>& held() const noexcept { return held_; }
    void give_back(std::uint64_t n) noexcept {
        try {
            semaphore_->semaphore.add_permits(n);
        } catch (...) {  // only past kMaxPermits, which a handle cannot have taken
        }
    }
    void close() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    std::shared_ptr<NamedSemaphore> semaphore_;
    std::shared_ptr<HeldPermits> held_;
};

// An acquire in a plugin's slot. Cancelled, sync's Acquire gives back what it was assigned.
class AcquireOp final : public OpBase {
   public:
    static constexpr OpKind kKind = OpKind::acquire;
    AcquireOp(std::shared_ptr<NamedSemaphore> s, std::shared_ptr<HeldPermits> held, std::uint32_t n)
        : OpBase(kKind),
          semaphore_(std::move(s)),
          held_(std::move(held)),
          acquire_(semaphore_->semaphore.acquire_many(n)),
          n_(n) {}
    weft_status poll(Context& cx) noexcept {
        if (!acquire_.poll(cx)) return WEFT_PENDING;
        auto permit = acquire_.await_resume();
        if (!permit) return WEFT_ERR_CLOSED;
        permit->forget();  // the handle's count holds them now
        held_->count.fetch_add(n_, std::memory_order_relaxed);
        return WEFT_OK;
    }

   private:
    std::shared_ptr<NamedSemaphore> semaphore_;
    std::shared_ptr<HeldPermits> held_;
    sync::Semaphore::Acquire acquire_;
    std::uint32_t n_;
};

weft_status semaphore_open(weft_host* host, const char* name, uint32_t permits,
                           weft_semaphore** out) {
    if (out) *out = nullptr;
    if (!host || !out || !name || !*name)
        return invalid("weft_semaphore_open: NULL argument or empty name");
    clear_last_error();
    return guarded([&] {
        auto& plugin = PluginInstance::of(host);
        auto opened = plugin.registry().semaphore(name, permits, "plugin '" + plugin.name() + "'");
        if (!opened.ok()) {
            if (opened.error.status == WEFT_ERR_MISMATCH)
                plugin.log().error("{}", opened.error.message);
            set_last_error(std::move(opened.error.message));
            return opened.error.status;
        }
        auto handle = std::make_unique<SemaphoreHandle>(plugin, std::move(opened.object));
        plugin.handles().add(handle.get());
        *out = handle.release();
        return WEFT_OK;
    });
}

void semaphore_close(weft_semaphore* s) {
    if (s) SemaphoreHandle::of(s).close();
}

weft_status check_count(SemaphoreHandle& h, uint32_t n, const char* what) {
    if (n == 0 || n > h.semaphore()->permits)
        return invalid(std::string(what) + ": asked for " + std::to_string(n) +
                       " permits; semaphore '" + h.semaphore()->name + "' has " +
                       std::to_string(h.semaphore()->permits) + " in all");
    return WEFT_OK;
}

weft_status semaphore_acquire(weft_context* c, weft_semaphore* s, uint32_t n, weft_op** op) {
    if (!c || !s || !op) return invalid("weft_semaphore_acquire: NULL argument");
    auto& h = SemaphoreHandle::of(s);
    if (!*op) {
        if (const auto bad = check_count(h, n, "weft_semaphore_acquire"); bad != WEFT_OK)
            return bad;
    }
    return guarded([&] {
        return poll_op<AcquireOp>(context_of(c).cx, op, "weft_semaphore_acquire", [&] {
            return std::make_unique<AcquireOp>(h.semaphore(), h.held(), n);
        });
    });
}

weft_status semaphore_try_acquire(weft_semaphore* s, uint32_t n) {
    if (!s) return invalid("weft_semaphore_try_acquire: NULL semaphore");
    auto& h = SemaphoreHandle::of(s);
    if (const auto bad = check_count(h, n, "weft_semaphore_try_acquire"); bad != WEFT_OK)
        return bad;
    auto permit = h.semaphore()->semaphore.try_acquire_many(n);
    if (!permit) return permit.error().is_closed() ? WEFT_ERR_CLOSED : WEFT_ERR_EMPTY;
    permit->forget();
    h.held()->count.fetch_add(n, std::memory_order_relaxed);
    return WEFT_OK;
}

weft_status semaphore_release(weft_semaphore* s, uint32_t n) {
    if (!s) return invalid("weft_semaphore_release: NULL semaphore");
    auto& h = SemaphoreHandle::of(s);
    auto& held = h.held()->count;
    std::uint64_t cur = held.load(std::memory_order_relaxed);
    do {
        if (cur < n)
            return invalid("weft_semaphore_release: releasing " + std::to_string(n) +
                           " permits, but this handle holds " + std::to_string(cur));
    } while (!held.compare_exchange_weak(cur, cur - n, std::memory_order_relaxed));
    h.give_back(n);
    return WEFT_OK;
}

uint64_t semaphore_available(weft_semaphore* s) {
    return s ? SemaphoreHandle::of(s).semaphore()->semaphore.available_permits() : 0;
}

}  // namespace

void fill_sync_api(weft_host_api& api) noexcept {
    api.notify_open = notify_open;
    api.notify_close = notify_close;
    api.notify_notify_one = notify_notify_one;
    api.notify_notify_waiters = notify_notify_waiters;
    api.notify_notified = notify_notified;
    api.semaphore_open = semaphore_open;
    api.semaphore_close = semaphore_close;
    api.semaphore_acquire = semaphore_acquire;
    api.semaphore_try_acquire = semaphore_try_acquire;
    api.semaphore_release = semaphore_release;
    api.semaphore_available = semaphore_available;
}

}  // namespace weft::host
