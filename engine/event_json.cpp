// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/event_json.h"

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include <cstring>

#include "engine/addr_text.h"
#include "engine/event_fields.h"

namespace guard {

void write_flag_field(JsonWriter &line, std::string_view key, const Record &rec, unsigned flag)
{
	if (rec.header.flags & flag)
		line.field_bool(key, true);
}

void write_result_fields(JsonWriter &line, int32_t result)
{
	line.field_bool("ok", result >= 0);
	if (result >= 0)
		return;
	const int64_t err = failure_errno(result);
	line.field_uint("errno", static_cast<uint64_t>(err));
	if (const char *name = errno_name(err))
		line.field_literal("error", name);
}

namespace {

// A path the engine made canonical keeps what the process gave beside it,
// when that says something else.
void path_field(JsonWriter &line, std::string_view key, std::string_view path, std::string_view given,
		std::string_view given_key)
{
	line.field_string(key, path);
	if (!given.empty() && given != path)
		line.field_string(given_key, given);
}

// A file's identity (dev as stat(2) gives st_dev), when the record has one.
void identity_fields(JsonWriter &line, const Record &rec)
{
	if (rec.ino == 0)
		return;
	line.field_uint("dev", rec.dev);
	line.field_uint("ino", rec.ino);
}

void exec_fields(JsonWriter &line, const Record &rec)
{
	path_field(line, "path", rec.path, rec.path_given, "path_given");
	if (!rec.interpreter.empty())
		line.field_string("interpreter", rec.interpreter);
	line.field_string("cwd", rec.cwd);
	line.field_string_list("argv", rec.argv);
	line.field_uint("argc", rec.argc);
	identity_fields(line, rec);
	if (!rec.exe_sha256.empty())
		line.field_literal("exe_sha256", rec.exe_sha256);
	if (rec.header.kind == GUARD_RECORD_EXEC_FAILED)
		write_result_fields(line, rec.result);
	write_flag_field(line, "argv_truncated", rec, GUARD_EXEC_ARGV_TRUNCATED);
	write_flag_field(line, "path_truncated", rec, GUARD_EXEC_PATH_TRUNCATED | GUARD_EXEC_EXE_TRUNCATED);
	write_flag_field(line, "cwd_truncated", rec, GUARD_EXEC_CWD_TRUNCATED);
	write_flag_field(line, "deleted", rec, GUARD_EXEC_EXE_DELETED);
	write_flag_field(line, "fileless", rec, GUARD_EXEC_FILELESS);
	write_flag_field(line, "memfd", rec, GUARD_EXEC_MEMFD);
	write_flag_field(line, "execveat", rec, GUARD_EXEC_EXECVEAT);
	write_flag_field(line, "path_from_user", rec, GUARD_EXEC_FROM_USER);
	write_flag_field(line, "argv_from_user", rec, GUARD_EXEC_FROM_USER);
	write_flag_field(line, "read_at_exit", rec, GUARD_EXEC_READ_AT_EXIT);
	if (rec.stdio & GUARD_STDIO_SOCKET)
		line.field_bool("stdio_socket", true);
	if (rec.stdio & GUARD_STDIO_INET)
		line.field_bool("stdio_inet", true);
}

// A record of an io_uring request says so; one reported at submission
// (IOSQE_CQE_SKIP_SUCCESS: no completion comes on success) has no result.
void via_fields(JsonWriter &line, const Record &rec)
{
	if (rec.header.flags & GUARD_VIA_IO_URING)
		line.field_literal("via", "io_uring");
	write_flag_field(line, "result_unknown", rec, GUARD_NO_RESULT);
	write_flag_field(line, "request_unseen", rec, GUARD_NO_REQUEST);
}

// The result, unless the record has none.
void known_result_fields(JsonWriter &line, const Record &rec)
{
	if (!(rec.header.flags & GUARD_NO_RESULT))
		write_result_fields(line, rec.result);
}

void file_fields(JsonWriter &line, const Record &rec)
{
	const uint16_t kind = rec.header.kind;
	path_field(line, "path", rec.path, rec.path_given, "path_given");
	known_result_fields(line, rec);
	identity_fields(line, rec);
	switch (kind) {
	case GUARD_RECORD_FILE_OPEN:
		if (rec.result >= 0 && !(rec.header.flags & GUARD_NO_RESULT))
			line.field_uint("fd", static_cast<uint64_t>(rec.result));
		line.field_uint("flags", rec.open_flags);
		line.field_literal("access", access_name(rec.open_flags));
		line.field_bool("modify", rec.header.flags & GUARD_FILE_MODIFY);
		if ((rec.open_flags & O_CREAT) || (rec.open_flags & O_TMPFILE) == O_TMPFILE)
			line.field_uint("mode", rec.mode);
		break;
	case GUARD_RECORD_FILE_CHMOD:
	case GUARD_RECORD_FILE_MKDIR:
		line.field_uint("mode", rec.mode);
		break;
	case GUARD_RECORD_FILE_CHOWN:
		// -1 means "leave unchanged", as chown(2) takes it.
		line.field_int("owner_uid", static_cast<int32_t>(rec.owner_uid));
		line.field_int("owner_gid", static_cast<int32_t>(rec.owner_gid));
		break;
	case GUARD_RECORD_FILE_RENAME:
	case GUARD_RECORD_FILE_LINK:
		path_field(line, "new_path", rec.path2, rec.path2_given, "new_path_given");
		break;
	case GUARD_RECORD_FILE_SYMLINK:
		line.field_string("target", rec.path2);
		break;
	default:
		break;
	}
	write_flag_field(line, "path_truncated", rec, GUARD_FILE_PATH_TRUNCATED);
	write_flag_field(line, "path_unresolved", rec, GUARD_FILE_PATH_UNRESOLVED);
	write_flag_field(line, "path_from_user", rec, GUARD_FILE_PATH_FROM_USER);
	write_flag_field(line, "deleted", rec, GUARD_FILE_DELETED);
	write_flag_field(line, "new_path_truncated", rec, GUARD_FILE_PATH2_TRUNCATED);
	write_flag_field(line, "new_path_unresolved", rec, GUARD_FILE_PATH2_UNRESOLVED);
	write_flag_field(line, "new_path_from_user", rec, GUARD_FILE_PATH2_FROM_USER);
	write_flag_field(line, "read_at_exit", rec, GUARD_FILE_READ_AT_EXIT);
	write_flag_field(line, "by_handle", rec, GUARD_FILE_BY_HANDLE);
	via_fields(line, rec);
}

void address_field(JsonWriter &line, std::string_view key, uint16_t family, const uint8_t (&addr)[16])
{
	char text[addr_text_max];
	char *end = write_addr(text, family, addr);
	line.field_literal(key, std::string_view(text, static_cast<size_t>(end - text)));
}

// One address: the socket's ("addr", "port", "unix_path"), or the caller's
// beside it (the same keys with "_given").
void address_fields(JsonWriter &line, bool given, uint16_t family, const uint8_t (&addr)[16], uint16_t port,
		    std::string_view unix_path)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		if (!given)
			line.field_literal("family", family == AF_INET ? "inet" : "inet6");
		address_field(line, given ? "addr_given" : "addr", family, addr);
		line.field_uint(given ? "port_given" : "port", port);
		break;
	case AF_UNIX:
		if (!given)
			line.field_literal("family", "unix");
		line.field_string(given ? "unix_path_given" : "unix_path", unix_path);
		break;
	default:
		break; // not known (a listen or accept whose socket was not read)
	}
}

