// weft/plugin.hpp: the C++20 plugin SDK, header-only, over the C ABI of weft/plugin.h.
//
// A plugin is a class derived from weft::Plugin, exported with WEFT_PLUGIN; its work is
// coroutines (weft::Task) spawned on the host's runtime, which await host operations:
//
//   #include <weft/plugin.hpp>
//   using namespace std::chrono_literals;
//
//   class Echo : public weft::Plugin {
//      public:
//       explicit Echo(const weft::PluginContext& ctx) : Plugin(ctx) {}
//       void start() override { spawn(run()); }
//
//      private:
//       weft::Task<> run() {
//           weft::Receiver<std::string> in(host(), "requests", weft::ChannelKind::mpsc, 16);
//           weft::Sender<std::string> out(host(), "replies", weft::ChannelKind::broadcast, 16);
//           while (!shutdown().is_requested()) {
//               auto text = co_await weft::timeout(1s, in.recv());  // empty: a second passed
//               if (!text) continue;
//               if (!*text) break;                                  // the channel closed
//               co_await out.send(**text);
//           }
//       }
//   };
//   WEFT_PLUGIN(Echo, "echo", "1.0.0")
//
// What is where:
//   weft/sdk/task.hpp        Task<T>, spawn, JoinHandle, yield_now, Awaitable (to write your own)
//   weft/sdk/time.hpp        sleep, sleep_until, timeout, timeout_at, Clock
//   weft/sdk/interval.hpp    interval, interval_at, Interval, MissedTickBehavior
//   weft/sdk/select.hpp      first_of, select (the first of any number; the others cancelled)
//   weft/sdk/join.hpp        join, try_join, join_all, try_join_all (several at once, one task)
//   weft/sdk/join_set.hpp    JoinSet<T> (spawned tasks, joined as they finish)
//   weft/sdk/future.hpp      into_future, TaskFuture (how a Task is raced, timed out, joined)
//   weft/sdk/shutdown.hpp    ShutdownToken (is_requested, requested, child_token)
//   weft/sdk/cancellation.hpp CancellationToken (children, drop_guard, run_until_cancelled)
//   weft/sdk/channel.hpp     Sender<T>, Receiver<T>, ChannelKind, Codec<T> (named channels)
//   weft/sdk/oneshot.hpp     oneshot::channel<T> (one value between the plugin's tasks)
//   weft/sdk/sync.hpp        Notify, Semaphore, Permit (named, shared through the host)
//   weft/sdk/mutex.hpp       Mutex<T> (async, for the plugin's own tasks)
//   weft/sdk/rwlock.hpp      RwLock<T> (async, for the plugin's own tasks)
//   weft/sdk/barrier.hpp     Barrier (for the plugin's own tasks)
//   weft/sdk/blocking.hpp    spawn_blocking
//   weft/sdk/net.hpp         Stream, Listener, UdpSocket, resolve (TCP, Unix, UDP; ABI 1.2)
//   weft/sdk/metrics.hpp     Metrics (counters, gauges), state_directory (ABI 1.3)
//   weft/sdk/job.hpp         register_job (task functions weftd.json's jobs run on a schedule)
//   weft/sdk/json.hpp        Json (the plugin's config)
//   weft/sdk/host.hpp        Host, Logger
//   weft/sdk/error.hpp       Error, Lagged
//   weft/sdk/plugin_class.hpp Plugin, PluginContext, WEFT_PLUGIN
//
// The plugin's own primitives (oneshot, Mutex, RwLock, Barrier, CancellationToken, JoinSet) live
// in the plugin and need nothing from the host but wakers: the plugin's tasks may run on several
// workers at once, and these are safe for that; named Notify, Semaphore and channels are the
// host's, shared with other plugins.
//
// Everything lives in namespace weft (an inline namespace `sdk` keeps the SDK's symbols apart
// from the daemon's). Nothing C++ crosses the ABI: every hook and task catches its exceptions.
// Build plugins with hidden visibility (the CMake package's weft_add_plugin does).
#pragma once

#include "weft/plugin.h"
#include "weft/sdk/barrier.hpp"
#include "weft/sdk/blocking.hpp"
#include "weft/sdk/cancellation.hpp"
#include "weft/sdk/channel.hpp"
#include "weft/sdk/error.hpp"
#include "weft/sdk/future.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/interval.hpp"
#include "weft/sdk/job.hpp"
#include "weft/sdk/join.hpp"
#include "weft/sdk/join_set.hpp"
#include "weft/sdk/json.hpp"
#include "weft/sdk/metrics.hpp"
#include "weft/sdk/mutex.hpp"
#include "weft/sdk/net.hpp"
#include "weft/sdk/oneshot.hpp"
#include "weft/sdk/plugin_class.hpp"
#include "weft/sdk/pool.hpp"
#include "weft/sdk/rwlock.hpp"
#include "weft/sdk/select.hpp"
#include "weft/sdk/shutdown.hpp"
#include "weft/sdk/sync.hpp"
#include "weft/sdk/task.hpp"
#include "weft/sdk/time.hpp"
