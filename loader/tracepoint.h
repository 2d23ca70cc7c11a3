/* SPDX-License-Identifier: GPL-2.0-or-later */
// Attaching a program to a tracepoint: the tracepoint's id from tracefs, a
// perf event for it, and the program tied to that event by a BPF link.
// Closing the link's and the event's fds detaches the program.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/fd.h"

namespace guard {

// Where tracefs is; mounts it at /sys/kernel/tracing when it is not mounted.
std::string tracefs_root();

// The id in <tracefs>/events/<group>/<event>/id.
uint32_t tracepoint_id(std::string_view group, std::string_view event);

class TracepointLink {
public:
	std::string group, event;
	Fd perf_event;
	Fd link; // invalid when attached through the older ioctl
};

// Throws Error: "attach sched/sched_process_exec: ...".
TracepointLink attach_tracepoint(int prog_fd, std::string_view group, std::string_view event);

} // namespace guard
