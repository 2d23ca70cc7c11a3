// SPDX-License-Identifier: GPL-2.0-or-later
// A function for test/fixtures/program_types.bpf.c's uprobes to hit:
// `uprobe_target N` calls guard_uprobe_target N times, then exits 0.
#include <stdlib.h>

// noinline and used: a real function with a symbol of its own, called N
// times rather than folded into main.
__attribute__((noinline, used)) int guard_uprobe_target(int i)
{
	__asm__ volatile("" ::: "memory");
	return i + 1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int sum = 0;
	for (int i = 0; i < n; i++)
		sum += guard_uprobe_target(i);
	return sum == n * (n + 1) / 2 ? 0 : 1;
}
