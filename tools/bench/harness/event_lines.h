/* SPDX-License-Identifier: GPL-2.0-or-later */
// Reading guard's NDJSON output the way the harness needs it, fast enough for
// files of gigabytes: which process each event belongs to, when the kernel
// saw it (boot_ns), and what the health records say about drops. Only the
// first few hundred bytes of a line are searched: guard writes its context
// fields (type, time, boot_ns, pid, ...) first, and a quote inside a string
// value is always escaped, so `"pid":` cannot be faked by a path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace bench {

// The unsigned integer after "key": in line, if any.
bool find_uint(std::string_view line, std::string_view key, uint64_t &value);

struct LineFacts {
	uint32_t pid = 0;
	uint32_t ppid = 0;      // 0 when the line has none
	uint32_t child_pid = 0; // fork lines: the new process
	uint64_t boot_ns = 0;
	bool health = false;
};
// False for a line that is neither an event nor a health record.
bool line_facts(std::string_view line, LineFacts &facts);

// Health records' userspace drop counters ("userspace_drops").
struct Drops {
	bool reported = false;     // some health record carried them
	uint64_t user = 0;         // records the engine could not decode
	uint64_t output_bytes = 0; // bytes of output it could not write
};

struct EventCounts {
	uint64_t lines = 0;
	uint64_t health_lines = 0;
	std::unordered_map<uint64_t, uint64_t> by_pid_ppid; // lines per (pid << 32 | ppid)
	std::unordered_map<uint32_t, uint32_t> parent_of;   // from fork lines: child pid -> pid
	Drops drops;

	// Events caused by process pid or by its children (the exec workload's):
	// lines whose pid is it, whose ppid is it, or whose pid it forked.
	uint64_t of(uint32_t pid) const;
};

// Counts the lines of path from byte `from` up to byte `to`.
EventCounts count_events(const std::string &path, uint64_t from = 0, uint64_t to = UINT64_MAX);

// Adds one line's facts to counts.
void count_line(std::string_view line, EventCounts &counts);

} // namespace bench
