/* SPDX-License-Identifier: GPL-2.0-or-later */
// Every record's header carries its task's cgroup v2 id (kern/common.bpf.h:
// task->cgroups->dfl_cgrp->kn->id). This cache maps the id to the cgroup's
// path and what the path says (cgroup_context.h), and keeps the JSON fields
// that go on the task's event and alert lines.
//
// A miss is resolved once, when the id is first seen, with no walk: the id
// is the cgroup directory's kernfs node id, which is also its file handle
// (FILEID_KERNFS), so open_by_handle_at on the cgroup2 mount opens the
// directory and /proc/self/fd names its path (two system calls, and a close,
// per new cgroup; never per event). Cgroup v2 directories cannot be renamed
// and ids are not reused, so an entry never goes stale. An id that cannot be
// resolved (the cgroup is gone, no cgroup2 mount, a path over path_max) is
// kept as unknown too, so it costs nothing again.
//
// Fixed size, allocated once (zero pages, resident as used): an
// open-addressing table that starts over empty when three quarters full
// (ids of removed cgroups pile up on a long-running host), after which the
// live cgroups are resolved again, once each. Nothing here allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/fd.h"
#include "engine/cgroup_context.h"
#include "engine/zeroed_array.h"

namespace guard {

// Where cgroup paths come from: the cgroup2 mount (CgroupFs), or a test's table.
class CgroupPathSource {
public:
	virtual ~CgroupPathSource() = default;
	// The path of cgroup id from the hierarchy's root ("/" for the root),
	// into out (cap bytes); its length, or 0 when unknown or longer than cap.
	virtual size_t path_of(uint64_t id, char *out, size_t cap) = 0;
};

// The cgroup2 hierarchy as mounted here (found in /proc/self/mountinfo:
// /sys/fs/cgroup, or /sys/fs/cgroup/unified on a v1/v2 hybrid). Needs
// CAP_DAC_READ_SEARCH (open_by_handle_at), which the agent keeps.
class CgroupFs : public CgroupPathSource {
public:
	// Not open() when there is no cgroup2 mount: every path is then unknown.
	explicit CgroupFs(const char *mountinfo = "/proc/self/mountinfo");
	bool open() const { return root_.valid(); }
	const std::string &mount_point() const { return mount_point_; }
	size_t path_of(uint64_t id, char *out, size_t cap) override;

private:
	Fd root_;
	std::string mount_point_;
};

struct CgroupInfo {
	static constexpr size_t path_max = 512;
	static constexpr size_t json_max = 1024;

	uint64_t id = 0; // 0: a free slot (no cgroup has id 0)
	bool known = false;
	uint16_t path_len = 0;
	uint16_t json_len = 0;
	uint16_t container_id_at = 0, container_id_len = 0; // in path
	uint16_t service_at = 0, service_len = 0;           // in path
	std::string_view runtime;                           // a literal (cgroup_context.h)
	char pod_uid[CgroupContext::pod_uid_len] = {};
	bool has_pod_uid = false;
	char path[path_max] = {};
	// "cgroup":"/...","container_id":"...","container_runtime":"docker",
	// "pod_uid":"...","service":"x.service", each where known.
	char json[json_max] = {};

	std::string_view path_view() const { return {path, path_len}; }
	std::string_view container_id() const { return {path + container_id_at, container_id_len}; }
	std::string_view service() const { return {path + service_at, service_len}; }
	std::string_view pod_uid_view() const { return has_pod_uid ? std::string_view(pod_uid, sizeof pod_uid) : ""; }
	std::string_view json_view() const { return {json, json_len}; }
	bool in_container() const { return container_id_len != 0; }
};

struct CgroupCacheStats {
	uint64_t resolved = 0; // ids looked up in the file system
	uint64_t unknown = 0;  // of which no path came back
	uint64_t restarts = 0; // times the table filled and started over
};

class CgroupCache {
public:
	static constexpr size_t capacity = 2048;

	// source: nullptr resolves nothing (a replay's ids are another host's).
	explicit CgroupCache(CgroupPathSource *source);

	// The cgroup id's entry, resolved now when first seen; nullptr when
	// its path is unknown or there is no source.
	const CgroupInfo *lookup(uint64_t id);

	// The entry when cached and known, never resolving.
	const CgroupInfo *find(uint64_t id) const;

	const CgroupCacheStats &stats() const { return stats_; }

private:
	size_t slot_of(uint64_t id) const { return (id * 0x9E3779B97F4A7C15ull) >> (64 - 11); }
	void resolve(CgroupInfo &e, uint64_t id);
	void start_over();

	CgroupPathSource *source_;
	ZeroedArray<CgroupInfo> entries_;
	size_t used_ = 0;
	const CgroupInfo *last_ = nullptr; // the last hit: most events come in runs from one task
	CgroupCacheStats stats_;
};

} // namespace guard
