// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/per_cpu_map.h"

#include <linux/bpf.h>

#include <cerrno>
#include <string>
#include <vector>

#include "base/cpus.h"
#include "base/error.h"
#include "loader/bpf_syscall.h"

namespace guard {

uint64_t per_cpu_sum(int map_fd, uint32_t key)
{
	std::vector<uint64_t> per_cpu(possible_cpus());
	union bpf_attr attr {};
	attr.map_fd = static_cast<uint32_t>(map_fd);
	attr.key = reinterpret_cast<uint64_t>(&key);
	attr.value = reinterpret_cast<uint64_t>(per_cpu.data());
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, attr) != 0)
		fail(errno_message("BPF_MAP_LOOKUP_ELEM per-CPU key " + std::to_string(key), errno));
	uint64_t total = 0;
	for (uint64_t n : per_cpu)
		total += n;
	return total;
}

} // namespace guard
