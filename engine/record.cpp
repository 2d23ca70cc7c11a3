// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/record.h"

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
	out.result = GUARD_FIELD(b, guard_exec, result);
	out.ino = GUARD_FIELD(b, guard_exec, ino);
	out.dev = userspace_dev(GUARD_FIELD(b, guard_exec, dev));
	out.interpreter = {};
	out.path_given = {};
	if (!read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, filename), out.filename) ||
	    !read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, exe), out.exe) ||
	    !read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, cwd), out.cwd) ||
	    !read_string(bytes, sizeof(guard_exec), GUARD_FIELD(b, guard_exec, argv), out.argv))
		return DecodeError::string_out_of_bounds;
	// What ran, until path_normalize.h says more: the kernel's file, or
	// for a failed exec the name it was given.
	out.path = out.exe.empty() ? out.filename : out.exe;
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
	case RecordFamily::unknown: break;
	}
	return DecodeError::unknown_kind;
}

} // namespace guard
