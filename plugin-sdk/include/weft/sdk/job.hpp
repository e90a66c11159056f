// weft::register_job: a named task function that weftd.json's `jobs` run on a schedule
// (plugin.h 6.10).
//
//   class Rollup : public weft::Plugin {
//      public:
//       explicit Rollup(const weft::PluginContext& ctx) : Plugin(ctx) {
//           register_job("rollup", [this]() -> weft::Task<> { co_await roll_up(); });
//       }
//   };
//   // weftd.json: "jobs": [{"name": "rollup", "plugin": "rollup", "task": "rollup",
//   //                       "cron": "0 */5 * * * *"}]
//
// Each run calls the function (on a scheduler thread of the host's, never two at once for one
// plugin) and spawns the Task it returns as a task of the plugin, like weft::spawn. An exception
// from the function or the task fails that run: the host logs it with the job's and the plugin's
// names and the job keeps its schedule. Register in the constructor (init) or start(): weftd binds
// the configured jobs once every plugin has started.
//
// Lifetime: the function object is kept by the host until every task of the plugin was dropped,
// then destroyed before the plugin's destructor runs; capturing `this` is safe. Its coroutine
// captures live in the function object, not in the coroutine frame, which is why it must outlive
// every run: the SDK guarantees it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {
namespace detail {

template <class F>
class JobFunction {
   public:
    JobFunction(Host host, std::string name, F fn)
        : host_(host), name_(std::move(name)), fn_(std::move(fn)) {}

    static weft_status c_start(void* self, weft_job_run* run) noexcept {
        return static_cast<JobFunction*>(self)->start(*run);
    }
    static void c_drop(void* self) noexcept {
        std::unique_ptr<JobFunction> owned(static_cast<JobFunction*>(self));
    }

   private:
    weft_status start(weft_job_run& run) noexcept {
        try {
            auto state = std::make_shared<JoinState<void>>();
            auto root = std::make_unique<Root<void>>(host_, fn_(), std::move(state));
            run.poll = &RootBase::c_poll;
            run.drop = &RootBase::c_drop;
            run.state = root.release();  // the host owns it now and drops it through c_drop
            return WEFT_OK;
        } catch (const Error& e) {
            host_.log().error("job task '", name_, "': ", e.what());
            return e.status() < 0 ? e.status() : WEFT_ERR_TASK_FAILED;
        } catch (...) {
            host_.log().error("job task '", name_,
                              "' failed to start: ", describe(std::current_exception()));
            return WEFT_ERR_TASK_FAILED;
        }
    }

    Host host_;
    std::string name_;
    F fn_;
};

}  // namespace detail

// Registers `fn` (callable with no argument, returning weft::Task<>) as the job task `name` of
// the plugin `host` belongs to. Throws Error: WEFT_ERR_EXISTS (the plugin already registered
// `name`), WEFT_ERR_UNSUPPORTED (too late: jobs were bound after every plugin started),
// WEFT_ERR_SHUTDOWN, WEFT_ERR_INVALID_ARGUMENT (empty name). Any thread; typically init or start.
template <class F>
void register_job(const Host& host, std::string_view name, F fn) {
    static_assert(std::is_invocable_r_v<Task<void>, F&>,
                  "weft::register_job: the job function must be callable with no arguments and "
                  "return weft::Task<>");
    using Function = detail::JobFunction<F>;
    std::string owned_name(name);
    auto function = std::make_unique<Function>(host, owned_name, std::move(fn));
    detail::check(weft_job_register(host.raw(), owned_name.c_str(), &Function::c_start,
                                    function.get(), &Function::c_drop),
                  "weft::register_job", host.api());
    (void)function.release();  // the host owns it now and drops it through c_drop
}

}  // namespace sdk
}  // namespace weft
