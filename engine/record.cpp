#include "engine/record.h"

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

const char *record_kind_name(uint16_t kind)
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
	case GUARD_RECORD_NET_CONNECT: return "net_connect";
	case GUARD_RECORD_NET_BIND: return "net_bind";
	case GUARD_RECORD_NET_LISTEN: return "net_listen";
	case GUARD_RECORD_NET_ACCEPT: return "net_accept";
	default: return nullptr;
	}
}

namespace {

// Reads the kind's fixed part, or false when the record is too short for it.
template <class T>
bool fixed_part(std::span<const uint8_t> bytes, T &t)
{
	if (bytes.size() < sizeof(T))
		return false;
	// memcpy, not a cast: recorded files need not keep the ring's alignment.
	std::memcpy(&t, bytes.data(), sizeof(T));
	return true;
}

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
DecodeError decode_exec(std::span<const uint8_t> bytes, Record &out)
{
	struct guard_exec e;
	if (!fixed_part(bytes, e))
		return DecodeError::short_record;
	out.argc = e.argc;
	out.result = e.result;
	out.filename_given = {};
	if (!read_string(bytes, sizeof(e), e.filename, out.filename) || !read_string(bytes, sizeof(e), e.argv, out.argv))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

DecodeError decode_fork(std::span<const uint8_t> bytes, Record &out)
{
	struct guard_fork f;
	if (!fixed_part(bytes, f))
		return DecodeError::short_record;
	out.result = 0;
	out.child_pid = f.child_pid;
	out.child_tid = f.child_tid;
	out.clone_flags = f.clone_flags;
	return DecodeError::none;
}

DecodeError decode_exit(std::span<const uint8_t> bytes, Record &out)
{
	struct guard_exit x;
	if (!fixed_part(bytes, x))
		return DecodeError::short_record;
	out.result = 0;
	out.exit_code = x.exit_code;
	out.signal = x.signal;
	return DecodeError::none;
}

DecodeError decode_file(std::span<const uint8_t> bytes, Record &out)
{
	struct guard_file f;
	if (!fixed_part(bytes, f))
		return DecodeError::short_record;
	out.result = f.result;
	out.open_flags = f.open_flags;
	out.mode = f.mode;
	out.owner_uid = f.owner_uid;
	out.owner_gid = f.owner_gid;
	out.path_given = {};
	out.path2_given = {};
	if (!read_string(bytes, sizeof(f), f.path, out.path) || !read_string(bytes, sizeof(f), f.path2, out.path2))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

DecodeError decode_net(std::span<const uint8_t> bytes, Record &out)
{
	struct guard_net n;
	if (!fixed_part(bytes, n))
		return DecodeError::short_record;
	out.family = n.family;
	out.port = n.port;
	out.result = n.result;
	std::memcpy(out.addr, n.addr, sizeof(out.addr));
	out.backlog = n.backlog;
	if (!read_string(bytes, sizeof(n), n.unix_path, out.unix_path))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

} // namespace

DecodeError decode_record(std::span<const uint8_t> bytes, Record &out)
{
	if (!fixed_part(bytes, out.header))
		return DecodeError::short_record;
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
