// Host function table: the blocking pool (plugin.h 6.4), over weft::spawn_blocking_on.
//
// A job counts as one of its plugin's live tasks from its spawn until its closure is destroyed
// (right after it ran, or unrun when aborted or dropped at shutdown): the plugin's drop function
// runs then, and its library is not unloaded while a job of it may still run. The host keeps a
// record of each job so that cancelling the plugin's tasks also keeps unstarted jobs from
// starting.
#include "host/plugin/blocking_job.hpp"

#include "host/abi/api_support.hpp"
#include "host/plugin/context_impl.hpp"
#include "host/plugin/plugin_instance.hpp"
#include "runtime/blocking/spawn_blocking.hpp"

namespace weft::host {
namespace {

// The closure the pool runs: calls fn(arg), and drop(arg) when destroyed.
class JobClosure {
   public:
    JobClosure(PluginInstance& plugin, weft_blocking_fn fn, void* arg,
               weft_blocking_drop_fn drop) noexcept
        : plugin_(&plugin), fn_(fn), arg_(arg), drop_(drop) {}
    // From here the closure owns `arg` (drop runs when it is destroyed) and counts as a live task.
    void arm() noexcept {
        plugin_->tasks().started();
        plugin_->stats().blocking_queued();
        armed_ = true;
    }
    // Undoes arm() when the job could not be submitted after all: `arg` is the caller's again.
    void disarm() noexcept {
        if (!std::exchange(armed_, false)) return;
        plugin_->stats().blocking_unqueued();
        plugin_->tasks().ended();
    }
    JobClosure(JobClosure&& o) noexcept
        : plugin_(o.plugin_),
          fn_(o.fn_),
          arg_(o.arg_),
          drop_(o.drop_),
          armed_(std::exchange(o.armed_, false)),
          ran_(o.ran_) {}
    JobClosure& operator=(JobClosure&&) = delete;
    ~JobClosure() {
        if (!armed_) return;
        if (!ran_) plugin_->stats().blocking_unqueued();  // dropped before it started
        if (drop_) {
            const CrashScope scope(plugin_->crash_identity(), "blocking job drop",
                                   reinterpret_cast<const void*>(drop_));
            try {
                drop_(arg_);
            } catch (...) {
                plugin_->log().error("a blocking job's drop function threw an exception");
            }
        }
        plugin_->tasks().ended();
    }
    int operator()() {
        const CrashScope scope(plugin_->crash_identity(), "blocking job",
                               reinterpret_cast<const void*>(fn_));
        ran_ = true;
        plugin_->stats().blocking_started();
        // Counted finished however fn_ ends (an exception fails the job: JoinError failed).
        struct Finished {
            PluginInstance* plugin;
            ~Finished() { plugin->stats().blocking_finished(); }
        } const finished{plugin_};
        const weft_status s = fn_(arg_);
        return s == WEFT_PENDING ? WEFT_ERR_PLUGIN : s;
    }

   private:
    PluginInstance* plugin_;
    weft_blocking_fn fn_;
    void* arg_;
    weft_blocking_drop_fn drop_;
    bool armed_ = false;
    bool ran_ = false;  // operator() began: no longer queued
};

class BlockingJobHandle final : public weft_blocking, public OwnedHandle {
   public:
    BlockingJobHandle(PluginInstance& plugin, std::shared_ptr<BlockingRecord> record) noexcept
        : weft_blocking{&host_api()}, plugin_(plugin), record_(std::move(record)) {}
    [[nodiscard]] static BlockingJobHandle& of(weft_blocking* b) noexcept {
        return static_cast<BlockingJobHandle&>(*b);
    }
    [[nodiscard]] const char* handle_kind() const noexcept override { return "blocking job"; }

    weft_status join(Context& cx) noexcept {
        if (outcome_ != WEFT_PENDING) return outcome_;
        if (!record_->job.poll(cx)) return WEFT_PENDING;
        try {
            outcome_ = static_cast<weft_status>(record_->job.take_output());
        } catch (const JoinError& e) {
            outcome_ = e.is_cancelled() ? WEFT_ERR_CANCELLED : WEFT_ERR_TASK_FAILED;
            if (e.is_failed()) plugin_.log().error("a blocking job failed: {}", e.what());
        } catch (...) {
            outcome_ = WEFT_ERR_TASK_FAILED;
        }
        return outcome_;
    }
    void release() noexcept { plugin_.handles().close(this); }

   private:
    PluginInstance& plugin_;
    std::shared_ptr<BlockingRecord> record_;
    weft_status outcome_ = WEFT_PENDING;
};

weft_status blocking_spawn(weft_host* h, weft_blocking_fn fn, void* arg, weft_blocking_drop_fn drop,
                           weft_blocking** join) {
    if (join) *join = nullptr;
    if (!h || !fn) return invalid("weft_blocking_spawn: NULL host or function");
    return guarded([&] {
        auto& plugin = PluginInstance::of(h);
        auto record = std::make_shared<BlockingRecord>();
        // Everything that may fail comes before the submission (see weft_task_spawn).
        BlockingJobHandle* handle = nullptr;
        if (join) {
            auto owned = std::make_unique<BlockingJobHandle>(plugin, record);
            plugin.handles().add(owned.get());
            handle = owned.release();
        }
        JobClosure closure(plugin, fn, arg, drop);
        bool accepted = false;
        try {
            // Counted before it can run; refused once the plugin's tasks are cancelled.
            accepted = plugin.tasks().add_blocking(record, [&] {
                closure.arm();
                record->job = spawn_blocking_on(plugin.runtime(), std::move(closure));
            });
        } catch (...) {
            closure.disarm();  // nothing was submitted
            if (handle) plugin.handles().close(handle);
            throw;
        }
        if (!accepted) {
            if (handle) plugin.handles().close(handle);
            set_last_error("weft_blocking_spawn: plugin '" + plugin.name() +
                           "' is shutting down or failed: no new jobs");
            return WEFT_ERR_SHUTDOWN;
        }
        if (handle) *join = handle;
        return WEFT_OK;
    });
}

weft_status blocking_join(weft_context* c, weft_blocking* b) {
    if (!c || !b) return invalid("weft_blocking_join: NULL argument");
    return BlockingJobHandle::of(b).join(context_of(c).cx);
}

void blocking_release(weft_blocking* b) {
    if (b) BlockingJobHandle::of(b).release();
}

}  // namespace

void fill_blocking_api(weft_host_api& api) noexcept {
    api.blocking_spawn = blocking_spawn;
    api.blocking_join = blocking_join;
    api.blocking_release = blocking_release;
}

}  // namespace weft::host
