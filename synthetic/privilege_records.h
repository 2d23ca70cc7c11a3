/* SPDX-License-Identifier: GPL-2.0-or-later */
// Raw records of the privilege kinds (cred_change ... memfd_create), laid
// out as kern/privilege.bpf.h writes them.
#pragma once

#include <sys/syscall.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "synthetic/record_builders.h"

namespace guard::synthetic {

inline struct guard_cred_ids cred_ids(uint32_t uid, uint32_t euid, uint64_t caps = 0)
{
	struct guard_cred_ids ids {};
	ids.uid = uid;
	ids.euid = euid;
	ids.suid = 0;
	ids.fsuid = euid;
	ids.cap_effective = caps;
	ids.cap_permitted = caps;
	return ids;
}

inline std::vector<uint8_t> cred_record(const Task &t, const struct guard_cred_ids &old_ids,
					const struct guard_cred_ids &new_ids, int32_t result = 0,
					int32_t nr = SYS_setresuid)
{
	RecordBuilder b(GUARD_RECORD_CRED_CHANGE, sizeof(struct guard_cred), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_cred c {};
	c.header = header_of(b);
	c.syscall_nr = nr;
	c.result = result;
	c.old_ids = old_ids;
	c.new_ids = new_ids;
	b.put(c);
	return b.done();
}

// ptrace (request), process_vm_write (local iovecs), signal_agent (the signal).
inline std::vector<uint8_t> target_record(const Task &t, uint16_t kind, int32_t nr, uint32_t target_pid,
					  uint64_t request, int32_t result = 0)
{
	RecordBuilder b(kind, sizeof(struct guard_target), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_target x {};
	x.header = header_of(b);
	x.syscall_nr = nr;
	x.result = result;
	x.target_pid = target_pid;
	x.request = request;
	x.addr = 1;
	b.put(x);
	return b.done();
}

inline std::vector<uint8_t> module_record(const Task &t, uint16_t kind, int32_t nr, std::string_view name,
					  std::string_view path, std::string_view params, int32_t result = 0)
{
	RecordBuilder b(kind, sizeof(struct guard_module), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_module m {};
	m.header = header_of(b);
	m.syscall_nr = nr;
	m.result = result;
	m.fd = path.empty() ? -1 : 3;
	m.image_len = path.empty() ? 4096 : 0;
	m.name = b.add(name);
	m.path = b.add(path);
	m.params = b.add(params);
	b.put(m);
	return b.done();
}

inline std::vector<uint8_t> bpf_load_record(const Task &t, std::string_view name, uint32_t prog_type,
					    int32_t result = 5)
{
	RecordBuilder b(GUARD_RECORD_BPF_PROG_LOAD, sizeof(struct guard_bpf_load), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_bpf_load p {};
	p.header = header_of(b);
	p.syscall_nr = SYS_bpf;
	p.result = result;
	p.prog_type = prog_type;
	p.insn_cnt = 2;
	std::memcpy(p.prog_name, name.data(), std::min(name.size(), sizeof(p.prog_name)));
	b.put(p);
	return b.done();
}

// mount (path: target, path2: source), umount, pivot_root, chroot, namespace.
inline std::vector<uint8_t> mount_record(const Task &t, uint16_t kind, int32_t nr, std::string_view path,
					 std::string_view path2 = {}, std::string_view fstype = {}, uint64_t flags = 0,
					 int32_t result = 0)
{
	RecordBuilder b(kind, sizeof(struct guard_mount), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_mount m {};
	m.header = header_of(b);
	m.syscall_nr = nr;
	m.result = result;
	m.flags = flags;
	m.fd = -1;
	m.path = b.add(path);
	m.path2 = b.add(path2);
	m.fstype = b.add(fstype);
	b.put(m);
	return b.done();
}

inline std::vector<uint8_t> memfd_record(const Task &t, std::string_view name, uint64_t ino, int32_t result = 3)
{
	RecordBuilder b(GUARD_RECORD_MEMFD_CREATE, sizeof(struct guard_memfd), t.pid, t.ppid, t.comm, t.boot_ns);
	struct guard_memfd m {};
	m.header = header_of(b);
	m.syscall_nr = SYS_memfd_create;
	m.result = result;
	m.flags = 1;
	m.dev = 1;
	m.ino = ino;
	m.name = b.add(name);
	b.put(m);
	return b.done();
}

// One record of each privilege kind; the ones that a default rule takes
// say which.
inline void add_privilege_mix(std::vector<std::vector<uint8_t>> &v, const Task &t)
{
	v.push_back(cred_record(t, cred_ids(65534, 65534), cred_ids(0, 0, 0x1ff))); // ROOT_GAINED
	v.push_back(cred_record(t, cred_ids(0, 0, 0x1ff), cred_ids(0, 0, 0xff), 0, SYS_capset));
	v.push_back(target_record(t, GUARD_RECORD_PTRACE, SYS_ptrace, 77, 16));      // PTRACE_ATTACH
	v.push_back(target_record(t, GUARD_RECORD_PTRACE, SYS_ptrace, 0, 0));        // PTRACE_TRACEME: no rule
	v.push_back(target_record(t, GUARD_RECORD_PROCESS_VM_WRITE, SYS_process_vm_writev, 77, 1, 8)); // PROCESS_MEMORY_WRITE
	v.push_back(target_record(t, GUARD_RECORD_SIGNAL_AGENT, SYS_kill, 55, 15));  // AGENT_SIGNALED
	v.push_back(module_record(t, GUARD_RECORD_MODULE_LOAD, SYS_finit_module, {}, "/tmp/rk.ko", "x=1")); // KERNEL_MODULE
	v.push_back(module_record(t, GUARD_RECORD_MODULE_UNLOAD, SYS_delete_module, "rk", {}, {}, -2));    // KERNEL_MODULE
	v.push_back(bpf_load_record(t, "sixteen_bytes_xx", 1));                     // BPF_PROG_LOAD
	v.push_back(mount_record(t, GUARD_RECORD_MOUNT, SYS_mount, "/mnt/x", "none", "tmpfs", 2));
	v.push_back(mount_record(t, GUARD_RECORD_UMOUNT, SYS_umount2, "/mnt/x", {}, {}, 2));
	v.push_back(mount_record(t, GUARD_RECORD_PIVOT_ROOT, SYS_pivot_root, "/new", "/new/old"));
	v.push_back(mount_record(t, GUARD_RECORD_CHROOT, SYS_chroot, std::string_view("/jail\"\xff\x01", 8)));
	v.push_back(mount_record(t, GUARD_RECORD_NAMESPACE, SYS_unshare, {}, {}, {}, 0x20000));
	v.push_back(memfd_record(t, std::string_view("x\n\xfe", 3), 4242));
}

} // namespace guard::synthetic
