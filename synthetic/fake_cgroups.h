/* SPDX-License-Identifier: GPL-2.0-or-later */
// Cgroup paths for made-up cgroup ids, as a host that runs services and
// containers has them, without a cgroup file system: for the allocation test
// and the engine benchmark, whose records are made up too.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <vector>

#include "abi/guard_abi.h"
#include "engine/cgroup_cache.h"

namespace guard::synthetic {

// Ids from here on are Docker containers (their id in 64 hex digits); below,
// from 2, systemd services; 1 is the root.
constexpr uint64_t container_cgroup_base = 1'000'000;

class FakeCgroupPaths : public CgroupPathSource {
public:
	size_t path_of(uint64_t id, char *out, size_t cap) override
	{
		char path[128];
		int n = id == 1 ? std::snprintf(path, sizeof path, "/")
		      : id >= container_cgroup_base
			? std::snprintf(path, sizeof path, "/system.slice/docker-%064llx.scope", (unsigned long long)id)
			: std::snprintf(path, sizeof path, "/system.slice/unit%llu.service", (unsigned long long)id);
		if (n <= 0 || size_t(n) > cap)
			return 0;
		std::memcpy(out, path, size_t(n));
		return size_t(n);
	}
};

// Gives a pooled record another cgroup without reallocating it.
inline void set_cgroup(std::vector<uint8_t> &record, uint64_t id)
{
	std::memcpy(record.data() + offsetof(struct guard_header, cgroup_id), &id, sizeof(id));
}

inline std::vector<uint8_t> with_cgroup(std::vector<uint8_t> record, uint64_t id)
{
	set_cgroup(record, id);
	return record;
}

} // namespace guard::synthetic
