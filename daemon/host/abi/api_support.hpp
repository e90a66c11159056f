// The ABI floor: helpers every host ABI call uses (plugin/api_*.cpp, registry/, jobs/).
//
//   - last_error: the thread-local message behind weft_last_error().
//   - guarded(): the exception boundary every table entry goes through: nothing thrown by the
//     host or the runtime crosses into a plugin; it becomes a status and a last_error message.
//   - OpBase: the host's weft_op, the state of one pending operation in a plugin's slot. Each
//     operation kind derives from it; a slot holding another kind is refused (a plugin bug
//     reported as WEFT_ERR_INVALID_ARGUMENT, never undefined behaviour).
#pragma once

#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "host/abi/abi_objects.hpp"
#include "runtime/task/context.hpp"

namespace weft::host {

void set_last_error(std::string message) noexcept;
void clear_last_error() noexcept;
[[nodiscard]] const char* last_error() noexcept;

template <class F>
[[nodiscard]] weft_status guarded(F&& f) noexcept {
    try {
        return f();
    } catch (const std::bad_alloc&) {
        set_last_error("out of memory");
        return WEFT_ERR_NO_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(std::string("internal error: ") + e.what());
        return WEFT_ERR_INTERNAL;
    } catch (...) {
        set_last_error("internal error: unknown exception");
        return WEFT_ERR_INTERNAL;
    }
}

// Reports a misuse by the plugin: sets the message, returns WEFT_ERR_INVALID_ARGUMENT.
[[nodiscard]] weft_status invalid(std::string message) noexcept;

enum class OpKind : unsigned char {
    sleep,
    shutdown_wait,
    send,
    recv,
    notified,
    acquire,
    tcp_connect,  // ABI 1.2 (api_net.cpp)
    unix_connect,
    resolve,
    pool_acquire  // ABI 1.3 (api_pools.cpp)
};

class OpBase : public weft_op {
   public:
    explicit OpBase(OpKind kind) noexcept : weft_op{&host_api()}, kind_(kind) {}
    OpBase(const OpBase&) = delete;
    OpBase& operator=(const OpBase&) = delete;
    virtual ~OpBase() = default;
    [[nodiscard]] OpKind kind() const noexcept { return kind_; }

   private:
    OpKind kind_;
};

// The operation in `slot` as Op, or nullptr if the slot holds another kind.
template <class Op>
[[nodiscard]] Op* op_cast(weft_op* slot) noexcept {
    auto* base = static_cast<OpBase*>(slot);
    return base->kind() == Op::kKind ? static_cast<Op*>(base) : nullptr;
}

// Ends the operation in *slot: frees it and empties the slot.
inline void finish_op(weft_op** slot) noexcept {
    delete static_cast<OpBase*>(*slot);
    *slot = nullptr;
}

// One poll of the operation in *slot, started by `make()` (returning std::unique_ptr<Op>) when
// the slot is empty. Op provides `weft_status poll(Context&) noexcept`. Anything but
// WEFT_PENDING ends the operation and empties the slot.
template <class Op, class Make>
[[nodiscard]] weft_status poll_op(Context& cx, weft_op** slot, const char* what, Make&& make) {
    Op* op = nullptr;
    if (*slot == nullptr) {
        auto owned = make();
        op = owned.get();
        *slot = owned.release();
    } else if ((op = op_cast<Op>(*slot)) == nullptr) {
        return invalid(std::string(what) +
                       ": the operation slot holds another operation (slots must start NULL "
                       "and belong to one call site)");
    }
    const weft_status status = op->poll(cx);
    if (status != WEFT_PENDING) finish_op(slot);
    return status;
}

}  // namespace weft::host
