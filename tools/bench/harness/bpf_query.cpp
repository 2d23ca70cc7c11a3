// SPDX-License-Identifier: GPL-2.0-or-later
#include "tools/bench/harness/bpf_query.h"

#include <linux/bpf.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "loader/bpf_syscall.h"
#include "loader/per_cpu_map.h"

namespace bench {

namespace {

template <class Info>
Info object_info(int fd)
{
	Info info {};
	union bpf_attr get {};
	get.info.bpf_fd = static_cast<uint32_t>(fd);
	get.info.info_len = sizeof(info);
	get.info.info = reinterpret_cast<uint64_t>(&info);
	if (guard::sys_bpf(BPF_OBJ_GET_INFO_BY_FD, get) != 0)
		guard::fail(guard::errno_message("BPF_OBJ_GET_INFO_BY_FD", errno));
	return info;
}

} // namespace

std::map<uint32_t, ProgCounters> program_counters(const std::vector<uint32_t> &ids)
{
	std::map<uint32_t, ProgCounters> out;
	for (uint32_t id : ids) {
		union bpf_attr attr {};
		attr.prog_id = id;
		long fd = guard::sys_bpf(BPF_PROG_GET_FD_BY_ID, attr);
		if (fd < 0)
			guard::fail(guard::errno_message("BPF_PROG_GET_FD_BY_ID " + std::to_string(id), errno));
		guard::Fd prog(static_cast<int>(fd));
		auto info = object_info<struct bpf_prog_info>(prog.get());
		out[id] = {info.name, info.run_cnt, info.run_time_ns};
	}
	return out;
}

guard::Fd enable_run_time_stats()
{
	union bpf_attr attr {};
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	long fd = guard::sys_bpf(BPF_ENABLE_STATS, attr);
	if (fd < 0)
		guard::fail(guard::errno_message("BPF_ENABLE_STATS", errno));
	return guard::Fd(static_cast<int>(fd));
}

guard::Fd map_held_by(pid_t pid, const std::string &name)
{
	for (const auto &entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo")) {
		std::ifstream in(entry.path());
		for (std::string line; std::getline(in, line);) {
			if (line.rfind("map_id:", 0) != 0)
				continue;
			union bpf_attr attr {};
			attr.map_id = static_cast<uint32_t>(std::stoul(line.substr(7)));
			long fd = guard::sys_bpf(BPF_MAP_GET_FD_BY_ID, attr);
			if (fd < 0)
				continue; // freed meanwhile
			guard::Fd map(static_cast<int>(fd));
			if (object_info<struct bpf_map_info>(map.get()).name == name)
				return map;
		}
	}
	return {};
}

uint64_t sum_percpu_counters(int map_fd)
{
	auto info = object_info<struct bpf_map_info>(map_fd);
	uint64_t total = 0;
	for (uint32_t key = 0; key < info.max_entries; key++)
		total += guard::per_cpu_sum(map_fd, key);
	return total;
}

} // namespace bench
