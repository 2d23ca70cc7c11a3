#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each fuzz target for SECONDS on its seeds and on what earlier runs
# kept, as many at once as there are CPUs, and prints one line per target:
# executions, inputs kept, and findings (crashes, leaks, timeouts, sanitizer
# reports; each kept in BUILD/findings). Exits 1 when any target found
# something. With GUARD_TALLY=FILE each target counts as one test (passed:
# no finding).
#
#   test/fuzz/run.sh BUILD SECONDS TARGET...
set -u
build=$1 seconds=$2
shift 2
mkdir -p "$build/findings"

# One target: its summary line into $build/fuzz-TARGET.result.
run_one() {
	local t=$1 corpus="$build/corpus/$1" log="$build/fuzz-$1.log"
	mkdir -p "$corpus"
	local before after rc runs kept
	before=$(ls "$build/findings" | grep -c "^$t-")
	# -rss_limit_mb: the engine's process table maps its arrays up front.
	"$build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$build/findings/$t-" "$corpus" "test/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
	kept=$(ls "$corpus" | wc -l)
	after=$(ls "$build/findings" | grep -c "^$t-")
	{
		echo "fuzz $t: ${runs:-0} executions in $seconds s, corpus $kept inputs, $((after - before)) findings (exit $rc)"
		if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
			grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -n 5
		fi
	} >"$build/fuzz-$t.result"
	[ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]
}

jobs=$(nproc)
running=0
for t in "$@"; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

status=0
for t in "$@"; do
	cat "$build/fuzz-$t.result"
	ok=0
	head -n 1 "$build/fuzz-$t.result" | grep -q " 0 findings (exit 0)$" && ok=1
	[ "$ok" -eq 1 ] || status=1
	if [ -n "${GUARD_TALLY:-}" ]; then
		[ "$ok" -eq 1 ] && echo "1 0 0" >>"$GUARD_TALLY" || echo "0 1 0" >>"$GUARD_TALLY"
	fi
done
exit $status
