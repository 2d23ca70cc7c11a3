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

// Reads the kind's fixed part; the caller has checked the record is long enough.
template <class T>
T fixed_part(std::span<const uint8_t> bytes)
{
	T t;
	// memcpy, not a cast: recorded files need not keep the ring's alignment.
	std::memcpy(&t, bytes.data(), sizeof(T));
	return t;
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

DecodeError decode_exec(std::span<const uint8_t> bytes, Record &out)
{
	auto e = fixed_part<struct guard_exec>(bytes);
	out.argc = e.argc;
	out.result = e.result;
	if (!read_string(bytes, sizeof(e), e.filename, out.filename) || !read_string(bytes, sizeof(e), e.argv, out.argv))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

DecodeError decode_fork(std::span<const uint8_t> bytes, Record &out)
{
	auto f = fixed_part<struct guard_fork>(bytes);
	out.child_pid = f.child_pid;
	out.child_tid = f.child_tid;
	out.clone_flags = f.clone_flags;
	return DecodeError::none;
}

DecodeError decode_exit(std::span<const uint8_t> bytes, Record &out)
{
	auto x = fixed_part<struct guard_exit>(bytes);
	out.exit_code = x.exit_code;
	out.signal = x.signal;
	return DecodeError::none;
}

DecodeError decode_file(std::span<const uint8_t> bytes, Record &out)
{
	auto f = fixed_part<struct guard_file>(bytes);
	out.result = f.result;
	out.open_flags = f.open_flags;
	out.mode = f.mode;
	out.owner_uid = f.owner_uid;
	out.owner_gid = f.owner_gid;
	if (!read_string(bytes, sizeof(f), f.path, out.path) || !read_string(bytes, sizeof(f), f.path2, out.path2))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

DecodeError decode_net(std::span<const uint8_t> bytes, Record &out)
{
	auto n = fixed_part<struct guard_net>(bytes);
	out.family = n.family;
	out.port = n.port;
	out.result = n.result;
	std::memcpy(out.addr, n.addr, sizeof(out.addr));
	out.backlog = n.backlog;
	if (!read_string(bytes, sizeof(n), n.unix_path, out.unix_path))
		return DecodeError::string_out_of_bounds;
	return DecodeError::none;
}

// The fixed size of each kind, and the function that reads the rest.
struct KindLayout {
	size_t fixed_size;
	DecodeError (*decode)(std::span<const uint8_t>, Record &);
};

bool layout_of(uint16_t kind, KindLayout &layout)
{
	switch (kind) {
	case GUARD_RECORD_EXEC:
	case GUARD_RECORD_EXEC_FAILED:
		layout = {sizeof(struct guard_exec), decode_exec};
		return true;
	case GUARD_RECORD_FORK:
		layout = {sizeof(struct guard_fork), decode_fork};
		return true;
	case GUARD_RECORD_EXIT:
		layout = {sizeof(struct guard_exit), decode_exit};
		return true;
	case GUARD_RECORD_FILE_OPEN:
	case GUARD_RECORD_FILE_RENAME:
	case GUARD_RECORD_FILE_UNLINK:
	case GUARD_RECORD_FILE_CHMOD:
	case GUARD_RECORD_FILE_CHOWN:
	case GUARD_RECORD_FILE_LINK:
	case GUARD_RECORD_FILE_SYMLINK:
		layout = {sizeof(struct guard_file), decode_file};
		return true;
	case GUARD_RECORD_NET_CONNECT:
	case GUARD_RECORD_NET_BIND:
	case GUARD_RECORD_NET_LISTEN:
	case GUARD_RECORD_NET_ACCEPT:
		layout = {sizeof(struct guard_net), decode_net};
		return true;
	default:
		return false;
	}
}

} // namespace

DecodeError decode_record(std::span<const uint8_t> bytes, Record &out)
{
	out = Record{};
	if (bytes.size() < sizeof(struct guard_header))
		return DecodeError::short_record;
	out.header = fixed_part<struct guard_header>(bytes);
	if (out.header.size != bytes.size())
		return DecodeError::size_mismatch;
	if (out.header.version != GUARD_ABI_VERSION)
		return DecodeError::bad_version;
	KindLayout layout;
	if (!layout_of(out.header.kind, layout))
		return DecodeError::unknown_kind;
	if (bytes.size() < layout.fixed_size)
		return DecodeError::short_record;
	return layout.decode(bytes, out);
}

} // namespace guard
