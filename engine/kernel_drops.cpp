// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/kernel_drops.h"

#include <linux/bpf.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <vector>

#include "loader/bpf_syscall.h"
#include "loader/error.h"

namespace guard {

uint32_t possible_cpus()
{
	// A list of ranges such as "0-3" or "0,2-5"; the highest CPU + 1 counts.
	std::ifstream in("/sys/devices/system/cpu/possible");
	std::string text;
	if (!std::getline(in, text) || text.empty())
		fail("read /sys/devices/system/cpu/possible: empty or missing");
	uint32_t highest = 0;
	size_t i = 0;
	while (i < text.size()) {
		size_t end = i;
		while (end < text.size() && text[end] >= '0' && text[end] <= '9')
			end++;
		if (end == i)
			fail("read /sys/devices/system/cpu/possible: expected a CPU number at \"" + text.substr(i) + "\"");
		uint32_t cpu = static_cast<uint32_t>(std::stoul(text.substr(i, end - i)));
		highest = cpu > highest ? cpu : highest;
		i = end + 1; // past '-' or ','
	}
	return highest + 1;
}

void read_kernel_drops(const int (&drop_map_fds)[GUARD_RING_COUNT], KernelDrops &out)
{
	// A per-CPU array's lookup fills one 8-byte-aligned slot per possible CPU.
	static const uint32_t cpus = possible_cpus();
	std::vector<uint64_t> per_cpu(cpus);
	out = KernelDrops{};
	for (uint32_t ring = 0; ring < GUARD_RING_COUNT; ring++)
		for (uint32_t kind = 0; kind < GUARD_RECORD_KIND_MAX; kind++) {
			union bpf_attr attr {};
			attr.map_fd = static_cast<uint32_t>(drop_map_fds[ring]);
			attr.key = reinterpret_cast<uint64_t>(&kind);
			attr.value = reinterpret_cast<uint64_t>(per_cpu.data());
			if (sys_bpf(BPF_MAP_LOOKUP_ELEM, attr) != 0)
				fail(errno_message("read kernel drop counters: BPF_MAP_LOOKUP_ELEM " +
							   std::string(ring_name(ring)) + " ring, kind " + std::to_string(kind),
						   errno));
			for (uint64_t n : per_cpu) {
				out.by_kind[kind] += n;
				out.by_ring[ring] += n;
			}
		}
	out.available = true;
}

} // namespace guard
