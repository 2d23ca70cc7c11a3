/* SPDX-License-Identifier: GPL-2.0-only */
/* Privilege and tamper signals: credential changes (setuid ... capset),
 * ptrace and process_vm_writev, kernel modules, BPF program loads,
 * memfd_create, and signals aimed at guard itself.
 *
 * As for files, the enter keeps what the caller gave and the exit writes
 * the record with the result. What the kernel keeps is read from its
 * objects: credentials from task->cred before and after, a loaded BPF
 * program's type and name from the struct bpf_prog behind its fd, a
 * memfd's name and inode from its file, chroot's new root from fs->root,
 * setns's namespace from its file's inode. Strings only the caller holds (a mount's
 * paths, a module's name) are read at enter and flagged as the caller's.
 * Mounts, chroot and namespaces are in kern/mount.bpf.h.
 */
#ifndef GUARD_KERN_PRIVILEGE_BPF_H
#define GUARD_KERN_PRIVILEGE_BPF_H

#include <linux/bpf.h>

#include "common.bpf.h"
#include "path.bpf.h"

/* Every privilege record starts as this: the header, then the syscall's
 * number and its result. */
struct guard_call_head {
	struct guard_header header;
	__s32 syscall_nr;
	__s32 result;
};

/* At a syscall's exit: the scratch, with the head of a record of this kind
 * written; NULL when there is no scratch. */
static __always_inline void *call_record(struct syscall_exit_entry *ctx, __u16 kind)
{
	struct guard_call_head *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, kind);
	rec->syscall_nr = ctx->syscall_nr;
	rec->result = ctx->ret;
	return rec;
}

/* ---- credentials ---- */

static __always_inline void read_cred_ids(struct guard_cred_ids *ids)
{
	const struct cred *cred = current_task_readonly()->cred;
	ids->uid = cred->uid.val;
	ids->euid = cred->euid.val;
	ids->suid = cred->suid.val;
	ids->fsuid = cred->fsuid.val;
	ids->gid = cred->gid.val;
	ids->egid = cred->egid.val;
	ids->sgid = cred->sgid.val;
	ids->fsgid = cred->fsgid.val;
	ids->cap_effective = cred->cap_effective.val;
	ids->cap_permitted = cred->cap_permitted.val;
	ids->cap_inheritable = cred->cap_inheritable.val;
}

/* The credentials before the call, kept in the slot's strings (the call
 * has no string of its own). */
SEC("tracepoint/syscalls/"
    "sys_enter_setuid,sys_enter_setgid,sys_enter_setreuid,sys_enter_setregid,sys_enter_setresuid,"
    "sys_enter_setresgid,sys_enter_setfsuid,sys_enter_setfsgid,sys_enter_capset")
int priv_cred_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = begin_call(ctx, GUARD_RECORD_CRED_CHANGE);
	if (slot)
		read_cred_ids((struct guard_cred_ids *)slot->strings);
	return 0;
}

/* A call that changed nothing and did not fail is no news (setfsuid(-1)
 * asks for the fsuid; a root daemon sets the ids it has): only changes
 * and refusals make records. */
SEC("tracepoint/syscalls/"
    "sys_exit_setuid,sys_exit_setgid,sys_exit_setreuid,sys_exit_setregid,sys_exit_setresuid,"
    "sys_exit_setresgid,sys_exit_setfsuid,sys_exit_setfsgid,sys_exit_capset")
int priv_cred_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || kind != GUARD_RECORD_CRED_CHANGE)
		return 0;
	struct guard_cred *rec = scratch_record();
	if (!rec)
		return 0;
	__builtin_memcpy(&rec->old_ids, slot->strings, sizeof(rec->old_ids));
	read_cred_ids(&rec->new_ids);
	if (ctx->ret >= 0 && same_bytes((const char *)&rec->old_ids, (const char *)&rec->new_ids, sizeof(rec->old_ids)))
		return 0;
	fill_header(&rec->header, kind);
	rec->syscall_nr = ctx->syscall_nr;
	rec->result = ctx->ret;
	submit(&rec->header, sizeof(*rec));
	return 0;
}

/* ---- ptrace, process_vm_writev, signals to the agent ---- */

/* ptrace requests that take hold of a process or change it; the rest
 * (PEEK*, GETREGS, CONT, ...) are what a debugger does thousands of times
 * once attached, and make no record. */
