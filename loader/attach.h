/* SPDX-License-Identifier: GPL-2.0-or-later */
// Attaching loaded programs where their sections say, each kind in its own
// file (attach_tracepoint, attach_kprobe, attach_uprobe,
// attach_raw_tracepoint). The links returned own the attachments.
#pragma once

#include <string>
#include <vector>

#include "loader/collection.h"
#include "loader/link.h"

namespace guard {

// Attaches one program. Throws Error naming the program and target
// (NotSupportedByKernel for what this kernel cannot do: no kprobe PMU); a
// perf_event program is an Error, its perf event being its user's choice.
std::vector<Link> attach_program(const Program &program);

struct Attachments {
	std::vector<Link> links; // closing them detaches
	size_t programs = 0;
};

// Attaches every loaded program (a tracepoint program at each of its
// events this kernel has). Throws at the first failure.
Attachments attach_programs(const Collection &objects);

} // namespace guard
