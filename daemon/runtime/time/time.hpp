// weft time: sleep, sleep_until, interval, timeout and the paused test clock, in one include.
// See each header for the details; Instant is std::chrono::steady_clock::time_point.
#pragma once

#include "runtime/time/instant.hpp"
#include "runtime/time/interval.hpp"
#include "runtime/time/pause.hpp"
#include "runtime/time/sleep.hpp"
#include "runtime/time/timeout.hpp"
