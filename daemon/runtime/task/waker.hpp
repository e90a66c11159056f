// Waker: a counted, type-erased handle that makes some suspended computation runnable again.
//
// It is the C++ image of Rust's `Waker`: a data pointer plus a table of four functions. For a
// runtime task the data is the task header and every live Waker holds one reference to it; other
// kinds (a thread parker for block_on, a plugin's foreign waker) supply their own table.
//
// Thread-safety: a Waker may be moved to, woken from and dropped on any thread. One Waker object
// is not itself synchronised: two threads must not mutate the same object at once.
#pragma once

#include <utility>

namespace weft {

struct WakerVTable {
    // Returns the data of a new reference to the same wakeable (usually the same pointer).
    const void* (*clone)(const void* data) noexcept;
    // Wakes and consumes the reference.
    void (*wake)(const void* data) noexcept;
    // Wakes and keeps the reference.
    void (*wake_by_ref)(const void* data) noexcept;
    // Releases the reference without waking.
    void (*drop)(const void* data) noexcept;
};

class Waker {
   public:
    Waker() noexcept = default;
    // Adopts one reference to `data`.
    Waker(const void* data, const WakerVTable* vtable) noexcept : data_(data), vtable_(vtable) {}

    Waker(const Waker& other) noexcept
        : data_(other.vtable_ ? other.vtable_->clone(other.data_) : nullptr),
          vtable_(other.vtable_) {}
    Waker(Waker&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)),
          vtable_(std::exchange(other.vtable_, nullptr)) {}
    Waker& operator=(const Waker& other) noexcept {
        if (this != &other) *this = Waker(other);
        return *this;
    }
    Waker& operator=(Waker&& other) noexcept {
        if (this != &other) {
            reset();
            data_ = std::exchange(other.data_, nullptr);
            vtable_ = std::exchange(other.vtable_, nullptr);
        }
        return *this;
    }
    ~Waker() { reset(); }

    // Wakes the target and leaves this Waker empty.
    void wake() noexcept {
        if (vtable_) {
            auto* vt = std::exchange(vtable_, nullptr);
            vt->wake(std::exchange(data_, nullptr));
        }
    }
    void wake_by_ref() const noexcept {
        if (vtable_) vtable_->wake_by_ref(data_);
    }
    // True when waking either would wake the same target, so re-registration can be skipped.
    [[nodiscard]] bool will_wake(const Waker& other) const noexcept {
        return data_ == other.data_ && vtable_ == other.vtable_;
    }
    [[nodiscard]] explicit operator bool() const noexcept { return vtable_ != nullptr; }
    void reset() noexcept {
        if (vtable_) std::exchange(vtable_, nullptr)->drop(std::exchange(data_, nullptr));
    }

    [[nodiscard]] const void* data() const noexcept { return data_; }
    [[nodiscard]] const WakerVTable* vtable() const noexcept { return vtable_; }

   private:
    const void* data_ = nullptr;
    const WakerVTable* vtable_ = nullptr;
};

// A borrowed waker: valid only while the poll that produced it runs. `clone()` makes an owned one.
class WakerRef {
   public:
    WakerRef(const void* data, const WakerVTable* vtable) noexcept : data_(data), vtable_(vtable) {}
    [[nodiscard]] Waker clone() const noexcept { return Waker(vtable_->clone(data_), vtable_); }
    void wake_by_ref() const noexcept { vtable_->wake_by_ref(data_); }
    [[nodiscard]] bool will_wake(const Waker& w) const noexcept {
        return w.data() == data_ && w.vtable() == vtable_;
    }
    // Replaces `slot` by a clone of this waker unless it already wakes the same target.
    void store_into(Waker& slot) const noexcept {
        if (!will_wake(slot)) slot = clone();
    }

   private:
    const void* data_;
    const WakerVTable* vtable_;
};

}  // namespace weft