static __always_inline int ptrace_takes_hold(__u64 request)
{
	switch (request) {
	case 0:      /* PTRACE_TRACEME */
	case 4:      /* PTRACE_POKETEXT */
	case 5:      /* PTRACE_POKEDATA */
	case 6:      /* PTRACE_POKEUSER */
	case 13:     /* PTRACE_SETREGS */
	case 15:     /* PTRACE_SETFPREGS */
	case 16:     /* PTRACE_ATTACH */
	case 0x4205: /* PTRACE_SETREGSET */
	case 0x4206: /* PTRACE_SEIZE */
		return 1;
	default:
		return 0;
	}
}

/* slot->target.at_agent of a kill, tkill or tgkill: the signal is for the agent. */
#define GUARD_PENDING_AT_AGENT 1

static __always_inline struct pending_call *remember_target(struct syscall_enter_entry *ctx, __u16 kind, __u32 pid,
							   __u32 tid, __u64 request, __u64 addr)
{
	struct pending_call *slot = begin_call(ctx, kind);
	if (!slot)
		return 0;
	slot->target.pid = pid;
	slot->target.tid = tid;
	slot->target.request = request;
	slot->target.addr = addr;
	return slot;
}

/* ptrace(request, pid, addr, data) */
SEC("tracepoint/syscalls/sys_enter_ptrace")
int priv_ptrace_enter(struct syscall_enter_entry *ctx)
{
	if (ptrace_takes_hold(ctx->args[0]))
		remember_target(ctx, GUARD_RECORD_PTRACE, ctx->args[1], 0, ctx->args[0], ctx->args[2]);
	return 0;
}

/* process_vm_writev(pid, local_iov, liovcnt, remote_iov, riovcnt, flags) */
SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int priv_process_vm_writev_enter(struct syscall_enter_entry *ctx)
{
	remember_target(ctx, GUARD_RECORD_PROCESS_VM_WRITE, ctx->args[0], 0, ctx->args[2], ctx->args[4]);
	return 0;
}

/* A signal whose target is the agent by number: its tgid is the initial
 * pid namespace's, so the number means the agent only for a caller there.
 * Other routes to it (kill(-1), a process group, a caller in the agent's
 * own namespace) are caught by signal_generate below. */
static __always_inline void remember_signal(struct syscall_enter_entry *ctx, __u32 pid, __u32 tid, __u64 sig)
{
	if (!guard_agent_tgid)
		return;
	struct pending_call *slot = remember_target(ctx, GUARD_RECORD_SIGNAL_AGENT, pid, tid, sig, 0);
	if (!slot)
		return;
	__u32 named = pid ? pid : tid;
	if (named == guard_agent_tgid && current_task_readonly()->thread_pid->level == 0)
		slot->target.at_agent = GUARD_PENDING_AT_AGENT;
}

/* kill(pid, sig) */
SEC("tracepoint/syscalls/sys_enter_kill")
int priv_kill_enter(struct syscall_enter_entry *ctx)
{
	remember_signal(ctx, ctx->args[0], 0, ctx->args[1]);
	return 0;
}

/* tkill(tid, sig) */
SEC("tracepoint/syscalls/sys_enter_tkill")
int priv_tkill_enter(struct syscall_enter_entry *ctx)
{
	remember_signal(ctx, 0, ctx->args[0], ctx->args[1]);
	return 0;
}

/* tgkill(tgid, tid, sig) */
SEC("tracepoint/syscalls/sys_enter_tgkill")
int priv_tgkill_enter(struct syscall_enter_entry *ctx)
{
	remember_signal(ctx, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

/* In the sender, as the kernel queues a signal for a task (its pid in the
 * initial namespace): a kill on its way to the agent's main thread, by
 * whatever route, marks the sender's pending call. */
SEC("tracepoint/signal/signal_generate")
int priv_signal_generate(struct signal_generate_entry *ctx)
{
	if (!guard_agent_tgid || (__u32)ctx->pid != guard_agent_tgid)
		return 0;
	struct pending_call *slot = pending_slot();
	if (slot && slot->kind == GUARD_RECORD_SIGNAL_AGENT)
		slot->target.at_agent = GUARD_PENDING_AT_AGENT;
	return 0;
}

SEC("tracepoint/syscalls/"
    "sys_exit_ptrace,sys_exit_process_vm_writev,sys_exit_kill,sys_exit_tkill,sys_exit_tgkill")
int priv_target_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || (kind != GUARD_RECORD_PTRACE && kind != GUARD_RECORD_PROCESS_VM_WRITE &&
		      kind != GUARD_RECORD_SIGNAL_AGENT))
		return 0;
	if (kind == GUARD_RECORD_SIGNAL_AGENT && slot->target.at_agent != GUARD_PENDING_AT_AGENT)
		return 0;
	struct guard_target *rec = call_record(ctx, kind);
	if (!rec)
		return 0;
	rec->target_pid = slot->target.pid;
	rec->target_tid = slot->target.tid;
	rec->request = slot->target.request;
	rec->addr = slot->target.addr;
	submit(&rec->header, sizeof(*rec));
	return 0;
}

