#!/usr/bin/env bash
# Runs one libFuzzer target of the `fuzz` preset for a bounded time, starting from its committed
# seed corpus, and prints its figures (executions, speed, coverage). Exits non-zero on a crash.
#
#   cmake --preset fuzz && cmake --build --preset fuzz      # once
#   tests/fuzz/run.sh TARGET [SECONDS]                     # TARGET: config, cron, admin_http,
#                                                          # plugin_descriptor; default 60 s
#
# The committed corpus (tests/fuzz/TARGET/corpus/) is only read; inputs that reach new code go to
# build/fuzz/corpus/TARGET/, kept between runs, so a long run continues where the last one ended.
# A crash leaves its input in build/fuzz/crashes/ (the log says which file); replay it with
# `build/fuzz/tests/fuzz/fuzz_TARGET FILE`, fix it, and add it to the target's regression test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

target=${1:?usage: tests/fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-60}
binary=build/fuzz/tests/fuzz/fuzz_$target
if [ ! -x "$binary" ]; then
    echo "run.sh: $binary is missing: cmake --preset fuzz && cmake --build --preset fuzz" >&2
    exit 2
fi
work=build/fuzz/corpus/$target
log=build/fuzz/$target.log
mkdir -p "$work" build/fuzz/crashes

status=0
# -timeout: an input that takes 10 s is a hang to report; -rss_limit_mb: a memory blow-up is too.
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/crashes/ "$work" "tests/fuzz/$target/corpus" \
    >"$log" 2>&1 || status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
echo "fuzz_$target: ${runs:-?} executions in ${seconds} s (${speed:-?}/s), ${cov:-cov: ?}," \
    "corpus $(find "$work" -type f | wc -l) inputs"
if [ "$status" -ne 0 ]; then
    echo "fuzz_$target FAILED (exit $status); the end of $log:" >&2
    tail -n 60 "$log" >&2
fi
exit "$status"
