#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# startup_compare.sh A B [RUNS]: the start-up of two guard binaries (say the
# dynamic ./guard and the static build-static/guard), measured in one run,
# alternating A, B, A, B, ... so that a shared machine's drift hits both
# alike. As root. For each binary, the median and min..max over RUNS of:
#   exec  `guard --version`: the process's own start (loader, libraries,
#         static constructors) and exit, nothing of BPF;
#   attached  exec to guard's "attached" line on stderr, seen from outside;
#   reported  the start-up guard reports in that line ("in N ms").
set -euo pipefail
a=$1 b=$2 runs=${3:-21}
declare -A samples

now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# One run of binary $2 as label $1: appends to samples.
run_once() {
	local label=$1 bin=$2 t0 t1 line reported=
	t0=$(now_us)
	"$bin" --version >/dev/null
	t1=$(now_us)
	samples[$label.exec]+="$(((t1 - t0)))"$'\n'
	t0=$(now_us)
	coproc GUARD { exec "$bin" --output /dev/null 2>&1; }
	while IFS= read -r line <&"${GUARD[0]}"; do
		if [[ $line == *"guard: attached "* ]]; then
			t1=$(now_us)
			reported=$(sed -E 's/.* in ([0-9]+) ms.*/\1/' <<<"$line")
			break
		fi
	done
	kill -INT "$GUARD_PID"
	wait "$GUARD_PID" || true
	if [ -z "$reported" ]; then
		echo "startup_compare: $bin did not attach" >&2
		exit 1
	fi
	samples[$label.attached]+="$(((t1 - t0)))"$'\n'
	samples[$label.reported]+="$((reported * 1000))"$'\n'
}

# "median (min .. max)" in ms of the microsecond samples of $1.
summary() {
	sort -n <<<"${samples[$1]%$'\n'}" | awk '{v[NR] = $1} END {
		printf "%.2f (%.2f .. %.2f) ms", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'
}

median() { sort -n <<<"${samples[$1]%$'\n'}" | awk '{v[NR] = $1} END { print v[int((NR + 1) / 2)] }'; }

run_once warmup.a "$a"
run_once warmup.b "$b"
for ((i = 0; i < runs; i++)); do
	run_once a "$a"
	run_once b "$b"
done
echo "runs: $runs each, alternating; A = $a ($(stat -c %s "$a") bytes), B = $b ($(stat -c %s "$b") bytes)"
printf '| measure | A | B | B / A |\n|---|---|---|---|\n'
for m in exec attached reported; do
	printf '| %s | %s | %s | %s |\n' "$m" "$(summary a.$m)" "$(summary b.$m)" \
		"$(awk -v x="$(median a.$m)" -v y="$(median b.$m)" 'BEGIN { printf "%.2f", y / x }')"
done
