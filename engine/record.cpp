// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/record.h"

#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <cstddef>
#include <cstring>

namespace guard {

const char *decode_error_name(DecodeError e)
{
	switch (e) {
	case DecodeError::none: return "none";
	case DecodeError::short_record: return "short_record";
	case DecodeError::size_mismatch: return "size_mismatch";
	case DecodeError::bad_version: return "bad_version";
	case DecodeError::unknown_kind: return "unknown_kind";
	case DecodeError::string_out_of_bounds: return "string_out_of_bounds";
	case DecodeError::count_: break;
	}
	return "unknown";
}

// strerrorname_np reads a constant table: no locale, no allocation.
const char *errno_name(int64_t err)
{
	return err > 0 && err <= 4095 ? strerrorname_np(static_cast<int>(err)) : nullptr;
}

std::string_view record_kind_name(uint16_t kind)
{
	switch (kind) {
	case GUARD_RECORD_EXEC: return "exec";
	case GUARD_RECORD_EXEC_FAILED: return "exec_failed";
	case GUARD_RECORD_FORK: return "fork";
	case GUARD_RECORD_EXIT: return "exit";
	case GUARD_RECORD_FILE_OPEN: return "file_open";
	case GUARD_RECORD_FILE_RENAME: return "file_rename";
	case GUARD_RECORD_FILE_UNLINK: return "file_unlink";
	case GUARD_RECORD_FILE_CHMOD: return "file_chmod";
	case GUARD_RECORD_FILE_CHOWN: return "file_chown";
	case GUARD_RECORD_FILE_LINK: return "file_link";
	case GUARD_RECORD_FILE_SYMLINK: return "file_symlink";
	case GUARD_RECORD_FILE_MKDIR: return "file_mkdir";
	case GUARD_RECORD_NET_CONNECT: return "net_connect";
	case GUARD_RECORD_NET_BIND: return "net_bind";
	case GUARD_RECORD_NET_LISTEN: return "net_listen";
	case GUARD_RECORD_NET_ACCEPT: return "net_accept";
	case GUARD_RECORD_NET_SEND: return "net_send";
	case GUARD_RECORD_CRED_CHANGE: return "cred_change";
	case GUARD_RECORD_PTRACE: return "ptrace";
	case GUARD_RECORD_PROCESS_VM_WRITE: return "process_vm_write";
	case GUARD_RECORD_SIGNAL_AGENT: return "signal_agent";
	case GUARD_RECORD_MODULE_LOAD: return "module_load";
	case GUARD_RECORD_MODULE_UNLOAD: return "module_unload";
	case GUARD_RECORD_BPF_PROG_LOAD: return "bpf_prog_load";
	case GUARD_RECORD_MOUNT: return "mount";
	case GUARD_RECORD_UMOUNT: return "umount";
	case GUARD_RECORD_PIVOT_ROOT: return "pivot_root";
	case GUARD_RECORD_CHROOT: return "chroot";
	case GUARD_RECORD_NAMESPACE: return "namespace";
	case GUARD_RECORD_MEMFD_CREATE: return "memfd_create";
	default: return {};
	}
}

std::string_view syscall_name(int32_t nr)
{
	switch (nr) {
	case SYS_setuid: return "setuid";
	case SYS_setgid: return "setgid";
	case SYS_setreuid: return "setreuid";
	case SYS_setregid: return "setregid";
	case SYS_setresuid: return "setresuid";
	case SYS_setresgid: return "setresgid";
	case SYS_setfsuid: return "setfsuid";
	case SYS_setfsgid: return "setfsgid";
	case SYS_capset: return "capset";
	case SYS_ptrace: return "ptrace";
	case SYS_process_vm_writev: return "process_vm_writev";
	case SYS_kill: return "kill";
	case SYS_tkill: return "tkill";
	case SYS_tgkill: return "tgkill";
	case SYS_init_module: return "init_module";
	case SYS_finit_module: return "finit_module";
	case SYS_delete_module: return "delete_module";
	case SYS_bpf: return "bpf";
	case SYS_mount: return "mount";
	case SYS_umount2: return "umount2";
	case SYS_pivot_root: return "pivot_root";
	case SYS_chroot: return "chroot";
	case SYS_unshare: return "unshare";
	case SYS_setns: return "setns";
	case SYS_memfd_create: return "memfd_create";
	default: return {};
	}
}

namespace {

// One field of a kind's fixed part, read straight from the record's bytes:
// memcpy, not a cast, because recorded files need not keep the ring's
// alignment. Copying the whole fixed part to the stack first and reading
// fields back from it looked simpler but stalled the CPU (a 16-byte read of a
// copy written in 16- and 8-byte pieces cannot be forwarded from the store
// buffer): a third of the decode's time.
template <class T>
T load_at(const uint8_t *bytes, size_t offset)
{
	T value;
	std::memcpy(&value, bytes + offset, sizeof(T));
	return value;
}

#define GUARD_FIELD(bytes, type, member) load_at<decltype(type::member)>(bytes, offsetof(type, member))

// A string must start after the kind's fixed fields and end inside the record.
bool read_string(std::span<const uint8_t> bytes, size_t fixed_size, const struct guard_string &s,
		 std::string_view &out)
{
	if (s.offset < fixed_size || size_t(s.offset) + s.length > bytes.size())
		return false;
	out = std::string_view(reinterpret_cast<const char *>(bytes.data()) + s.offset, s.length);
	return true;
}

// Each decoder writes every field of its family (record.h), strings last:
// a string out of bounds fails the record, whatever was written before.
// The kernel's dev_t (major << 20 | minor, as in super_block s_dev) in the
// encoding stat(2) gives userspace.
uint64_t userspace_dev(uint32_t kernel_dev)
{
	return kernel_dev ? makedev(kernel_dev >> 20, kernel_dev & 0xfffff) : 0;
}

DecodeError decode_exec(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(struct guard_exec))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.argc = GUARD_FIELD(b, guard_exec, argc);
	out.stdio = GUARD_FIELD(b, guard_exec, stdio);
	out.result = GUARD_FIELD(b, guard_exec, result);
	out.ino = GUARD_FIELD(b, guard_exec, ino);
	out.dev = userspace_dev(GUARD_FIELD(b, guard_exec, dev));
	out.ctime_ns = GUARD_FIELD(b, guard_exec, ctime_ns);
	out.interpreter = {};
	out.exe_sha256 = {};
	if (!read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, path_given), out.path_given) ||
	    !read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, exe), out.exe) ||
	    !read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, cwd), out.cwd) ||
	    !read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, argv), out.argv))
		return DecodeError::string_out_of_bounds;
	// What ran, until path_normalize.h says more: the kernel's file, or
	// for a failed exec the name it was given.
	out.path = out.exe.empty() ? out.path_given : out.exe;
	return DecodeError::none;
}

