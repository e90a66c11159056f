// Context: what a poll is given, as Rust's `std::task::Context`: the waker of the task being
// polled. It is borrowed for the duration of one poll; keep a clone to wake later.
#pragma once

#include "runtime/task/waker.hpp"

namespace weft {

class Context {
   public:
    explicit Context(WakerRef waker) noexcept : waker_(waker) {}
    [[nodiscard]] const WakerRef& waker() const noexcept { return waker_; }

   private:
    WakerRef waker_;
};

}  // namespace weft