void net_fields(JsonWriter &line, const Record &rec)
{
	address_fields(line, false, rec.family, rec.addr, rec.port, rec.unix_path);
	if (rec.header.flags & GUARD_NET_RACED)
		address_fields(line, true, rec.given_family, rec.given_addr, rec.given_port, rec.given_unix_path);
	if (rec.header.kind == GUARD_RECORD_NET_LISTEN)
		line.field_uint("backlog", rec.backlog);
	if (rec.header.kind == GUARD_RECORD_NET_SEND)
		line.field_uint("count", rec.count);
	known_result_fields(line, rec);
	if (rec.header.kind == GUARD_RECORD_NET_ACCEPT && rec.result >= 0)
		line.field_uint("fd", static_cast<uint64_t>(rec.result));
	write_flag_field(line, "unix_path_truncated", rec, GUARD_NET_UNIX_PATH_TRUNCATED);
	write_flag_field(line, "addr_from_user", rec, GUARD_NET_ADDR_FROM_USER);
	write_flag_field(line, "raced", rec, GUARD_NET_RACED);
	write_flag_field(line, "read_at_exit", rec, GUARD_NET_READ_AT_EXIT);
	via_fields(line, rec);
}

} // namespace

void write_event_context(JsonWriter &line, const Record &rec, int64_t boot_to_unix_ns, TaskContextCache &tasks)
{
	const struct guard_header &h = rec.header;
	line.field_literal("type", record_kind_name(h.kind));
	line.field_time("time", static_cast<int64_t>(h.boot_ns) + boot_to_unix_ns);
	line.field_uint("boot_ns", h.boot_ns);
	line.raw_fields(tasks.fields(h));
	if (!tasks.host_fields.empty())
		line.raw_fields(tasks.host_fields);
}

void write_event_fields(JsonWriter &line, const Record &rec)
{
	switch (record_family(rec.header.kind)) {
	case RecordFamily::exec:
		exec_fields(line, rec);
		break;
	case RecordFamily::fork:
		line.field_uint("child_pid", rec.child_pid);
		line.field_uint("child_tid", rec.child_tid);
		line.field_uint("clone_flags", rec.clone_flags);
		break;
	case RecordFamily::exit:
		line.field_int("exit_code", rec.exit_code);
		line.field_uint("signal", rec.signal);
		break;
	case RecordFamily::file:
		file_fields(line, rec);
		break;
	case RecordFamily::net:
		net_fields(line, rec);
		break;
	case RecordFamily::cred:
	case RecordFamily::target:
	case RecordFamily::module:
	case RecordFamily::bpf:
	case RecordFamily::mount:
	case RecordFamily::memfd:
		line = write_privilege_fields(line, rec);
		break;
	case RecordFamily::unknown:
		break;
	}
}

void write_parent_fields(JsonWriter &line, const Process *parent)
{
	if (!parent)
		return;
	line.field_string("parent_comm", parent->comm_view(), parent->comm_plain);
	if (parent->exe_len)
		line.field_string("parent_exe", parent->exe_view(), parent->exe_plain);
}

[[gnu::flatten]] char *write_event_line(char *out, const Record &rec, int64_t boot_to_unix_ns, TaskContextCache &tasks,
					const Process *parent, std::string_view rule, std::string_view severity)
{
	JsonWriter line(out);
	write_event_context(line, rec, boot_to_unix_ns, tasks);
	write_event_fields(line, rec);
	write_parent_fields(line, parent);
	if (!rule.empty()) {
		line.field_literal("rule", rule);
		line.field_literal("severity", severity);
	}
	return line.finish();
}

} // namespace guard
