// weft::sync::mpsc: multi-producer, single-consumer channels (Tokio's `sync::mpsc`).
//   channel<T>(capacity)   bounded: send() waits for capacity (mpsc/bounded.hpp)
//   unbounded_channel<T>() send() never waits (mpsc/unbounded.hpp)
// Both are built on a lock-free list of 64-slot blocks (mpsc/list.hpp, mpsc/chan.hpp).
#pragma once

#include "runtime/sync/mpsc/bounded.hpp"
#include "runtime/sync/mpsc/unbounded.hpp"
