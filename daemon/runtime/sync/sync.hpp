// weft::sync: everything the runtime offers to synchronise tasks, as Tokio's `tokio::sync`.
//   Notify, Semaphore, Mutex, RwLock, Barrier, CancellationToken,
//   oneshot, mpsc (bounded, unbounded), mpmc, watch, broadcast.
// JoinSet lives with the tasks: runtime/task/join_set.hpp.
#pragma once

#include "runtime/sync/barrier.hpp"
#include "runtime/sync/broadcast.hpp"
#include "runtime/sync/cancellation_token.hpp"
#include "runtime/sync/mpmc.hpp"
#include "runtime/sync/mpsc.hpp"
#include "runtime/sync/mutex.hpp"
#include "runtime/sync/notify.hpp"
#include "runtime/sync/oneshot.hpp"
#include "runtime/sync/rwlock.hpp"
#include "runtime/sync/semaphore.hpp"
#include "runtime/sync/watch.hpp"