/* ---- kernel modules ---- */

/* At enter: the module file's fd (-1: none), the flags, the image's
 * length, and one string of the caller's (params in half 1, or the name to
 * delete in half 0). */
static __always_inline void remember_module(struct syscall_enter_entry *ctx, __u16 kind, __s32 fd, __u32 flags,
					    __u64 image_len, int half, __u64 ustr)
{
	struct pending_call *slot = begin_call(ctx, kind);
	if (!slot)
		return;
	slot->module.fd = fd;
	slot->module.flags = flags;
	slot->module.image_len = image_len;
	__u16 n = keep_user_string(slot, half, (const char *)ustr);
	if (half)
		slot->path2_len = n;
	else
		slot->path_len = n;
}

/* init_module(image, len, params) */
SEC("tracepoint/syscalls/sys_enter_init_module")
int priv_init_module_enter(struct syscall_enter_entry *ctx)
{
	remember_module(ctx, GUARD_RECORD_MODULE_LOAD, -1, 0, ctx->args[1], 1, ctx->args[2]);
	return 0;
}

/* finit_module(fd, params, flags) */
SEC("tracepoint/syscalls/sys_enter_finit_module")
int priv_finit_module_enter(struct syscall_enter_entry *ctx)
{
	remember_module(ctx, GUARD_RECORD_MODULE_LOAD, ctx->args[0], ctx->args[2], 0, 1, ctx->args[1]);
	return 0;
}

/* delete_module(name, flags) */
SEC("tracepoint/syscalls/sys_enter_delete_module")
int priv_delete_module_enter(struct syscall_enter_entry *ctx)
{
	remember_module(ctx, GUARD_RECORD_MODULE_UNLOAD, -1, ctx->args[1], 0, 0, ctx->args[0]);
	return 0;
}

/* A string kept at enter (half 0 or 1 of the slot) into the record at end
 * as s; from_user is the record flag that says so, when there is one. */
static __always_inline __u32 put_kept(void *rec, __u32 end, struct guard_string *s, struct pending_call *slot, int half,
				      __u16 from_user)
{
	__u32 n = half ? slot->path2_len : slot->path_len;
	s->offset = end;
	s->length = copy_kept((char *)rec + (end & GUARD_OFFSET_MASK), slot->strings + (half ? GUARD_PENDING_HALF : 0), n);
	if (n)
		((struct guard_header *)rec)->flags |= from_user;
	return end + s->length + 1;
}

SEC("tracepoint/syscalls/sys_exit_init_module,sys_exit_finit_module,sys_exit_delete_module")
int priv_module_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || (kind != GUARD_RECORD_MODULE_LOAD && kind != GUARD_RECORD_MODULE_UNLOAD))
		return 0;
	struct guard_module *rec = call_record(ctx, kind);
	if (!rec)
		return 0;
	rec->flags = slot->module.flags;
	rec->fd = slot->module.fd;
	rec->image_len = slot->module.image_len;
	rec->reserved = 0;
	__u32 end = put_kept(rec, sizeof(*rec), &rec->name, slot, 0, GUARD_MODULE_NAME_FROM_USER);
	end = put_kept(rec, end, &rec->params, slot, 1, GUARD_MODULE_PARAMS_FROM_USER);
	struct file *file = task_file(slot->module.fd);
	struct path path = {};
	if (file) {
		path.dentry = file->f_path.dentry;
		path.mnt = file->f_path.mnt;
	}
	if (path.dentry && path.mnt)
		end = put_kernel_path((struct guard_scratch *)rec, end, &rec->path, &path, GUARD_MODULE_PATH_TRUNCATED);
	else
		put_empty_string(end, &rec->path);
	submit(&rec->header, end);
	return 0;
}

