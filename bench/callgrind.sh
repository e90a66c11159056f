#!/usr/bin/env bash
# Instruction counts per operation of weft-bench under valgrind/callgrind: the method of the
# Tokio anchor's callgrind.sh, so the two tables compare like for like. Far more stable than
# wall-clock time on a noisy machine without hardware counters.
#
#   bench/callgrind.sh [WEFT_BENCH_BINARY]     (default: build/bench/bench/weft-bench)
#
# For each workload it runs the binary twice under callgrind, at --scale S1 and S2, and reports
# the marginal instructions per op:
#     (Ir(S2) - Ir(S1)) / (ops(S2) - ops(S1))
# which cancels process start-up and runtime construction.
#
# Knobs (environment): FLAVOR=current_thread|multi_thread (default current_thread; under
# valgrind threads are serialised, so multi_thread counts depend on its scheduling), THREADS=2,
# S1=0.01, S2=0.02, WORKLOADS="..." (default: every workload of `weft-bench list`).
# Requires valgrind and a Release build (the bench preset).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-build/bench/bench/weft-bench}"
[ -x "$BIN" ] || {
    echo "callgrind.sh: $BIN is not an executable (cmake --preset bench && cmake --build --preset bench)" >&2
    exit 2
}
command -v valgrind >/dev/null || {
    echo "callgrind.sh: valgrind is not installed" >&2
    exit 2
}
FLAVOR="${FLAVOR:-current_thread}"
THREADS="${THREADS:-2}"
S1="${S1:-0.01}"
S2="${S2:-0.02}"
WORKLOADS="${WORKLOADS:-$("$BIN" list)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# prints "<Ir> <ops>"
measure() {
    local w="$1" s="$2" out ir ops
    out="$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
        "$BIN" "$w" --flavor "$FLAVOR" --threads "$THREADS" --scale "$s" 2>"$tmp/err")"
    ir="$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$tmp/err")"
    ops="$(echo "$out" | sed -n 's/.*"ops":\([0-9]*\).*/\1/p')"
    echo "$ir $ops"
}

echo "| workload | flavor | Ir @scale $S1 | Ir @scale $S2 | marginal Ir/op |"
echo "|---|---|---:|---:|---:|"
for w in $WORKLOADS; do
    read -r ir1 ops1 < <(measure "$w" "$S1")
    read -r ir2 ops2 < <(measure "$w" "$S2")
    per="$(awk -v a="$ir1" -v b="$ir2" -v x="$ops1" -v y="$ops2" \
        'BEGIN { if (y > x) printf "%.0f", (b - a) / (y - x); else print "n/a" }')"
    echo "| $w | $FLAVOR | $ir1 | $ir2 | $per |"
done
