#!/usr/bin/env bash
# Runs each fuzz target for SECONDS on its seeds and on what earlier runs
# kept, and prints one line per target: executions, new inputs kept, and
# findings (crashes, leaks, timeouts, sanitizer reports; each kept in
# BUILD/findings). Exits 1 when any target found something. With
# GUARD_TALLY=FILE each target counts as one test (passed: no finding).
#
#   test/fuzz/run.sh BUILD SECONDS TARGET...
set -u
build=$1 seconds=$2
shift 2
status=0
mkdir -p "$build/findings"
for t in "$@"; do
	corpus="$build/corpus/$t"
	mkdir -p "$corpus"
	log="$build/fuzz-$t.log"
	before=$(ls "$build/findings" | grep -c "^$t-" || true)
	# -rss_limit_mb: the engine's process table maps its arrays up front.
	"$build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$build/findings/$t-" "$corpus" "test/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
	kept=$(ls "$corpus" | wc -l)
	after=$(ls "$build/findings" | grep -c "^$t-" || true)
	found=$((after - before))
	echo "fuzz $t: ${runs:-0} executions in $seconds s, corpus $kept inputs, $found findings (exit $rc)"
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		status=1
		grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -n 5
	fi
	if [ -n "${GUARD_TALLY:-}" ]; then
		[ "$rc" -eq 0 ] && [ "$found" -eq 0 ] && echo "1 0 0" >>"$GUARD_TALLY" || echo "0 1 0" >>"$GUARD_TALLY"
	fi
done
exit $status
