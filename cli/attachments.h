/* SPDX-License-Identifier: GPL-2.0-or-later */
// Where guard's programs go on this kernel, and what the "attached" line
// says. A program's section names its tracepoints (one, or several that the
// program serves alike); guard attaches it at each with its own perf event.
#pragma once

#include <string>
#include <vector>

#include "loader/collection.h"
#include "loader/object_spec.h"
#include "loader/tracepoint.h"

namespace guard {

// Some syscalls exist only on some architectures (open, creat, rename,
// fork, ... are x86_64's but not arm64's; fchmodat2 is 6.6+): a tracepoint
// this kernel lacks is skipped, not an error. Names each one on stderr,
// after `who` ("guard"), and returns the programs left with none: those
// are not loaded at all.
std::vector<std::string> programs_without_tracepoints(const ObjectSpec &spec, const char *who);

// What guard and its benchmark floor leave out of a load: the programs of
// the families named in disabled (cli/families.h), and those with no
// tracepoint on this kernel (said on stderr after `who`).
std::vector<std::string> programs_to_skip(const ObjectSpec &spec, const std::vector<std::string> &disabled,
					  const char *who);

struct Attachments {
	std::vector<TracepointLink> links; // closing them detaches
	size_t programs = 0;
	std::string families; // "process 11, file 38": tracepoints per family
};

// Attaches every loaded program at each of its tracepoints this kernel has.
// Throws Error naming the program and tracepoint.
Attachments attach_programs(const Collection &objects);

// "46 programs at 74 tracepoints (process 12, file 44, network 16, io_uring 2)"
std::string describe(const Attachments &a);

} // namespace guard
