// Named Notify and semaphores (plugin.h 6.8, 6.9).
//
//   weft::Notify ready(host, "ready");
//   ready.notify_one();                 // from anywhere
//   co_await ready.notified();          // in a task
//
//   weft::Semaphore db(host, "db");     // declared in weftd.json `semaphores`
//   auto permit = co_await db.acquire(); // released when `permit` is destroyed
//
// Both close their handle when destroyed. notified() and acquire() are cancel-safe.
// Thread-safety: any thread; one object may be shared by tasks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

class Notify {
   public:
    Notify() noexcept = default;
    Notify(const Host& host, std::string_view name) {
        const std::string n(name);
        detail::check(weft_notify_open(host.raw(), n.c_str(), &notify_),
                      ("opening notify '" + n + "'").c_str(), host.api());
    }
    Notify(Notify&& other) noexcept : notify_(std::exchange(other.notify_, nullptr)) {}
    Notify& operator=(Notify&& other) noexcept {
        if (this != &other) {
            close();
            notify_ = std::exchange(other.notify_, nullptr);
        }
        return *this;
    }
    ~Notify() { close(); }

    void notify_one() const noexcept { weft_notify_notify_one(notify_); }
    void notify_waiters() const noexcept { weft_notify_notify_waiters(notify_); }

    class [[nodiscard]] Notified : public Awaitable<Notified> {
       public:
        explicit Notified(weft_notify* notify) noexcept : notify_(notify) {}
        Notified(Notified&& other) noexcept
            : Awaitable<Notified>(other),
              notify_(other.notify_),
              op_(std::exchange(other.op_, nullptr)) {}
        Notified& operator=(Notified&&) = delete;
        ~Notified() { weft_op_cancel(&op_); }
        weft_status poll(weft_context* cx) noexcept {
            return weft_notify_notified(cx, notify_, &op_);
        }
        void await_resume() const {
            if (status_ != WEFT_OK) throw Error(status_, "weft::Notify::notified");
        }

       private:
        weft_notify* notify_;
        weft_op* op_ = nullptr;
    };
    [[nodiscard]] Notified notified() const noexcept { return Notified(notify_); }

    void close() noexcept {
        if (notify_) weft_notify_close(std::exchange(notify_, nullptr));
    }

   private:
    weft_notify* notify_ = nullptr;
};

class Semaphore;

// Permits of a Semaphore, given back when destroyed (or release()d).
class [[nodiscard]] Permit {
   public:
    Permit() noexcept = default;
    Permit(weft_semaphore* semaphore, std::uint32_t n) noexcept : semaphore_(semaphore), n_(n) {}
    Permit(Permit&& other) noexcept
        : semaphore_(std::exchange(other.semaphore_, nullptr)), n_(std::exchange(other.n_, 0)) {}
    Permit& operator=(Permit&& other) noexcept {
        if (this != &other) {
            release();
            semaphore_ = std::exchange(other.semaphore_, nullptr);
            n_ = std::exchange(other.n_, 0);
        }
        return *this;
    }
    ~Permit() { release(); }
    [[nodiscard]] std::uint32_t count() const noexcept { return n_; }
    void release() noexcept {
        if (semaphore_ && n_) weft_semaphore_release(semaphore_, n_);
        semaphore_ = nullptr;
        n_ = 0;
    }

   private:
    weft_semaphore* semaphore_ = nullptr;
    std::uint32_t n_ = 0;
};

class Semaphore {
   public:
    Semaphore() noexcept = default;
    // permits 0: the semaphore must exist (declared in the config or opened before).
    Semaphore(const Host& host, std::string_view name, std::uint32_t permits = 0) {
        const std::string n(name);
        detail::check(weft_semaphore_open(host.raw(), n.c_str(), permits, &semaphore_),
                      ("opening semaphore '" + n + "'").c_str(), host.api());
    }
    Semaphore(Semaphore&& other) noexcept : semaphore_(std::exchange(other.semaphore_, nullptr)) {}
    Semaphore& operator=(Semaphore&& other) noexcept {
        if (this != &other) {
            close();
            semaphore_ = std::exchange(other.semaphore_, nullptr);
        }
        return *this;
    }
    // Permits still held through this handle are given back by the host.
    ~Semaphore() { close(); }

    class [[nodiscard]] Acquire : public Awaitable<Acquire> {
       public:
        Acquire(weft_semaphore* semaphore, std::uint32_t n) noexcept
            : semaphore_(semaphore), n_(n) {}
        Acquire(Acquire&& other) noexcept
            : Awaitable<Acquire>(other),
              semaphore_(other.semaphore_),
              n_(other.n_),
              op_(std::exchange(other.op_, nullptr)) {}
        Acquire& operator=(Acquire&&) = delete;
        ~Acquire() { weft_op_cancel(&op_); }
        weft_status poll(weft_context* cx) noexcept {
            return weft_semaphore_acquire(cx, semaphore_, n_, &op_);
        }
        Permit await_resume() const {
            if (status_ != WEFT_OK) throw Error(status_, "weft::Semaphore::acquire");
            return Permit(semaphore_, n_);
        }

       private:
        weft_semaphore* semaphore_;
        std::uint32_t n_;
        weft_op* op_ = nullptr;
    };
    [[nodiscard]] Acquire acquire(std::uint32_t n = 1) const noexcept {
        return Acquire(semaphore_, n);
    }
    // Permits now, or an empty optional-like Permit (count() == 0) when not enough are free.
    [[nodiscard]] Permit try_acquire(std::uint32_t n = 1) const {
        const weft_status s = weft_semaphore_try_acquire(semaphore_, n);
        if (s == WEFT_OK) return Permit(semaphore_, n);
        if (s == WEFT_ERR_EMPTY) return Permit();
        throw Error(s, "weft::Semaphore::try_acquire");
    }
    [[nodiscard]] std::uint64_t available() const noexcept {
        return weft_semaphore_available(semaphore_);
    }
    void close() noexcept {
        if (semaphore_) weft_semaphore_close(std::exchange(semaphore_, nullptr));
    }

   private:
    weft_semaphore* semaphore_ = nullptr;
};

}  // namespace sdk
}  // namespace weft