DecodeError decode_fork(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(struct guard_fork))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.result = 0;
	out.child_pid = GUARD_FIELD(b, guard_fork, child_pid);
	out.child_tid = GUARD_FIELD(b, guard_fork, child_tid);
	out.clone_flags = GUARD_FIELD(b, guard_fork, clone_flags);
	return DecodeError::none;
}

DecodeError decode_exit(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(struct guard_exit))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.result = 0;
	out.exit_code = GUARD_FIELD(b, guard_exit, exit_code);
	out.signal = GUARD_FIELD(b, guard_exit, signal);
	return DecodeError::none;
}

DecodeError decode_file(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(struct guard_file))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.result = GUARD_FIELD(b, guard_file, result);
	out.open_flags = GUARD_FIELD(b, guard_file, open_flags);
	out.mode = GUARD_FIELD(b, guard_file, mode);
	out.owner_uid = GUARD_FIELD(b, guard_file, owner_uid);
	out.owner_gid = GUARD_FIELD(b, guard_file, owner_gid);
	out.ino = GUARD_FIELD(b, guard_file, ino);
	out.dev = userspace_dev(GUARD_FIELD(b, guard_file, dev));
	out.path2_given = {};
	if (!read_string(bytes, sizeof(guard_file), GUARD_FIELD(b, guard_file, path), out.path) ||
	    !read_string(bytes, sizeof(guard_file), GUARD_FIELD(b, guard_file, path2), out.path2) ||
	    !read_string(bytes, sizeof(guard_file), GUARD_FIELD(b, guard_file, path_given), out.path_given))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

DecodeError decode_net(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(struct guard_net))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.family = GUARD_FIELD(b, guard_net, family);
	out.port = GUARD_FIELD(b, guard_net, port);
	out.result = GUARD_FIELD(b, guard_net, result);
	std::memcpy(out.addr, b + offsetof(guard_net, addr), sizeof(out.addr));
	out.backlog = GUARD_FIELD(b, guard_net, backlog);
	out.count = GUARD_FIELD(b, guard_net, count);
	out.given_family = GUARD_FIELD(b, guard_net, given_family);
	out.given_port = GUARD_FIELD(b, guard_net, given_port);
	std::memcpy(out.given_addr, b + offsetof(guard_net, given_addr), sizeof(out.given_addr));
	if (!read_string(bytes, sizeof(guard_net), GUARD_FIELD(b, guard_net, unix_path), out.unix_path) ||
	    !read_string(bytes, sizeof(guard_net), GUARD_FIELD(b, guard_net, given_unix_path), out.given_unix_path))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

// The privilege kinds: each starts with the syscall's number and result.
template <class T>
bool read_call(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(T))
		return false;
	out.syscall_nr = GUARD_FIELD(bytes.data(), T, syscall_nr);
	out.result = GUARD_FIELD(bytes.data(), T, result);
	return true;
}

