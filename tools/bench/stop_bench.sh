#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How long guard takes from SIGTERM to exit, in the states a hostile host can
# put it in (not a test; root). For each GUARD given (e.g. an old build and
# this one), alternating, ROUNDS times:
#   idle          every family loaded, nothing special
#   reloading     SIGHUP of a 100,000-rule file, SIGTERM 100 ms later (while it compiles)
#   fifo-rules    the rules file replaced by a FIFO, SIGHUP, then SIGTERM
#
#   tools/bench/stop_bench.sh RULES_BENCH ROUNDS GUARD...
# RULES_BENCH: build/tools/bench/rules_bench (writes the big rules file).
set -u
rules_bench=$1 rounds=$2
shift 2
dir=$(mktemp -d /tmp/guard-stop-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$rules_bench" --max 100000 --write "$dir/big.json" >/dev/null
small='{"rules": [{"id": "R", "severity": "low", "events": ["exec"], "match": {"field": "path", "prefix": "/nonexistent/"}}]}'

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# One run: start guard on $dir/rules.json, put it in state $2, SIGTERM, print ms to exit.
run() {
	local guard=$1 state=$2
	rm -f "$dir/rules.json" "$dir/err"
	echo "$small" >"$dir/rules.json"
	chmod 600 "$dir/rules.json"
	"$guard" --rules "$dir/rules.json" --output "$dir/out.jsonl" 2>"$dir/err" &
	local pid=$!
	for _ in $(seq 200); do grep -q attached "$dir/err" 2>/dev/null && break; sleep 0.05; done
	sleep 0.5
	case $state in
	reloading)
		cp "$dir/big.json" "$dir/rules.json.new" && mv "$dir/rules.json.new" "$dir/rules.json"
		kill -HUP "$pid"
		sleep 0.1
		;;
	fifo-rules)
		rm -f "$dir/rules.json" && mkfifo "$dir/rules.json"
		kill -HUP "$pid"
		sleep 0.1
		;;
	esac
	local t0
	t0=$(now_ms)
	kill -TERM "$pid"
	# An old guard may never stop (blocked in open on the FIFO): 10 s, then SIGKILL.
	for _ in $(seq 1000); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		echo "no stop in 10 s"
		return
	fi
	wait "$pid" 2>/dev/null
	echo "$(($(now_ms) - t0)) ms"
	rm -f "$dir/rules.json"
}

for state in idle reloading fifo-rules; do
	for r in $(seq "$rounds"); do
		for g in "$@"; do
			echo "$state $g: $(run "$g" "$state")"
		done
	done
done
