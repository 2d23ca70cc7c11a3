// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/task_context.h"

#include <cstring>

namespace guard {

// The key is every header field the task fields are made of, and nothing else.
static_assert(offsetof(struct guard_header, pid) == offsetof(struct guard_header, cgroup_id) + 8 &&
		      offsetof(struct guard_header, comm) == offsetof(struct guard_header, pid) + 8 * 4 &&
		      sizeof(struct guard_header) == offsetof(struct guard_header, comm) + GUARD_COMM_LEN,
	      "the task key is cgroup_id, pid .. pid_ns and comm");

void write_task_fields(JsonWriter &line, const struct guard_header &h)
{
	line.field_uint("pid", h.pid);
	line.field_uint("tid", h.tid);
	line.field_uint("ppid", h.ppid);
	line.field_uint("uid", h.uid);
	line.field_uint("gid", h.gid);
	line.field_uint("euid", h.euid);
	line.field_string("comm", std::string_view(h.comm, strnlen(h.comm, sizeof(h.comm))));
	line.field_uint("mnt_ns", h.mnt_ns);
	line.field_uint("pid_ns", h.pid_ns);
	line.field_uint("cgroup_id", h.cgroup_id);
}

TaskContextCache::TaskContextCache() : entries_(new Entry[entry_count])
{
	for (size_t i = 0; i < entry_count; i++)
		entries_[i].len = 0;
}

std::string_view TaskContextCache::fields(const struct guard_header &h)
{
	const auto *key = reinterpret_cast<const unsigned char *>(&h) + key_offset;
	Entry &e = entries_[(h.tid * 0x9E3779B1u) >> (32 - entry_bits)]; // Fibonacci hashing: the top bits
	if (e.len != 0 && std::memcmp(e.key, key, key_size) == 0)
		return {e.text, e.len};
	JsonWriter w(e.text, JsonWriter::fragment);
	write_task_fields(w, h);
	if (const CgroupInfo *cgroup = cgroups ? cgroups->find(h.cgroup_id) : nullptr)
		w.raw_fields(cgroup->json_view());
	std::memcpy(e.key, key, key_size);
	e.len = static_cast<uint16_t>(w.position() - e.text);
	return {e.text, e.len};
}

} // namespace guard
