/* SPDX-License-Identifier: GPL-2.0-or-later */
// Decoding a raw record from the ring into a view over its bytes. Nothing is
// copied but the fixed fields; strings are views into the record. Every size
// and every string's bounds are checked before use: the decoder never reads
// outside the bytes it was given, whatever they hold.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "abi/guard_abi.h"

namespace guard {

enum class DecodeError : uint8_t {
	none,
	short_record,   // fewer bytes than the header or the kind's fixed part
	size_mismatch,  // header.size differs from the bytes the ring gave
	bad_version,    // written by another ABI version
	unknown_kind,
	string_out_of_bounds,
	count_,
};

const char *decode_error_name(DecodeError e);

// A failed call's errno: its result negated, in 64 bits (a record may hold
// any value, INT32_MIN too); and that errno's name ("ENOENT"), or null past
// the kernel's MAX_ERRNO (4095) or when it has none. No allocation.
inline int64_t failure_errno(int32_t result) { return -int64_t(result); }
const char *errno_name(int64_t err);

// Record kinds that share a layout (abi/guard_abi.h) and so the same fields.
enum class RecordFamily : uint8_t { exec, fork, exit, file, net, cred, target, module, bpf, mount, memfd, unknown };

constexpr RecordFamily record_family(uint16_t kind)
{
	switch (kind) {
	case GUARD_RECORD_EXEC:
	case GUARD_RECORD_EXEC_FAILED: return RecordFamily::exec;
	case GUARD_RECORD_FORK: return RecordFamily::fork;
	case GUARD_RECORD_EXIT: return RecordFamily::exit;
	case GUARD_RECORD_FILE_OPEN:
	case GUARD_RECORD_FILE_RENAME:
	case GUARD_RECORD_FILE_UNLINK:
	case GUARD_RECORD_FILE_CHMOD:
	case GUARD_RECORD_FILE_CHOWN:
	case GUARD_RECORD_FILE_LINK:
	case GUARD_RECORD_FILE_SYMLINK:
	case GUARD_RECORD_FILE_MKDIR: return RecordFamily::file;
	case GUARD_RECORD_NET_CONNECT:
	case GUARD_RECORD_NET_BIND:
	case GUARD_RECORD_NET_LISTEN:
	case GUARD_RECORD_NET_ACCEPT:
	case GUARD_RECORD_NET_SEND: return RecordFamily::net;
	case GUARD_RECORD_CRED_CHANGE: return RecordFamily::cred;
	case GUARD_RECORD_PTRACE:
	case GUARD_RECORD_PROCESS_VM_WRITE:
	case GUARD_RECORD_SIGNAL_AGENT: return RecordFamily::target;
	case GUARD_RECORD_MODULE_LOAD:
	case GUARD_RECORD_MODULE_UNLOAD: return RecordFamily::module;
	case GUARD_RECORD_BPF_PROG_LOAD: return RecordFamily::bpf;
	case GUARD_RECORD_MOUNT:
	case GUARD_RECORD_UMOUNT:
	case GUARD_RECORD_PIVOT_ROOT:
	case GUARD_RECORD_CHROOT:
	case GUARD_RECORD_NAMESPACE: return RecordFamily::mount;
	case GUARD_RECORD_MEMFD_CREATE: return RecordFamily::memfd;
	default: return RecordFamily::unknown;
	}
}

// One decoded record. Which fields mean something depends on the family of
// header.kind (see abi/guard_abi.h); decode_record writes the header, `result`
// and every field of that family, and leaves the other families' fields as
// they were: the engine decodes every record into the same Record, and
// clearing ~280 bytes per record cost more than the rest of the decode. No
// reader looks at another family's fields (rules cannot name them).
struct Record {
	struct guard_header header {};

	// EXEC, EXEC_FAILED (abi/guard_abi.h, struct guard_exec)
	std::string_view exe;         // exec: the file the kernel runs, walked from the new mm
	std::string_view cwd;         // the working directory, walked from the task's fs
	std::string_view interpreter; // exec: exe, when it runs `path` for it (#!, ld.so); set by path_normalize
	std::string_view argv; // NUL-separated
	uint32_t argc = 0;
	uint32_t stdio = 0; // exec: GUARD_STDIO_* of the new program's fds 0-2
	uint64_t ctime_ns = 0; // exec: the executed file's change time (0: unknown)
	// exec: the executed file's sha256 in hex, when the pipeline knows it
	// (engine/exe_hashes.h); set by the pipeline, not decoded
	std::string_view exe_sha256;

