#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every test binary and ends with one line "N passed, N failed" that
# counts every test case. End-to-end tests need root (they load BPF programs);
# without root they are reported as skipped. With GUARD_TALLY=FILE (CI, which
# runs several builds and prints the one total line itself) the counts are
# added to FILE as "passed failed skipped" and the last line says them in
# other words. With GUARD_FAILURES=FILE each failed check is added to FILE as
# "binary: test case: file:line: what failed", so that CI can say them again
# at the end of a long log.
set -u
build=${BUILD:-build}
passed=0 failed=0 skipped=0 status=0

# doctest prints a failure as "TEST CASE:  <name>" and, below it,
# "<file>:<line>: ERROR: ..." (or FATAL ERROR, or a crash's "TEST CASE FAILED").
failures_of() {
	local name=$1 log=$2
	[ -n "${GUARD_FAILURES:-}" ] || return 0
	awk -v bin="$name" '
		/^TEST CASE: / { sub(/^TEST CASE: +/, ""); test_case = $0; next }
		/: (FATAL )?ERROR: |^  TEST CASE FAILED!/ { print bin ": " test_case ": " $0; error_at = NR }
		/^  values: / && error_at == NR - 1 { print "    " $0 }
	' "$log" >>"$GUARD_FAILURES"
}

run() {
	local name=$1 log
	log=$(mktemp)
	echo "== $name"
	# Into a file, not through a pipe: a process a failed test left behind
	# must not keep this script waiting for the pipe's end.
	"$build/test/$name" >"$log" 2>&1
	local rc=$?
	cat "$log"
	failures_of "$build/test/$name" "$log"
	# doctest: "[doctest] test cases: 12 | 11 passed | 1 failed | 0 skipped"
	local line
	line=$(grep '^\[doctest\] test cases:' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: no doctest summary (crashed?), exit $rc"
		[ -n "${GUARD_FAILURES:-}" ] && echo "$name: no doctest summary (crashed?), exit $rc" >>"$GUARD_FAILURES"
		failed=$((failed + 1))
		status=1
	else
		passed=$((passed + $(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")))
		failed=$((failed + $(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")))
		[ "$rc" -ne 0 ] && status=1
	fi
	rm -f "$log"
}

run unit_tests
if [ "$(id -u)" = 0 ]; then
	run e2e_tests
else
	n=$("$build/test/e2e_tests" --count 2>/dev/null | sed -nE 's/.*unskipped test cases passing the current filters: ([0-9]+).*/\1/p')
	skipped=${n:-0}
	echo "e2e_tests: skipped (needs root to load BPF programs)"
fi

if [ -n "${GUARD_TALLY:-}" ]; then
	echo "$passed $failed $skipped" >>"$GUARD_TALLY"
	echo "$build: $((passed + failed)) test cases: $passed ok, $failed not ok, $skipped skipped"
elif [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit $status
