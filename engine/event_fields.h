/* SPDX-License-Identifier: GPL-2.0-or-later */
// The fields rules can test, by name, with their type and the record kinds
// that have them. Names are the output schema's (SCHEMA.md, docs/schema.md),
// plus what the process table adds: "exe" (the process's executable),
// "parent_comm", "parent_exe", and at exec "ancestor_comm"/"ancestor_exe"
// (true when any ancestor, up to 8 levels, matches). Two more exist for
// rules: "any_path" (file_*: path, or new_path for rename and link: a test
// holds if it holds for either) and "modify" on every file_* kind (file_open:
// opened for write, create or truncate; the other kinds always change the
// file system).
//
// Reading a field is a switch over a small enum: no allocation, no lookup by
// name on the hot path (names are resolved when rules compile).
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/cgroup_cache.h"
#include "engine/exe_hashes.h"
#include "engine/process_table.h"
#include "engine/record.h"

namespace guard {

enum class FieldType : uint8_t { string, number, boolean, address };

enum class Field : uint8_t {
	// every kind
	pid, tid, ppid, uid, gid, euid, mnt_ns, pid_ns, cgroup_id, comm, exe, parent_comm, parent_exe, via,
	// exec, exec_failed
	argv, argc, fileless, memfd, execveat, argv_truncated, ancestor_comm, ancestor_exe, cwd, interpreter,
	// shared by exec and file_*
	path, path_truncated, path_given, dev, ino, deleted,
	// result of the syscall (exec_failed, file_*, net_*)
	ok, errno_, error, fd,
	// fork
	child_pid, child_tid, clone_flags,
	// exit
	exit_code, signal,
	// file_*
	new_path, any_path, target, flags, access, modify, mode, owner_uid, owner_gid, path_unresolved, path_from_user,
	by_handle,
	// net_*
	family, addr, port, unix_path, backlog, addr_from_user, raced, count,
	// every kind: the user name of uid; exec: argv joined by spaces; every
	// kind: the parent's (process table); net_*: addr as output writes it
	user, cmdline, parent_cmdline, addr_text,
	// exec: the first argument after argv[0] that is no option (an
	// interpreter's script)
	script,
	// exec: fd 0, 1 or 2 of the new program is a socket; one is an IPv4 or IPv6 socket
	stdio_socket, stdio_inet,
	// the privilege kinds (cred_change ... memfd_create)
	syscall, target_pid, request, name, source, fstype, prog_type,
	// every kind: the task's cgroup v2 path and what it says (cgroup_context.h)
	cgroup, container_id, container_runtime, pod_uid, service, in_container,
	// every kind: the sha256 of the file the process runs, when known (exe_hashes.h)
	exe_sha256,
	// cred_change, in the order of engine/privilege_fields.h: old and new of each
	old_uid, new_uid, old_euid, new_euid, old_suid, new_suid, old_fsuid, new_fsuid,
	old_gid, new_gid, old_egid, new_egid, old_sgid, new_sgid, old_fsgid, new_fsgid,
	old_cap_effective, new_cap_effective, old_cap_permitted, new_cap_permitted,
	old_cap_inheritable, new_cap_inheritable,
	count_,
};

struct FieldInfo {
	std::string_view name;
	FieldType type;
	uint32_t kinds; // bit (1 << kind) for each record kind that has the field
};

const FieldInfo &field_info(Field f);

// The field called name, or false.
bool field_by_name(std::string_view name, Field &out);

constexpr uint32_t kind_bit(uint16_t kind) { return 1u << kind; }

// A record with what the engine knows around it, as rules see it.
struct EventView {
	const Record *rec = nullptr;
	const Process *self = nullptr;   // the process table's entry for rec->header.pid
	const Process *parent = nullptr; // ... for its parent
	const Process *const *ancestors = nullptr; // parent first; exec only
	size_t ancestor_count = 0;
	const CgroupInfo *cgroup = nullptr; // the task's cgroup, when its path is known
	ExeHashes *exe_hashes = nullptr;    // where exe_sha256 is looked up (and a miss queued)
};

// The sha256 (hex) of the file the event's process runs, or empty while not
// known: a lookup in the cache, which queues a first miss for hashing.
std::string_view exe_sha256(const EventView &ev);

// The string value of a string field (argv, cmdline, parent_cmdline: the
// NUL-separated arguments; callers split, or read a NUL as the space
// /proc/PID/cmdline readers print; user, addr_text: empty, rule_match.cpp
// looks the name up and prints the address).
// Empty when absent.
std::string_view string_field(Field f, const EventView &ev);

// The value of a number or boolean field (booleans are 0 or 1).
int64_t number_field(Field f, const EventView &ev);

// "inet"/"inet6"/"unix"/"other"; "read"/"write"/"read_write".
// via_name: "io_uring" for a record of an io_uring request, else "syscall".
std::string_view family_name(uint16_t family);
std::string_view access_name(uint32_t open_flags);
std::string_view via_name(uint16_t header_flags);

} // namespace guard
