/* SPDX-License-Identifier: GPL-2.0-or-later */
// Starting a program from a test: execv with a vector of arguments, in a
// forked child.
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

namespace guard::test {

// In a forked child: execv(argv[0], argv), or exit 127 as a shell would.
[[noreturn]] inline void exec_or_die(std::vector<std::string> argv_s)
{
	std::vector<char *> argv;
	for (auto &a : argv_s)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	::execv(argv[0], argv.data());
	_exit(127);
}

} // namespace guard::test
