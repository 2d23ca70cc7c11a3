/* SPDX-License-Identifier: GPL-2.0-or-later */
// Attaching a program to a tracepoint: the tracepoint's id from tracefs, a
// perf event for it (PERF_TYPE_TRACEPOINT), and the program tied to that
// event by a BPF link. A program whose section names several events of its
// group is attached at each, with a perf event each.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loader/link.h"
#include "loader/object_spec.h"

namespace guard {

// Where tracefs is; mounts it at /sys/kernel/tracing when it is not mounted.
std::string tracefs_root();

// The id in <tracefs>/events/<group>/<event>/id.
uint32_t tracepoint_id(std::string_view group, std::string_view event);

// Throws Error: "attach sched/sched_process_exec: ...".
Link attach_tracepoint(int prog_fd, std::string_view group, std::string_view event);

// Some syscalls exist only on some architectures (open, creat, rename,
// fork, ... are x86_64's but not arm64's; fchmodat2 is 6.6+): a tracepoint
// this kernel lacks is skipped, not an error. Names each one on stderr,
// after `who` ("guard"), and returns the tracepoint programs left with
// none: those need not be loaded at all.
std::vector<std::string> programs_without_tracepoints(const ObjectSpec &spec, const char *who);

// Attaches a tracepoint program at each of its events this kernel has.
std::vector<Link> attach_tracepoints(int prog_fd, const ProgramSpec &prog);

} // namespace guard
