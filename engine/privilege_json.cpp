// SPDX-License-Identifier: GPL-2.0-or-later
// The fields of the privilege kinds in an event line (docs/schema.md).
#include "engine/event_json.h"

#include "engine/privilege_fields.h"

namespace guard {

namespace {

void cred_fields(JsonWriter &line, const Record &rec)
{
	for (size_t i = 0; i < cred_field_count; i++) {
		line.field_uint(cred_field_names[i].old_name, cred_value(rec.old_ids, i));
		line.field_uint(cred_field_names[i].new_name, cred_value(rec.new_ids, i));
	}
}

void target_fields(JsonWriter &line, const Record &rec)
{
	switch (rec.header.kind) {
	case GUARD_RECORD_PTRACE:
		line.field_uint("target_pid", rec.target_pid);
		line.field_uint("request", rec.request);
		line.field_uint("addr", rec.addr_arg);
		break;
	case GUARD_RECORD_PROCESS_VM_WRITE:
		line.field_uint("target_pid", rec.target_pid);
		line.field_uint("local_iovecs", rec.request);
		line.field_uint("remote_iovecs", rec.addr_arg);
		if (rec.result >= 0)
			line.field_uint("bytes", static_cast<uint64_t>(rec.result));
		break;
	default: // SIGNAL_AGENT
		if (rec.target_pid)
			line.field_uint("target_pid", rec.target_pid);
		if (rec.target_tid)
			line.field_uint("target_tid", rec.target_tid);
		line.field_uint("signal", rec.request);
		break;
	}
}

void module_fields(JsonWriter &line, const Record &rec)
{
	if (rec.header.kind == GUARD_RECORD_MODULE_UNLOAD) {
		line.field_string("name", rec.name);
	} else if (rec.call_fd >= 0) {
		line.field_uint("fd", static_cast<uint64_t>(rec.call_fd));
		line.field_string("path", rec.path);
	} else {
		line.field_uint("image_len", rec.image_len);
	}
	if (rec.header.kind == GUARD_RECORD_MODULE_LOAD)
		line.field_string("params", rec.params);
	line.field_uint("flags", rec.call_flags);
	write_flag_field(line, "name_from_user", rec, GUARD_MODULE_NAME_FROM_USER);
	write_flag_field(line, "params_from_user", rec, GUARD_MODULE_PARAMS_FROM_USER);
	write_flag_field(line, "path_truncated", rec, GUARD_MODULE_PATH_TRUNCATED);
}

void bpf_fields(JsonWriter &line, const Record &rec)
{
	if (rec.result >= 0)
		line.field_uint("fd", static_cast<uint64_t>(rec.result));
	line.field_uint("prog_type", rec.prog_type);
	line.field_uint("attach_type", rec.attach_type);
	line.field_string("name", rec.name);
	line.field_uint("insn_cnt", rec.insn_cnt);
	line.field_uint("prog_flags", rec.call_flags);
	write_flag_field(line, "name_from_user", rec, GUARD_BPF_NAME_FROM_USER);
}

void mount_fields(JsonWriter &line, const Record &rec)
{
	switch (rec.header.kind) {
	case GUARD_RECORD_MOUNT:
		line.field_string("target", rec.path);
		line.field_string("source", rec.path2);
		line.field_string("fstype", rec.fstype);
		break;
	case GUARD_RECORD_UMOUNT:
		line.field_string("target", rec.path);
		break;
	case GUARD_RECORD_PIVOT_ROOT:
		line.field_string("new_root", rec.path);
		line.field_string("put_old", rec.path2);
		break;
	case GUARD_RECORD_CHROOT:
		line.field_string("path", rec.path);
		break;
	default: // NAMESPACE: setns names its namespace by an fd
		if (rec.call_fd >= 0) {
			line.field_uint("fd", static_cast<uint64_t>(rec.call_fd));
			line.field_uint("ns_ino", rec.ns_ino);
		}
		break;
	}
	line.field_uint("flags", rec.call_flags);
	write_flag_field(line, "path_truncated", rec, GUARD_MOUNT_PATH_TRUNCATED | GUARD_MOUNT_PATH2_TRUNCATED);
	write_flag_field(line, "path_unresolved", rec, GUARD_MOUNT_PATH_UNRESOLVED | GUARD_MOUNT_PATH2_UNRESOLVED);
	write_flag_field(line, "path_from_user", rec, GUARD_MOUNT_PATH_FROM_USER);
	write_flag_field(line, rec.header.kind == GUARD_RECORD_PIVOT_ROOT ? "put_old_from_user" : "source_from_user", rec,
			 GUARD_MOUNT_PATH2_FROM_USER);
	write_flag_field(line, "fstype_from_user", rec, GUARD_MOUNT_FSTYPE_FROM_USER);
	write_flag_field(line, "read_at_exit", rec, GUARD_MOUNT_READ_AT_EXIT);
}

void memfd_fields(JsonWriter &line, const Record &rec)
{
	if (rec.result >= 0)
		line.field_uint("fd", static_cast<uint64_t>(rec.result));
	line.field_string("name", rec.name);
	line.field_uint("flags", rec.call_flags);
	if (rec.ino) {
		line.field_uint("dev", rec.dev);
		line.field_uint("ino", rec.ino);
	}
	write_flag_field(line, "name_from_user", rec, GUARD_MEMFD_NAME_FROM_USER);
}

} // namespace

JsonWriter write_privilege_fields(JsonWriter line, const Record &rec)
{
	line.field_literal("syscall", syscall_name(rec.syscall_nr));
	switch (record_family(rec.header.kind)) {
	case RecordFamily::cred: cred_fields(line, rec); break;
	case RecordFamily::target: target_fields(line, rec); break;
	case RecordFamily::module: module_fields(line, rec); break;
	case RecordFamily::bpf: bpf_fields(line, rec); break;
	case RecordFamily::mount: mount_fields(line, rec); break;
	case RecordFamily::memfd: memfd_fields(line, rec); break;
	default: break;
	}
	write_result_fields(line, rec.result);
	return line;
}

} // namespace guard
