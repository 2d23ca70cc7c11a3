// SPDX-License-Identifier: GPL-2.0-or-later
// Rules compile benchmark (not a test): how long validating and compiling a
// rules file of N rules takes, for growing N, so that the shape shows
// (linear: each doubling doubles the time). The rules are generated
// (synthetic/many_rules.h).
//
//   rules_bench [--max N] [--write FILE]
//
// --write saves the largest file (for `guard rules check` or a reload).
// Prints one line per size: "N rules: S s (T us/rule)".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "rules/rules_file.h"
#include "synthetic/many_rules.h"

int main(int argc, char **argv)
{
	size_t max = 100000;
	const char *write_to = nullptr;
	for (int i = 1; i < argc; i++) {
		if (!std::strcmp(argv[i], "--max") && i + 1 < argc)
			max = std::strtoull(argv[++i], nullptr, 10);
		else if (!std::strcmp(argv[i], "--write") && i + 1 < argc)
			write_to = argv[++i];
		else {
			std::fprintf(stderr, "usage: rules_bench [--max N] [--write FILE]\n");
			return 2;
		}
	}
	for (size_t n = max / 16; n <= max; n *= 2) {
		std::string text = guard::synthetic::many_rules(n);
		auto start = std::chrono::steady_clock::now();
		auto loaded = guard::rules::compile_rules_text(text, "bench.json");
		double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		std::printf("%zu rules (%zu KiB): %.3f s (%.2f us/rule)\n", loaded.set->rules.size(), text.size() / 1024, s,
			    s * 1e6 / double(n));
		if (n == max && write_to)
			std::ofstream(write_to) << text;
		if (n == max)
			break;
		if (n * 2 > max)
			n = max / 2;
	}
	return 0;
}
