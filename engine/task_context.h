/* SPDX-License-Identifier: GPL-2.0-or-later */
// The task context every event line carries ("pid", "tid", "ppid", "uid",
// "gid", "euid", "comm", "mnt_ns", "pid_ns", "cgroup_id") as JSON, cached.
//
// Those fields come from the last 56 bytes of the record header, which stay
// the same across all the events of one thread; formatting them (nine
// numbers and an escaped comm) was the largest single cost of an event line.
// A small direct-mapped cache, keyed by the thread id and checked against
// those 56 bytes, keeps their JSON: a hit is one compare and one copy. The
// check is the whole key, so an entry is never stale and nothing has to
// invalidate it (exec changes comm, setuid the uids: a different key, a
// miss). Fixed size, allocated once: nothing per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "abi/guard_abi.h"
#include "engine/cgroup_cache.h"
#include "engine/json_writer.h"

namespace guard {

// Writes the task fields of h, in the schema's order (docs/schema.md).
void write_task_fields(JsonWriter &line, const struct guard_header &h);

class TaskContextCache {
public:
	TaskContextCache();

	// The task fields of h as JSON ("pid":1,...,"cgroup_id":2, then the
	// cgroup's fields when cgroups knows them): the cached text when h's
	// task bytes are the cached ones, else freshly written and kept. Valid
	// until the next call.
	std::string_view fields(const struct guard_header &h);

	// The host's fields (host_identity.h) that follow the task's on every
	// line, or empty: --host-fields.
	std::string host_fields;

	// Where the cgroup's fields come from (the caller looked the id up
	// before: find() never resolves), or nullptr.
	const CgroupCache *cgroups = nullptr;

private:
	static constexpr size_t key_offset = offsetof(struct guard_header, cgroup_id);
	static constexpr size_t key_size = sizeof(struct guard_header) - key_offset;
	// Keys and values: 9 numbers of up to 20 digits, comm escaped (6 bytes a
	// byte at worst) plus its 32-digit hex twin, a comma and the cgroup's.
	static constexpr size_t text_max =
		128 + 9 * 20 + 6 * GUARD_COMM_LEN + 2 * GUARD_COMM_LEN + 1 + CgroupInfo::json_max;
	static constexpr unsigned entry_bits = 6; // 64 entries: threads active at once in a burst of events
	static constexpr size_t entry_count = size_t(1) << entry_bits;

	struct Entry {
		unsigned char key[key_size];
		uint16_t len; // 0: empty (no fields text is empty)
		char text[text_max];
	};

	std::unique_ptr<Entry[]> entries_;
};

} // namespace guard
