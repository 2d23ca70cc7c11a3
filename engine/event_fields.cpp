// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/event_fields.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

#include "engine/privilege_fields.h"

namespace guard {

namespace {

constexpr uint32_t bits(std::initializer_list<uint16_t> kinds)
{
	uint32_t b = 0;
	for (uint16_t k : kinds)
		b |= kind_bit(k);
	return b;
}

// The kinds of a family (record.h), as kind bits.
constexpr uint32_t family_bits(RecordFamily family)
{
	uint32_t b = 0;
	for (uint16_t k = 0; k < GUARD_RECORD_KIND_MAX; k++)
		if (record_family(k) == family)
			b |= kind_bit(k);
	return b;
}

constexpr uint32_t k_exec = family_bits(RecordFamily::exec);
constexpr uint32_t k_file = family_bits(RecordFamily::file);
constexpr uint32_t k_net = family_bits(RecordFamily::net);
constexpr uint32_t k_cred = family_bits(RecordFamily::cred);
constexpr uint32_t k_mount = family_bits(RecordFamily::mount);
// The privilege kinds: every kind from cred_change on.
constexpr uint32_t k_priv = k_cred | family_bits(RecordFamily::target) | family_bits(RecordFamily::module) |
			    family_bits(RecordFamily::bpf) | k_mount | family_bits(RecordFamily::memfd);
constexpr uint32_t k_all =
	k_exec | family_bits(RecordFamily::fork) | family_bits(RecordFamily::exit) | k_file | k_net | k_priv;
constexpr uint32_t k_result = k_exec | k_file | k_net | k_priv;
// Kinds whose output has the call's flags as "flags" (bpf_prog_load's are
// "prog_flags").
constexpr uint32_t k_call_flags = family_bits(RecordFamily::module) | k_mount | family_bits(RecordFamily::memfd);

using T = FieldType;
constexpr std::array<FieldInfo, static_cast<size_t>(Field::count_)> kFields = {{
	{"pid", T::number, k_all},
	{"tid", T::number, k_all},
	{"ppid", T::number, k_all},
	{"uid", T::number, k_all},
	{"gid", T::number, k_all},
	{"euid", T::number, k_all},
	{"mnt_ns", T::number, k_all},
	{"pid_ns", T::number, k_all},
	{"cgroup_id", T::number, k_all},
	{"comm", T::string, k_all},
	{"exe", T::string, k_all},
	{"parent_comm", T::string, k_all},
	{"parent_exe", T::string, k_all},
	{"via", T::string, k_all},
	{"argv", T::string, k_exec},
	{"argc", T::number, k_exec},
	{"fileless", T::boolean, k_exec},
	{"memfd", T::boolean, k_exec},
	{"execveat", T::boolean, k_exec},
	{"argv_truncated", T::boolean, k_exec},
	{"ancestor_comm", T::string, k_exec},
	{"ancestor_exe", T::string, k_exec},
	{"cwd", T::string, k_exec},
	{"interpreter", T::string, bits({GUARD_RECORD_EXEC})},
	{"path", T::string, k_exec | k_file | bits({GUARD_RECORD_MODULE_LOAD, GUARD_RECORD_CHROOT})},
	{"path_truncated", T::boolean, k_exec | k_file},
	{"path_given", T::string, k_exec | k_file},
	{"dev", T::number, bits({GUARD_RECORD_EXEC, GUARD_RECORD_FILE_OPEN, GUARD_RECORD_MEMFD_CREATE})},
	{"ino", T::number, bits({GUARD_RECORD_EXEC, GUARD_RECORD_FILE_OPEN, GUARD_RECORD_MEMFD_CREATE})},
	{"deleted", T::boolean, bits({GUARD_RECORD_EXEC, GUARD_RECORD_FILE_OPEN})},
	{"ok", T::boolean, k_result},
	{"errno", T::number, k_result},
	{"error", T::string, k_result},
	{"fd", T::number,
	 bits({GUARD_RECORD_FILE_OPEN, GUARD_RECORD_NET_ACCEPT, GUARD_RECORD_BPF_PROG_LOAD, GUARD_RECORD_MEMFD_CREATE})},
	{"child_pid", T::number, bits({GUARD_RECORD_FORK})},
	{"child_tid", T::number, bits({GUARD_RECORD_FORK})},
	{"clone_flags", T::number, bits({GUARD_RECORD_FORK})},
	{"exit_code", T::number, bits({GUARD_RECORD_EXIT})},
	{"signal", T::number, bits({GUARD_RECORD_EXIT, GUARD_RECORD_SIGNAL_AGENT})},
	{"new_path", T::string, bits({GUARD_RECORD_FILE_RENAME, GUARD_RECORD_FILE_LINK})},
	{"any_path", T::string, k_file},
	{"target", T::string, bits({GUARD_RECORD_FILE_SYMLINK, GUARD_RECORD_MOUNT, GUARD_RECORD_UMOUNT})},
	{"flags", T::number, bits({GUARD_RECORD_FILE_OPEN}) | k_call_flags},
	{"access", T::string, bits({GUARD_RECORD_FILE_OPEN})},
	{"modify", T::boolean, k_file},
	{"mode", T::number, bits({GUARD_RECORD_FILE_OPEN, GUARD_RECORD_FILE_CHMOD, GUARD_RECORD_FILE_MKDIR})},
	{"owner_uid", T::number, bits({GUARD_RECORD_FILE_CHOWN})},
	{"owner_gid", T::number, bits({GUARD_RECORD_FILE_CHOWN})},
	{"path_unresolved", T::boolean, k_file},
	{"path_from_user", T::boolean, k_file},
	{"by_handle", T::boolean, bits({GUARD_RECORD_FILE_OPEN})},
	{"family", T::string, k_net},
	{"addr", T::address, k_net},
	{"port", T::number, k_net},
	{"unix_path", T::string, k_net},
	{"backlog", T::number, bits({GUARD_RECORD_NET_LISTEN})},
	{"addr_from_user", T::boolean, bits({GUARD_RECORD_NET_CONNECT, GUARD_RECORD_NET_BIND, GUARD_RECORD_NET_SEND})},
	{"raced", T::boolean, bits({GUARD_RECORD_NET_CONNECT, GUARD_RECORD_NET_BIND})},
	{"count", T::number, bits({GUARD_RECORD_NET_SEND})},
	{"user", T::string, k_all},
	{"cmdline", T::string, k_exec},
	{"parent_cmdline", T::string, k_all},
	{"addr_text", T::string, k_net},
	{"script", T::string, k_exec},
	{"stdio_socket", T::boolean, bits({GUARD_RECORD_EXEC})},
	{"stdio_inet", T::boolean, bits({GUARD_RECORD_EXEC})},
	{"syscall", T::string, k_priv},
	{"target_pid", T::number, bits({GUARD_RECORD_PTRACE, GUARD_RECORD_PROCESS_VM_WRITE, GUARD_RECORD_SIGNAL_AGENT})},
	{"request", T::number, bits({GUARD_RECORD_PTRACE})},
	{"name", T::string, bits({GUARD_RECORD_MODULE_UNLOAD, GUARD_RECORD_BPF_PROG_LOAD, GUARD_RECORD_MEMFD_CREATE})},
	{"source", T::string, bits({GUARD_RECORD_MOUNT})},
	{"fstype", T::string, bits({GUARD_RECORD_MOUNT})},
	{"prog_type", T::number, bits({GUARD_RECORD_BPF_PROG_LOAD})},
	{"cgroup", T::string, k_all},
	{"container_id", T::string, k_all},
	{"container_runtime", T::string, k_all},
	{"pod_uid", T::string, k_all},
	{"service", T::string, k_all},
	{"in_container", T::boolean, k_all},
	{"exe_sha256", T::string, k_all},
	{"old_uid", T::number, k_cred},
	{"new_uid", T::number, k_cred},
	{"old_euid", T::number, k_cred},
	{"new_euid", T::number, k_cred},
	{"old_suid", T::number, k_cred},
	{"new_suid", T::number, k_cred},
	{"old_fsuid", T::number, k_cred},
	{"new_fsuid", T::number, k_cred},
	{"old_gid", T::number, k_cred},
	{"new_gid", T::number, k_cred},
	{"old_egid", T::number, k_cred},
	{"new_egid", T::number, k_cred},
	{"old_sgid", T::number, k_cred},
	{"new_sgid", T::number, k_cred},
	{"old_fsgid", T::number, k_cred},
	{"new_fsgid", T::number, k_cred},
	{"old_cap_effective", T::number, k_cred},
	{"new_cap_effective", T::number, k_cred},
	{"old_cap_permitted", T::number, k_cred},
	{"new_cap_permitted", T::number, k_cred},
	{"old_cap_inheritable", T::number, k_cred},
	{"new_cap_inheritable", T::number, k_cred},
}};

// The cred fields' names are privilege_fields.h's, in the same order.
constexpr bool cred_names_agree()
{
	for (size_t i = 0; i < cred_field_count; i++) {
		size_t at = static_cast<size_t>(Field::old_uid) + 2 * i;
		if (kFields[at].name != cred_field_names[i].old_name || kFields[at + 1].name != cred_field_names[i].new_name)
			return false;
	}
	return static_cast<size_t>(Field::old_uid) + 2 * cred_field_count == static_cast<size_t>(Field::count_);
}
static_assert(cred_names_agree());

bool is_exec(const Record &r) { return record_family(r.header.kind) == RecordFamily::exec; }

bool is_file(const Record &r) { return record_family(r.header.kind) == RecordFamily::file; }

bool flag(const Record &r, uint16_t bit) { return (r.header.flags & bit) != 0; }

// exec succeeded by definition; the others carry the syscall's return.
bool result_ok(const Record &r)
{
	return r.header.kind == GUARD_RECORD_EXEC ? true : r.result >= 0;
}

// The arguments end with a NUL each; a command line has none after the last.
std::string_view without_last_nul(std::string_view s)
{
	return !s.empty() && s.back() == '\0' ? s.substr(0, s.size() - 1) : s;
}

// The first argument after argv[0] not starting with '-': what `bash
// /tmp/x.sh` or `python3 -u /dev/shm/y` runs. An option's own value
// (`-c CODE`) is taken for it: a test on a path prefix then fails, as it
// should.
std::string_view first_operand(std::string_view argv, uint32_t argc)
{
	for (uint32_t i = 0; i < argc && !argv.empty(); i++) {
		size_t nul = argv.find('\0');
		std::string_view arg = argv.substr(0, nul);
		if (i > 0 && !arg.empty() && arg[0] != '-')
			return arg;
		if (nul == std::string_view::npos)
			break;
		argv.remove_prefix(nul + 1);
	}
	return {};
}

} // namespace

const FieldInfo &field_info(Field f) { return kFields[static_cast<size_t>(f)]; }

bool field_by_name(std::string_view name, Field &out)
{
	for (size_t i = 0; i < kFields.size(); i++)
		if (kFields[i].name == name) {
			out = static_cast<Field>(i);
			return true;
		}
	return false;
}

std::string_view family_name(uint16_t family)
{
	switch (family) {
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	case AF_UNIX: return "unix";
	default: return "other";
	}
}

// O_ACCMODE 3 (O_RDWR | O_WRONLY) opens for ioctl only, but the kernel asks
// for read and write permission (ACC_MODE in fs/namei.c): "read_write".
std::string_view access_name(uint32_t open_flags)
{
	switch (open_flags & O_ACCMODE) {
	case O_RDONLY: return "read";
	case O_WRONLY: return "write";
	default: return "read_write";
	}
}

std::string_view via_name(uint16_t header_flags)
{
	return header_flags & GUARD_VIA_IO_URING ? "io_uring" : "syscall";
}

std::string_view exe_sha256(const EventView &ev)
{
	if (!ev.exe_hashes || !ev.self)
		return {};
	return ev.exe_hashes->lookup(ev.self->exe_id, ev.self->pid, ev.self->exe_view());
}

std::string_view string_field(Field f, const EventView &ev)
{
	const Record &r = *ev.rec;
	switch (f) {
	case Field::comm: return {r.header.comm, strnlen(r.header.comm, sizeof(r.header.comm))};
	case Field::exe: return ev.self ? ev.self->exe_view() : std::string_view();
	case Field::parent_comm: return ev.parent ? ev.parent->comm_view() : std::string_view();
	case Field::parent_exe: return ev.parent ? ev.parent->exe_view() : std::string_view();
	case Field::via: return via_name(r.header.flags);
	case Field::argv: return r.argv;
	case Field::cmdline: return without_last_nul(r.argv);
	case Field::script: return first_operand(r.argv, r.argc);
	case Field::parent_cmdline: return ev.parent ? ev.parent->cmdline_view() : std::string_view();
	case Field::path: return r.path;
	case Field::path_given: return r.path_given;
	case Field::cwd: return r.cwd;
	case Field::interpreter: return r.interpreter;
	case Field::error: {
		if (result_ok(r))
			return {};
		const char *name = errno_name(failure_errno(r.result));
		return name ? std::string_view(name) : std::string_view();
	}
	case Field::new_path:
		return r.header.kind == GUARD_RECORD_FILE_RENAME || r.header.kind == GUARD_RECORD_FILE_LINK ? r.path2
													: std::string_view();
	case Field::target:
		if (r.header.kind == GUARD_RECORD_MOUNT || r.header.kind == GUARD_RECORD_UMOUNT)
			return r.path;
		return r.header.kind == GUARD_RECORD_FILE_SYMLINK ? r.path2 : std::string_view();
	case Field::syscall: return syscall_name(r.syscall_nr);
	case Field::name: return r.name;
	case Field::source: return r.header.kind == GUARD_RECORD_MOUNT ? r.path2 : std::string_view();
	case Field::fstype: return r.fstype;
	case Field::access: return access_name(r.open_flags);
	case Field::family: return family_name(r.family);
	case Field::unix_path: return r.unix_path;
	case Field::cgroup: return ev.cgroup ? ev.cgroup->path_view() : std::string_view();
	case Field::container_id: return ev.cgroup ? ev.cgroup->container_id() : std::string_view();
	case Field::container_runtime: return ev.cgroup ? ev.cgroup->runtime : std::string_view();
	case Field::pod_uid: return ev.cgroup ? ev.cgroup->pod_uid_view() : std::string_view();
	case Field::service: return ev.cgroup ? ev.cgroup->service() : std::string_view();
	case Field::exe_sha256: return exe_sha256(ev);
	default: return {};
	}
}

int64_t number_field(Field f, const EventView &ev)
{
	const Record &r = *ev.rec;
	const struct guard_header &h = r.header;
	switch (f) {
	case Field::pid: return h.pid;
	case Field::tid: return h.tid;
	case Field::ppid: return h.ppid;
	case Field::uid: return h.uid;
	case Field::gid: return h.gid;
	case Field::euid: return h.euid;
	case Field::mnt_ns: return h.mnt_ns;
	case Field::pid_ns: return h.pid_ns;
	case Field::cgroup_id: return static_cast<int64_t>(h.cgroup_id);
	case Field::in_container: return ev.cgroup && ev.cgroup->in_container();
	case Field::argc: return r.argc;
	case Field::fileless: return flag(r, GUARD_EXEC_FILELESS);
	case Field::memfd: return flag(r, GUARD_EXEC_MEMFD);
	case Field::stdio_socket: return (r.stdio & GUARD_STDIO_SOCKET) != 0;
	case Field::stdio_inet: return (r.stdio & GUARD_STDIO_INET) != 0;
	case Field::execveat: return flag(r, GUARD_EXEC_EXECVEAT);
	case Field::argv_truncated: return flag(r, GUARD_EXEC_ARGV_TRUNCATED);
	case Field::path_truncated:
		return is_exec(r) ? flag(r, GUARD_EXEC_PATH_TRUNCATED | GUARD_EXEC_EXE_TRUNCATED)
				  : flag(r, GUARD_FILE_PATH_TRUNCATED);
	case Field::dev: return static_cast<int64_t>(r.dev);
	case Field::ino: return static_cast<int64_t>(r.ino);
	case Field::deleted: return is_exec(r) ? flag(r, GUARD_EXEC_EXE_DELETED) : flag(r, GUARD_FILE_DELETED);
	case Field::path_from_user: return flag(r, GUARD_FILE_PATH_FROM_USER);
	case Field::by_handle: return flag(r, GUARD_FILE_BY_HANDLE);
	case Field::addr_from_user: return flag(r, GUARD_NET_ADDR_FROM_USER);
	case Field::raced: return flag(r, GUARD_NET_RACED);
	case Field::ok: return result_ok(r);
	case Field::errno_: return result_ok(r) ? 0 : failure_errno(r.result);
	case Field::fd: return result_ok(r) ? r.result : -1;
	case Field::child_pid: return r.child_pid;
	case Field::child_tid: return r.child_tid;
	case Field::clone_flags: return static_cast<int64_t>(r.clone_flags);
	case Field::exit_code: return r.exit_code;
	case Field::signal: return r.header.kind == GUARD_RECORD_SIGNAL_AGENT ? static_cast<int64_t>(r.request) : r.signal;
	case Field::flags: return r.header.kind == GUARD_RECORD_FILE_OPEN ? r.open_flags : static_cast<int64_t>(r.call_flags);
	case Field::target_pid: return r.target_pid;
	case Field::request: return static_cast<int64_t>(r.request);
	case Field::prog_type: return r.prog_type;
	case Field::modify:
		if (r.header.kind == GUARD_RECORD_FILE_OPEN)
			return flag(r, GUARD_FILE_MODIFY);
		return is_file(r);
	case Field::mode: return r.mode;
	case Field::owner_uid: return static_cast<int32_t>(r.owner_uid);
	case Field::owner_gid: return static_cast<int32_t>(r.owner_gid);
	case Field::path_unresolved: return flag(r, GUARD_FILE_PATH_UNRESOLVED);
	case Field::port: return r.port;
	case Field::backlog: return r.backlog;
	case Field::count: return r.count;
	default: break;
	}
	if (f >= Field::old_uid && f < Field::count_) {
		size_t at = static_cast<size_t>(f) - static_cast<size_t>(Field::old_uid);
		return static_cast<int64_t>(cred_value(at % 2 ? r.new_ids : r.old_ids, at / 2));
	}
	return 0;
}

} // namespace guard
