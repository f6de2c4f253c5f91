#!/usr/bin/env bash
# Runs each fuzz target in turn for the given seconds, one process at a
# time, from its committed seeds (fuzz/corpus/<target>, never written to)
# and a working corpus under the build directory that keeps what was
# found between runs.  Prints executions, rate and crashes per target,
# and fails when any target crashed; a crash's input is left in
# <build dir>/crashes/<target>/ to be fixed and then committed as a seed.
#
#   fuzz/run.sh <build dir> <seconds> <target>...
set -uo pipefail

dir=$1 seconds=$2
shift 2

here=$(cd "$(dirname "$0")" && pwd)
total=0 failed=0
report=()

for t in "$@"; do
    seeds=$here/corpus/$t
    work=$dir/corpus/$t
    crashes=$dir/crashes/$t
    log=$dir/log/$t.log
    mkdir -p "$work" "$crashes" "$dir/log"

    args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
          -max_len=65536 -print_final_stats=1
          -artifact_prefix="$crashes/")
    [[ -f $here/$t.dict ]] && args+=(-dict="$here/$t.dict")

    before=$(find "$crashes" -type f | wc -l)
    "$dir/$t" "${args[@]}" "$work" "$seeds" >"$log" 2>&1
    rc=$?
    after=$(find "$crashes" -type f | wc -l)

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" \
            | tail -1)
    time=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
           "$log" | tail -1)
    execs=${execs:-0}
    [[ -n $time && $time -gt 0 ]] || time=$seconds
    crashed=$((after - before))
    if [[ $rc -ne 0 ]]; then
        failed=1
        [[ $crashed -gt 0 ]] || crashed=1
        echo "fuzz: $t failed (exit $rc), see $log" >&2
        grep -m3 -E 'ERROR: |runtime error|SUMMARY' "$log" >&2 || true
    fi
    total=$((total + execs))
    report+=("$(printf '%-16s %12d %10d/s %8d' "$t" "$execs" \
                $((execs / time)) "$crashed")")
done

printf '%-16s %12s %12s %8s\n' target executions rate crashes
printf '%s\n' "${report[@]}"
printf '%-16s %12d\n' total "$total"

exit $failed