	// EXEC, EXEC_FAILED, FILE_*, NET_*, the privilege kinds: the syscall's
	// return (-errno on failure); 0 for the others
	int32_t result = 0;

	// FORK
	uint32_t child_pid = 0;
	uint32_t child_tid = 0;
	uint64_t clone_flags = 0;

	// EXIT
	int32_t exit_code = 0;
	uint32_t signal = 0;

	// EXEC, EXEC_FAILED, FILE_*. For exec, `path` is the program that ran
	// (path_normalize.h) and path_given the name exec was given (decoded
	// always; normalize_record_paths empties it when it says what path
	// does); for a file, the kernel's path and the caller's spelling.
	std::string_view path;
	std::string_view path_given;
	// FILE_*
	std::string_view path2;
	std::string_view path2_given; // as the kernel joined it, when not canonical
	uint32_t open_flags = 0;
	uint32_t mode = 0;
	uint32_t owner_uid = 0;
	uint32_t owner_gid = 0;
	// EXEC, FILE_OPEN that succeeded: the file's identity, dev as stat(2)
	// reports st_dev; both 0 when the record has none.
	uint64_t dev = 0;
	uint64_t ino = 0;

	// NET_*
	uint16_t family = 0;
	uint16_t port = 0;
	uint8_t addr[16] = {};
	std::string_view unix_path;
	uint32_t backlog = 0; // NET_LISTEN
	uint32_t count = 0;   // NET_SEND: the sends this record stands for
	// NET_CONNECT, NET_BIND with GUARD_NET_RACED: the caller's sockaddr
	uint16_t given_family = 0;
	uint16_t given_port = 0;
	uint8_t given_addr[16] = {};
	std::string_view given_unix_path;

	// The privilege kinds (CRED_CHANGE ... MEMFD_CREATE): the syscall's
	// number on this architecture (syscall_name names it).
	int32_t syscall_nr = 0;
	// CRED_CHANGE: task->cred before and after
	struct guard_cred_ids old_ids {};
	struct guard_cred_ids new_ids {};
	// PTRACE, PROCESS_VM_WRITE, SIGNAL_AGENT (guard_target)
	uint32_t target_pid = 0;
	uint32_t target_tid = 0;
	uint64_t request = 0; // ptrace: the request; signal_agent: the signal; process_vm_write: local iovecs
	uint64_t addr_arg = 0; // ptrace: addr; process_vm_write: remote iovecs
	// MODULE_*, BPF_PROG_LOAD, MOUNT ... NAMESPACE, MEMFD_CREATE: the call's
	// flags (module: MODULE_INIT_* or O_*; bpf: prog_flags; mount: MS_*;
	// umount: MNT_*; namespace: CLONE_* or setns's nstype; memfd: MFD_*)
	uint64_t call_flags = 0;
	int32_t call_fd = -1; // finit_module, setns: the fd given
	uint32_t ns_ino = 0;  // NAMESPACE (setns): the inode number of the fd's file
	uint64_t image_len = 0; // init_module
	// MODULE_* (module name), BPF_PROG_LOAD (program name), MEMFD_CREATE
	std::string_view name;
	std::string_view params; // MODULE_LOAD
	std::string_view fstype; // MOUNT
	// BPF_PROG_LOAD
	uint32_t prog_type = 0;
	uint32_t attach_type = 0;
	uint32_t insn_cnt = 0;
	// MODULE_* and MOUNT ... NAMESPACE use path and path2 (see abi/guard_abi.h);
	// MEMFD_CREATE uses dev and ino.
};

DecodeError decode_record(std::span<const uint8_t> bytes, Record &out);

// The record kind's name as it appears in output ("exec", "file_open", ...),
// or empty for a kind this build does not know. A view of a literal: its
// length is known without a strlen on every event line.
std::string_view record_kind_name(uint16_t kind);

// The name of a syscall a privilege record can carry ("setresuid"), by its
// number on this architecture; empty for another.
std::string_view syscall_name(int32_t nr);

} // namespace guard