DecodeError decode_cred(std::span<const uint8_t> bytes, Record &out)
{
	if (!read_call<guard_cred>(bytes, out))
		return DecodeError::short_record;
	out.old_ids = GUARD_FIELD(bytes.data(), guard_cred, old_ids);
	out.new_ids = GUARD_FIELD(bytes.data(), guard_cred, new_ids);
	return DecodeError::none;
}

DecodeError decode_target(std::span<const uint8_t> bytes, Record &out)
{
	if (!read_call<guard_target>(bytes, out))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.target_pid = GUARD_FIELD(b, guard_target, target_pid);
	out.target_tid = GUARD_FIELD(b, guard_target, target_tid);
	out.request = GUARD_FIELD(b, guard_target, request);
	out.addr_arg = GUARD_FIELD(b, guard_target, addr);
	return DecodeError::none;
}

DecodeError decode_module(std::span<const uint8_t> bytes, Record &out)
{
	if (!read_call<guard_module>(bytes, out))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.call_flags = GUARD_FIELD(b, guard_module, flags);
	out.call_fd = GUARD_FIELD(b, guard_module, fd);
	out.image_len = GUARD_FIELD(b, guard_module, image_len);
	out.dev = 0; // path is a string as given or walked: no identity for rules
	out.ino = 0;
	if (!read_string(bytes, sizeof(guard_module), GUARD_FIELD(b, guard_module, name), out.name) ||
	    !read_string(bytes, sizeof(guard_module), GUARD_FIELD(b, guard_module, path), out.path) ||
	    !read_string(bytes, sizeof(guard_module), GUARD_FIELD(b, guard_module, params), out.params))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

DecodeError decode_bpf(std::span<const uint8_t> bytes, Record &out)
{
	if (!read_call<guard_bpf_load>(bytes, out))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.prog_type = GUARD_FIELD(b, guard_bpf_load, prog_type);
	out.attach_type = GUARD_FIELD(b, guard_bpf_load, expected_attach_type);
	out.insn_cnt = GUARD_FIELD(b, guard_bpf_load, insn_cnt);
	out.call_flags = GUARD_FIELD(b, guard_bpf_load, prog_flags);
	// NUL-padded, and full without a NUL when the name takes all 16 bytes.
	const char *name = reinterpret_cast<const char *>(b + offsetof(guard_bpf_load, prog_name));
	out.name = std::string_view(name, strnlen(name, sizeof(guard_bpf_load::prog_name)));
	return DecodeError::none;
}

DecodeError decode_mount(std::span<const uint8_t> bytes, Record &out)
{
	if (!read_call<guard_mount>(bytes, out))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.call_flags = GUARD_FIELD(b, guard_mount, flags);
	out.call_fd = GUARD_FIELD(b, guard_mount, fd);
	out.ns_ino = GUARD_FIELD(b, guard_mount, ns_ino);
	out.dev = 0; // as for modules
	out.ino = 0;
	if (!read_string(bytes, sizeof(guard_mount), GUARD_FIELD(b, guard_mount, path), out.path) ||
	    !read_string(bytes, sizeof(guard_mount), GUARD_FIELD(b, guard_mount, path2), out.path2) ||
	    !read_string(bytes, sizeof(guard_mount), GUARD_FIELD(b, guard_mount, fstype), out.fstype))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

DecodeError decode_memfd(std::span<const uint8_t> bytes, Record &out)
{
	if (!read_call<guard_memfd>(bytes, out))
		return DecodeError::short_record;
	const uint8_t *b = bytes.data();
	out.call_flags = GUARD_FIELD(b, guard_memfd, flags);
	out.ino = GUARD_FIELD(b, guard_memfd, ino);
	out.dev = userspace_dev(GUARD_FIELD(b, guard_memfd, dev));
	if (!read_string(bytes, sizeof(guard_memfd), GUARD_FIELD(b, guard_memfd, name), out.name))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

#undef GUARD_FIELD

} // namespace

DecodeError decode_record(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(out.header))
		return DecodeError::short_record;
	std::memcpy(&out.header, bytes.data(), sizeof(out.header));
	if (out.header.size != bytes.size())
		return DecodeError::size_mismatch;
	if (out.header.version != GUARD_ABI_VERSION)
		return DecodeError::bad_version;
	switch (record_family(out.header.kind)) {
	case RecordFamily::exec: return decode_exec(bytes, out);
	case RecordFamily::fork: return decode_fork(bytes, out);
	case RecordFamily::exit: return decode_exit(bytes, out);
	case RecordFamily::file: return decode_file(bytes, out);
	case RecordFamily::net: return decode_net(bytes, out);
	case RecordFamily::cred: return decode_cred(bytes, out);
	case RecordFamily::target: return decode_target(bytes, out);
	case RecordFamily::module: return decode_module(bytes, out);
	case RecordFamily::bpf: return decode_bpf(bytes, out);
	case RecordFamily::mount: return decode_mount(bytes, out);
	case RecordFamily::memfd: return decode_memfd(bytes, out);
	case RecordFamily::unknown: break;
	}
	return DecodeError::unknown_kind;
}

} // namespace guard
