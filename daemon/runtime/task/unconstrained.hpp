// unconstrained(task): runs `task` without the coop budget, so its operations never yield just
// because the budget is spent (Tokio's task::unconstrained). Use it sparingly: a task that loops
// over always-ready resources inside it can starve the others on its worker.
//
// The inner coroutine is driven inline (task/inline_task.hpp); each poll lifts the budget around
// it and restores it afterwards.
#pragma once

#include <cstdint>
#include <utility>

#include "runtime/coop/budget.hpp"
#include "runtime/task/inline_task.hpp"
#include "runtime/task/pollable.hpp"
#include "runtime/task/task.hpp"

namespace weft {

template <class T>
class [[nodiscard]] Unconstrained : public Pollable<Unconstrained<T>> {
   public:
    explicit Unconstrained(Task<T> inner) : inner_(std::move(inner)) {}

    bool poll(Context& cx) noexcept {
        auto& t = detail::tls();
        const std::uint32_t saved_budget = std::exchange(t.budget, coop::kUnconstrained);
        bool done = inner_.poll(cx);
        t.budget = saved_budget;
        return done;
    }
    T await_resume() { return inner_.await_resume(); }

   private:
    task::InlineTask<T> inner_;
};

template <class T>
[[nodiscard]] Unconstrained<T> unconstrained(Task<T> task) {
    return Unconstrained<T>(std::move(task));
}

}  // namespace weft
