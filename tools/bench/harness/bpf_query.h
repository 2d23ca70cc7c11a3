/* SPDX-License-Identifier: GPL-2.0-or-later */
// Looking at the BPF objects another process (the agent) holds, by their
// kernel ids: its programs' run counters and its maps by name.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/fd.h"

namespace bench {

struct ProgCounters {
	std::string name; // bpf_prog_info.name (the first 15 characters)
	uint64_t run_cnt = 0, run_time_ns = 0;
};

// bpf_prog_info of each program id; run_cnt and run_time_ns grow only while
// run-time statistics are on.
std::map<uint32_t, ProgCounters> program_counters(const std::vector<uint32_t> &ids);

// BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): on while the returned fd is open.
guard::Fd enable_run_time_stats();

// An fd for the map called name that process pid holds (/proc/<pid>/fdinfo
// map_id, then BPF_MAP_GET_FD_BY_ID); an invalid Fd when it holds none.
guard::Fd map_held_by(pid_t pid, const std::string &name);

// Sum over CPUs and keys of a per-CPU array of u64 counters.
uint64_t sum_percpu_counters(int map_fd);

} // namespace bench