/* ---- BPF programs ---- */

/* The head of bpf_attr's BPF_PROG_LOAD part, up to expected_attach_type. */
#define GUARD_PROG_LOAD_ATTR (__builtin_offsetof(union bpf_attr, expected_attach_type) + 4)

/* bpf(cmd, attr, size): only BPF_PROG_LOAD, whose attr is copied at enter. */
SEC("tracepoint/syscalls/sys_enter_bpf")
int priv_bpf_enter(struct syscall_enter_entry *ctx)
{
	if (ctx->args[0] != BPF_PROG_LOAD)
		return 0;
	struct pending_call *slot = begin_call(ctx, GUARD_RECORD_BPF_PROG_LOAD);
	if (!slot)
		return 0;
	__u32 size = ctx->args[2];
	if (size > GUARD_PROG_LOAD_ATTR)
		size = GUARD_PROG_LOAD_ATTR;
	__builtin_memset(slot->strings, 0, GUARD_PROG_LOAD_ATTR);
	/* The mask tells the verifier what the test above did not. */
	if (bpf_probe_read_user(slot->strings, size & 127, (const void *)ctx->args[1]) == 0)
		slot->path_len = size;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bpf")
int priv_bpf_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || kind != GUARD_RECORD_BPF_PROG_LOAD)
		return 0;
	struct guard_bpf_load *rec = call_record(ctx, kind);
	if (!rec)
		return 0;
	const union bpf_attr *attr = (const union bpf_attr *)slot->strings;
	rec->insn_cnt = attr->insn_cnt;
	rec->prog_flags = attr->prog_flags;
	struct file *file = ctx->ret >= 0 ? task_file(ctx->ret) : 0;
	struct bpf_prog *prog = file ? kernel_ptr(struct bpf_prog, file->private_data) : 0;
	if (prog && prog->aux) {
		rec->prog_type = prog->type;
		rec->expected_attach_type = prog->expected_attach_type;
		bpf_probe_read_kernel(rec->prog_name, sizeof(rec->prog_name), prog->aux->name);
	} else {
		rec->header.flags |= GUARD_BPF_NAME_FROM_USER;
		rec->prog_type = attr->prog_type;
		rec->expected_attach_type = attr->expected_attach_type;
		__builtin_memcpy(rec->prog_name, attr->prog_name, sizeof(rec->prog_name));
	}
	submit(&rec->header, sizeof(*rec));
	return 0;
}

/* ---- memfd_create ---- */

/* memfd_create(name, flags) */
SEC("tracepoint/syscalls/sys_enter_memfd_create")
int priv_memfd_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = begin_call(ctx, GUARD_RECORD_MEMFD_CREATE);
	if (!slot)
		return 0;
	slot->memfd.flags = ctx->args[1];
	slot->upath = ctx->args[0];
	slot->path_len = keep_user_string(slot, 0, (const char *)ctx->args[0]);
	return 0;
}

/* The kernel names a memfd's file "memfd:<name>". */
#define GUARD_MEMFD_PREFIX 6

SEC("tracepoint/syscalls/sys_exit_memfd_create")
int priv_memfd_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || kind != GUARD_RECORD_MEMFD_CREATE)
		return 0;
	struct guard_memfd *rec = call_record(ctx, kind);
	if (!rec)
		return 0;
	rec->flags = slot->memfd.flags;
	rec->dev = 0;
	rec->ino = 0;
	rec->reserved = 0;
	__u32 end = sizeof(*rec);
	char *name = (char *)rec + end;
	rec->name.offset = end;
	struct file *file = ctx->ret >= 0 ? task_file(ctx->ret) : 0;
	long n = 0;
	if (file) {
		rec->ino = file->f_inode->i_ino;
		rec->dev = file->f_inode->i_sb->s_dev;
		const unsigned char *kname = file->f_path.dentry->d_name.name;
		n = bpf_probe_read_kernel_str(name, GUARD_PENDING_HALF, kname + GUARD_MEMFD_PREFIX);
	}
	if (n < 1) {
		rec->header.flags |= GUARD_MEMFD_NAME_FROM_USER;
		n = copy_kept(name, slot->strings, slot->path_len) + 1;
	}
	rec->name.length = n - 1;
	submit(&rec->header, end + n);
	return 0;
}

#endif
