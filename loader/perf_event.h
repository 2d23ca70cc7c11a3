/* SPDX-License-Identifier: GPL-2.0-or-later */
// What tracepoints, kprobes and uprobes share: a perf event that fires at
// the probe, and the program tied to it (BPF_LINK_CREATE with
// BPF_PERF_EVENT, or before 5.15 the PERF_EVENT_IOC_SET_BPF ioctl).
#pragma once

#include <linux/perf_event.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/fd.h"
#include "loader/link.h"

namespace guard {

// perf_event_open(2) for any process (pid -1) on CPU 0: a probe's program
// runs wherever the probe hits, the CPU only places the event.
Fd open_perf_event(struct perf_event_attr &attr);

// A dynamic PMU's type, the attr.type of its events: the number in
// /sys/bus/event_source/devices/<pmu>/type ("kprobe", "uprobe"). Throws
// NotSupportedByKernel when the kernel has no such PMU.
uint32_t pmu_type(std::string_view pmu);
// The config bit that makes its probe a return probe: "config:N" in
// /sys/bus/event_source/devices/<pmu>/format/retprobe.
uint64_t pmu_retprobe_bit(std::string_view pmu);

// A probe's "function" or "function+offset" (decimal or 0x hex).
struct ProbeTarget {
	std::string function;
	uint64_t offset = 0;
};
ProbeTarget parse_probe_target(std::string_view target);

// Ties the program to the event; the Link owns both.
Link link_perf_event(int prog_fd, Fd event, std::string program, std::string target);

} // namespace guard
