/* SPDX-License-Identifier: GPL-2.0-or-later */
// One attachment of a loaded program, owned: closing it detaches. For the
// kinds that attach through a perf event (tracepoint, kprobe, uprobe) the
// event is kept beside the BPF link: the link holds the event until it is
// closed, and closing the event last is what frees the probe.
#pragma once

#include <linux/bpf.h>

#include <string>

#include "base/fd.h"

namespace guard {

class Link {
public:
	std::string program; // the program's name
	std::string target;  // "sched/sched_process_exec", "do_unlinkat", "/usr/bin/bash:readline"
	Fd perf_event;       // invalid for the kinds without one (raw_tp, tp_btf, fentry, lsm)
	Fd link;             // invalid when attached through the older ioctl

	// What the kernel says about the link (BPF_OBJ_GET_INFO_BY_FD): its id,
	// type (BPF_LINK_TYPE_*) and program id. Throws Error without a link.
	struct bpf_link_info info() const;
	// Detaches now: the link first, then the perf event.
	void close();
};

} // namespace guard
