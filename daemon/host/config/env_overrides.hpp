// Environment variables that override the file, as TOKIO_WORKER_THREADS does for Tokio: an
// operator can retune one run without editing the file.
//
//   WEFT_WORKER_THREADS        runtime.worker_threads
//   WEFT_MAX_BLOCKING_THREADS  runtime.max_blocking_threads
//   WEFT_FLAVOR                runtime.flavor
//   WEFT_LOG_LEVEL             log.level
//   WEFT_ADMIN_SOCKET          admin.socket
//
// An empty value counts as unset, so `WEFT_LOG_LEVEL= weftd run ...` means "use the file".
#pragma once

#include "host/config/config.hpp"
#include "host/config/json_reader.hpp"

namespace weft::host {

// Errors are reported with the variable's name as their path.
void apply_env_overrides(Config& config, const EnvLookup& env, Diagnostics& diag);

}  // namespace weft::host
