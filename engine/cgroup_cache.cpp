// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/cgroup_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/json_writer.h"

namespace guard {

namespace {

// A mountinfo(5) line's mount point and file system type.
bool cgroup2_mount_point(const std::string &line, std::string &point)
{
	std::istringstream in(line);
	std::string id, parent, dev, root, fstype, field;
	in >> id >> parent >> dev >> root >> point;
	while (in >> field && field != "-") {
	}
	in >> fstype;
	return fstype == "cgroup2";
}

} // namespace

CgroupFs::CgroupFs(const char *mountinfo)
{
	std::ifstream in(mountinfo);
	std::string line, point;
	while (std::getline(in, line))
		if (cgroup2_mount_point(line, point)) {
			root_ = Fd(::open(point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
			if (root_.valid()) {
				mount_point_ = point == "/" ? "" : point;
				return;
			}
		}
}

size_t CgroupFs::path_of(uint64_t id, char *out, size_t cap)
{
	if (!root_.valid())
		return 0;
	// struct file_handle with room for a kernfs id: FILEID_KERNFS, the
	// node id as the handle's 8 bytes (fs/kernfs/mount.c, kernfs_encode_fh).
	struct {
		struct file_handle handle;
		uint64_t id;
	} fh{};
	fh.handle.handle_bytes = sizeof(uint64_t);
	fh.handle.handle_type = 0xfe;
	fh.id = id;
	Fd dir(::open_by_handle_at(root_.get(), &fh.handle, O_PATH | O_CLOEXEC));
	if (!dir.valid())
		return 0;
	char link[32];
	std::snprintf(link, sizeof link, "/proc/self/fd/%d", dir.get());
	char full[4096];
	ssize_t n = ::readlink(link, full, sizeof full);
	std::string_view path(full, n > 0 ? size_t(n) : 0);
	if (n <= 0 || size_t(n) == sizeof full || !path.starts_with(mount_point_))
		return 0;
	path.remove_prefix(mount_point_.size());
	if (path.empty())
		path = "/";
	if (path.size() > cap)
		return 0;
	std::memcpy(out, path.data(), path.size());
	return path.size();
}

CgroupCache::CgroupCache(CgroupPathSource *source) : source_(source), entries_(source ? capacity : 0) {}

const CgroupInfo *CgroupCache::find(uint64_t id) const
{
	if (!source_ || id == 0)
		return nullptr;
	for (size_t i = slot_of(id);; i = (i + 1) & (capacity - 1)) {
		const CgroupInfo &e = entries_[i];
		if (e.id == id)
			return e.known ? &e : nullptr;
		if (e.id == 0)
			return nullptr;
	}
}

const CgroupInfo *CgroupCache::lookup(uint64_t id)
{
	if (last_ && last_->id == id)
		return last_;
	if (!source_ || id == 0)
		return nullptr;
	size_t i = slot_of(id);
	while (entries_[i].id != id && entries_[i].id != 0)
		i = (i + 1) & (capacity - 1);
	if (entries_[i].id == 0) {
		if (used_ >= capacity / 4 * 3) {
			start_over();
			i = slot_of(id);
		}
		resolve(entries_[i], id);
		used_++;
	}
	const CgroupInfo &e = entries_[i];
	if (!e.known)
		return nullptr;
	last_ = &e;
	return &e;
}

void CgroupCache::start_over()
{
	for (size_t i = 0; i < capacity; i++)
		entries_[i].id = 0;
	used_ = 0;
	last_ = nullptr;
	stats_.restarts++;
}

// The entry's fields written as JSON into e.json, once when it is resolved.
static void write_cgroup_fields(CgroupInfo &e)
{
	// The worst case of three path-long strings, escaped with _hex twins.
	char scratch[3 * 8 * CgroupInfo::path_max + 256];
	JsonWriter w(scratch, JsonWriter::fragment);
	w.field_string("cgroup", e.path_view());
	if (e.in_container()) {
		w.field_string("container_id", e.container_id());
		w.field_literal("container_runtime", e.runtime);
	}
	if (e.has_pod_uid)
		w.field_literal("pod_uid", e.pod_uid_view());
	if (e.service_len)
		w.field_string("service", e.service());
	size_t n = static_cast<size_t>(w.position() - scratch);
	e.json_len = n <= sizeof e.json ? static_cast<uint16_t>(n) : 0;
	if (e.json_len)
		std::memcpy(e.json, scratch, n);
}

void CgroupCache::resolve(CgroupInfo &e, uint64_t id)
{
	stats_.resolved++;
	e = CgroupInfo();
	e.id = id;
	e.path_len = static_cast<uint16_t>(source_->path_of(id, e.path, sizeof e.path));
	if (e.path_len == 0) {
		stats_.unknown++;
		return;
	}
	CgroupContext c = parse_cgroup_path(e.path_view());
	e.container_id_at = static_cast<uint16_t>(c.container_id.data() - e.path);
	e.container_id_len = static_cast<uint16_t>(c.container_id.size());
	e.service_at = static_cast<uint16_t>(c.service.data() - e.path);
	e.service_len = static_cast<uint16_t>(c.service.size());
	if (c.container_id.empty())
		e.container_id_at = 0;
	if (c.service.empty())
		e.service_at = 0;
	e.runtime = c.container_runtime;
	e.has_pod_uid = c.has_pod_uid;
	std::memcpy(e.pod_uid, c.pod_uid, sizeof e.pod_uid);
	write_cgroup_fields(e);
	e.known = e.json_len != 0;
}

} // namespace guard
