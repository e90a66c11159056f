// yield_now(): suspends the task once and puts it at the back of the run queue, so every other
// ready task runs first.
#pragma once

#include "runtime/task/pollable.hpp"

namespace weft {

class [[nodiscard]] YieldNow : public Pollable<YieldNow> {
   public:
    bool poll(Context& cx) noexcept {
        if (yielded_) return true;
        yielded_ = true;
        cx.waker().wake_by_ref();
        return false;
    }
    void await_resume() const noexcept {}

   private:
    bool yielded_ = false;
};

[[nodiscard]] inline YieldNow yield_now() noexcept { return {}; }

}  // namespace weft
