/* SPDX-License-Identifier: GPL-2.0-only */
/* Process events: exec (and failed exec), fork of a new process, exit.
 *
 * A successful exec is reported from sched/sched_process_exec, which fires
 * only after the point of no return, in the new program, where the kernel's
 * own objects say what runs: the file the new mm maps (mm->exe_file, walked
 * to its absolute path: symlinks resolved, the interpreter of a script), the
 * working directory, the arguments in the new stack. The name exec was given
 * comes from the tracepoint, which copies the kernel's own bprm->filename.
 * sched/sched_prepare_exec tells whether the kernel put an interpreter in
 * (#!, binfmt_misc). execve and execveat copy their path and argv at
 * sys_enter, so that sys_exit can report a failed exec with what it was
 * given, and sched_process_exec can tell an execveat. Forks are reported
 * from sched/sched_process_fork, which fires for threads too: the clone
 * flags kept at the clone's sys_enter tell them apart.
 */
#ifndef GUARD_KERN_PROCESS_BPF_H
#define GUARD_KERN_PROCESS_BPF_H

#include <linux/fcntl.h>
#include <linux/sched.h>

#include "common.bpf.h"
#include "enforce.bpf.h"
#include "path.bpf.h"

/* Arguments guard reads from argv at most; with GUARD_ARGV_MAX this bounds
 * the work of a failed exec. */
#define GUARD_ARGV_MAX_ARGS 64

/* Where put_user_argv's step is: the buffer, the argv array and the offset
 * the next argument goes to. That offset lives in the scratch's work area,
 * not on the stack, for the reason walk_step's does (kern/path.bpf.h). */
struct argv_copy {
	char *buf;
	const char *const *argv;
	__u32 *endp;
	__u32 argc;
	int truncated;
	int done;     /* argv ended, or room did */
};

/* Copies argument i, NUL-terminated, after the ones before it. */
static long argv_step(__u64 i, struct argv_copy *c)
{
	const char *arg = 0;
	if (bpf_probe_read_user(&arg, sizeof(arg), &c->argv[i]) != 0 || !arg) {
		c->done = 1;
		return 1;
	}
	__u32 used = *c->endp;
	if (used >= GUARD_ARGV_MAX) {
		c->truncated = 1;
		c->done = 1;
		return 1;
	}
	__u32 room = GUARD_ARGV_MAX - used;
	long n = bpf_probe_read_user_str(c->buf + (used & (GUARD_ARGV_MAX - 1)), room & (GUARD_ARGV_MAX * 2 - 1), arg);
	if (n < 1) {
		c->done = 1;
		return 1;
	}
	if ((__u32)n == room)
		c->truncated = 1;
	*c->endp = used + n;
	c->argc++;
	return 0;
}

/* At execve's enter: copies argv (a user array of string pointers)
 * NUL-separated into the slot's second half, through the scratch (the
 * loop's writes need a buffer the verifier can bound at every step). */
static __always_inline void keep_user_argv(struct pending_call *slot, const char *const *argv)
{
	char *scratch = scratch_record();
	if (!scratch)
		return;
	struct argv_copy c = {};
	c.buf = scratch;
	c.argv = argv;
	c.endp = (__u32 *)(scratch + GUARD_SCRATCH_CURSOR);
	*c.endp = 0;
	bpf_loop(GUARD_ARGV_MAX_ARGS, argv_step, &c, 0);
	/* Arguments are left over only if argv goes on. */
	if (!c.done) {
		const char *more = 0;
		bpf_probe_read_user(&more, sizeof(more), &argv[GUARD_ARGV_MAX_ARGS]);
		if (more)
			c.truncated = 1;
	}
	__u32 n = *c.endp;
	if (n > GUARD_PENDING_HALF) {
		n = GUARD_PENDING_HALF;
		c.truncated = 1;
	}
	bpf_probe_read_kernel(slot->strings + GUARD_PENDING_HALF, n, scratch);
	slot->path2_len = n;
	slot->exec.argc = c.argc;
	if (c.truncated)
		slot->flags |= GUARD_EXEC_ARGV_TRUNCATED;
}

static __always_inline void remember_exec(struct syscall_enter_entry *ctx, __u16 flags, const char *path,
					  const char *const *argv)
{
	struct pending_call *slot = begin_call(ctx, GUARD_RECORD_EXEC_FAILED);
	if (!slot)
		return;
	slot->flags = flags;
	slot->upath = (__u64)path;
	slot->upath2 = (__u64)argv;
	slot->path_len = keep_user_string(slot, 0, path);
	keep_user_argv(slot, argv);
}

/* execve(path, argv, envp) */
SEC("tracepoint/syscalls/sys_enter_execve")
int process_execve_enter(struct syscall_enter_entry *ctx)
{
	remember_exec(ctx, 0, (const char *)ctx->args[0], (const char *const *)ctx->args[1]);
	return 0;
}

/* execveat(dfd, path, argv, envp, flags). With AT_EMPTY_PATH and an empty
 * path it executes the file open as dfd: nothing on disk need name it. */
SEC("tracepoint/syscalls/sys_enter_execveat")
int process_execveat_enter(struct syscall_enter_entry *ctx)
{
	__u16 flags = GUARD_EXEC_EXECVEAT;
	if (ctx->args[4] & AT_EMPTY_PATH) {
		char first = 1;
		bpf_probe_read_user(&first, 1, (const char *)ctx->args[1]);
		if (first == 0)
			flags |= GUARD_EXEC_FILELESS;
	}
	remember_exec(ctx, flags, (const char *)ctx->args[1], (const char *const *)ctx->args[2]);
	return 0;
}

/* The working directory, walked from fs->pwd, as the record's cwd. */
static __always_inline __u32 put_cwd(struct guard_exec *rec, __u32 end)
{
	struct path pwd = {};
	task_fs_path(1, &pwd);
	if (!pwd.dentry || !pwd.mnt) {
		put_empty_string(end, &rec->cwd);
		return end;
	}
	return put_kernel_path((struct guard_scratch *)rec, end, &rec->cwd, &pwd, GUARD_EXEC_CWD_TRUNCATED);
}

/* A failed exec returns to the caller: the record has what it was given,
 * as copied at enter. A successful one was reported by sched_process_exec.
 * One program for both syscalls' exits (see file_exit). */
SEC("tracepoint/syscalls/sys_exit_execve,sys_exit_execveat")
int process_exec_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || kind != GUARD_RECORD_EXEC_FAILED || ctx->ret >= 0)
		return 0;
	struct guard_exec *rec = scratch_record();
	if (!rec)
		return 0;
	/* Not read at enter (the caller's page was not in memory then): now. */
	if (!slot->path_len && slot->upath) {
		slot->path_len = keep_user_string(slot, 0, (const char *)slot->upath);
		slot->flags |= GUARD_EXEC_READ_AT_EXIT;
	}
	if (!slot->exec.argc && slot->upath2) {
		keep_user_argv(slot, (const char *const *)slot->upath2);
		slot->flags |= slot->exec.argc ? GUARD_EXEC_READ_AT_EXIT : 0;
	}
	fill_header(&rec->header, GUARD_RECORD_EXEC_FAILED);
	rec->header.flags = slot->flags | GUARD_EXEC_FROM_USER;
	rec->result = ctx->ret;
	rec->ino = 0;
	rec->dev = 0;
	rec->ctime_ns = 0;
	rec->stdio = 0;
	__u32 end = sizeof(*rec);
	rec->path_given.offset = end;
	rec->path_given.length = copy_kept((char *)rec + end, slot->strings, slot->path_len);
	end += rec->path_given.length + 1;
	put_empty_string(end, &rec->exe);
	end = put_cwd(rec, end);
	__u32 n = slot->path2_len;
	char *argv = (char *)rec + (end & GUARD_OFFSET_MASK);
	if (n > GUARD_PENDING_HALF)
		n = GUARD_PENDING_HALF;
	bpf_probe_read_kernel(argv, n, slot->strings + GUARD_PENDING_HALF);
	rec->argv.offset = end;
	/* The length leaves out the last argument's NUL. */
	rec->argv.length = n ? n - 1 : 0;
	rec->argc = slot->exec.argc;
	submit(&rec->header, end + n);
	return 0;
}

/* Whether the two __data_loc strings of a tracepoint entry differ. */
static __always_inline int loc_strings_differ(void *entry, __u32 loc_a, __u32 loc_b)
{
	__u32 len = loc_a >> 16;
	if (len != loc_b >> 16)
		return 1;
	__u64 *buf = scratch_record();
	if (!buf || len == 0)
		return 0;
	/* Both into the scratch, and compared there (names longer than 2 KiB
	 * by their first 2 KiB). */
	if (len > 2048)
		len = 2048;
	bpf_probe_read_kernel(buf, len, (char *)entry + (loc_a & 0xffff));
	bpf_probe_read_kernel(buf + 512, len, (char *)entry + (loc_b & 0xffff));
	return !same_bytes((const char *)buf, (const char *)(buf + 512), len);
}

/* Before the point of no return: when the file the kernel runs is not the
 * one exec was named (an interpreter was put in), sched_process_exec's exe
 * is that interpreter and filename the script; note it in the slot. An exec
 * the kernel started itself (a usermode helper) has no slot yet: it gets one. */
SEC("tracepoint/sched/sched_prepare_exec")
int process_prepare_exec(struct sched_prepare_exec_entry *ctx)
{
	if (is_agent() || !loc_strings_differ(ctx, ctx->interp_loc, ctx->filename_loc))
		return 0;
	struct pending_call *slot = own_slot();
	if (!slot)
		return 0;
	if (slot->kind != GUARD_RECORD_EXEC_FAILED) {
		__builtin_memset(slot, 0, __builtin_offsetof(struct pending_call, strings));
		slot->syscall_nr = -1;
		slot->kind = GUARD_RECORD_EXEC_FAILED;
	}
	slot->flags |= GUARD_EXEC_INTERPRETED;
	return 0;
}

/* The file the new program runs from: its absolute path, identity, and
 * whether it still has a name. A memfd's file is named "memfd:<name>" and
 * nothing on disk holds it. */
static __always_inline __u32 put_exe(struct guard_exec *rec, __u32 end, struct file *exe)
{
	struct path path = {};
	if (exe) {
		path.dentry = exe->f_path.dentry;
		path.mnt = exe->f_path.mnt;
	}
	if (!path.dentry || !path.mnt) {
		put_empty_string(end, &rec->exe);
		return end;
	}
	rec->ino = exe->f_inode->i_ino;
	rec->dev = exe->f_inode->i_sb->s_dev;
	rec->ctime_ns = inode_ctime_ns(exe->f_inode);
	if (dentry_deleted(path.dentry))
		rec->header.flags |= GUARD_EXEC_EXE_DELETED;
	char name[6] = {};
	bpf_probe_read_kernel(name, sizeof(name), path.dentry->d_name.name);
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':')
		rec->header.flags |= GUARD_EXEC_MEMFD | GUARD_EXEC_FILELESS;
	return put_kernel_path((struct guard_scratch *)rec, end, &rec->exe, &path, GUARD_EXEC_EXE_TRUNCATED);
}

/* Whether fd 0, 1 or 2 of the new program is a socket (GUARD_STDIO_SOCKET)
 * and whether one is an IPv4 or IPv6 one (GUARD_STDIO_INET): the shape of
 * a reverse shell. Read from the task's fd table at sched_process_exec, when
 * exec has closed the close-on-exec files: what the new program holds, not
 * what its parent meant it to. The type is the inode's (S_IFSOCK); the family
 * is the struct sock's, behind the socket file's private_data. */
static __always_inline __u32 stdio_socket_flags(void)
{
	__u32 flags = 0;
	for (__s32 fd = 0; fd < 3; fd++) {
		struct file *file = task_file(fd);
		if (!file || (file->f_inode->i_mode & 0170000) != 0140000)
			continue;
		flags |= GUARD_STDIO_SOCKET;
		struct socket *sock = kernel_ptr(struct socket, file->private_data);
		if (!sock->sk)
			continue;
		unsigned short family = sock->sk->__sk_common.skc_family;
		if (family == 2 /* AF_INET */ || family == 10 /* AF_INET6 */)
			flags |= GUARD_STDIO_INET;
	}
	return flags;
}

SEC("tracepoint/sched/sched_process_exec")
int process_exec(struct sched_process_exec_entry *ctx)
{
	if (is_agent())
		return 0;
	struct guard_exec *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, GUARD_RECORD_EXEC);
	rec->result = 0;
	rec->ino = 0;
	rec->dev = 0;
	rec->ctime_ns = 0;

	/* The entry kept at execve's enter (or by prepare_exec) is on this
	 * task still (a non-leader thread that execs keeps its task_struct
	 * and takes the leader's pid): execveat, fileless, interpreted. */
	struct pending_call *slot = take_call(GUARD_RECORD_EXEC_FAILED);
	if (slot)
		rec->header.flags |= slot->flags & (GUARD_EXEC_EXECVEAT | GUARD_EXEC_FILELESS | GUARD_EXEC_INTERPRETED);

	const char *filename = (const char *)ctx + (ctx->filename_loc & 0xffff);
	long copied = bpf_probe_read_kernel_str(rec->data, GUARD_PATH_MAX, filename);
	if (copied < 1) { /* an unreadable name travels as the empty string */
		rec->data[0] = 0;
		copied = 1;
	}
	if (copied > GUARD_PATH_MAX)
		copied = GUARD_PATH_MAX;
	rec->path_given.offset = sizeof(struct guard_exec);
	rec->path_given.length = copied - 1;
	__u32 end = sizeof(struct guard_exec) + copied;

	struct mm_struct *mm = current_task_readonly()->mm;
	end = put_exe(rec, end, mm->exe_file);
	enforce_file(&rec->header, GUARD_KILL_EXEC, rec->dev, rec->ino);
	end = put_cwd(rec, end);
	rec->stdio = stdio_socket_flags();

	/* The new program's arguments are in its own memory by now: exec put
	 * them at the top of the new stack, between mm->arg_start and arg_end,
	 * NUL-separated, and argc just below them at mm->start_stack. One read
	 * each, however many arguments. */
	__u64 arg_start = mm->arg_start;
	__u64 arg_len = mm->arg_end - arg_start;
	if (arg_len > GUARD_ARGV_MAX) {
		arg_len = GUARD_ARGV_MAX;
		rec->header.flags |= GUARD_EXEC_ARGV_TRUNCATED;
	}
	char *argv = (char *)rec + (end & GUARD_OFFSET_MASK);
	if (arg_len == 0 || bpf_probe_read_user(argv, arg_len & (GUARD_ARGV_MAX * 2 - 1), (const void *)arg_start) != 0)
		arg_len = 0;
	rec->argv.offset = end;
	/* The last argument's NUL is not part of the string. */
	rec->argv.length = arg_len && argv[(arg_len - 1) & (GUARD_ARGV_MAX * 2 - 1)] == 0 ? arg_len - 1 : arg_len;
	__u64 argc = 0;
	bpf_probe_read_user(&argc, sizeof(argc), (const void *)mm->start_stack);
	rec->argc = argc;
	end += arg_len;
	submit(&rec->header, end);
	return 0;
}

/* clone(flags, ...), clone3(struct clone_args *, size), fork(), vfork():
 * keep the flags for sched_process_fork, which does not know them. */
static __always_inline void remember_clone(struct syscall_enter_entry *ctx, __u64 flags)
{
	struct pending_call *slot = begin_call(ctx, GUARD_RECORD_FORK);
	if (slot)
		slot->clone.flags = flags;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int process_clone_enter(struct syscall_enter_entry *ctx)
{
	remember_clone(ctx, ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int process_clone3_enter(struct syscall_enter_entry *ctx)
{
	__u64 flags = 0; /* struct clone_args starts with __u64 flags */
	bpf_probe_read_user(&flags, sizeof(flags), (const void *)ctx->args[0]);
	remember_clone(ctx, flags);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fork")
int process_fork_enter(struct syscall_enter_entry *ctx)
{
	remember_clone(ctx, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_vfork")
int process_vfork_enter(struct syscall_enter_entry *ctx)
{
	remember_clone(ctx, CLONE_VFORK | CLONE_VM);
	return 0;
}

/* Runs in the parent. A task made by the kernel itself (a kernel thread, an
 * io_uring worker) has no clone entry and is no process fork. */
SEC("tracepoint/sched/sched_process_fork")
int process_fork(struct sched_process_fork_entry *ctx)
{
	struct pending_call *call = take_call(GUARD_RECORD_FORK);
	if (!call || (call->clone.flags & CLONE_THREAD))
		return 0;
	struct guard_fork *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, GUARD_RECORD_FORK);
	rec->child_pid = ctx->child_pid;
	rec->child_tid = ctx->child_pid;
	rec->clone_flags = call->clone.flags;
	submit(&rec->header, sizeof(*rec));
	return 0;
}

/* Fires for every thread; the process has ended when its last one goes. */
SEC("tracepoint/sched/sched_process_exit")
int process_exit(struct sched_process_exit_entry *ctx)
{
	if (is_agent())
		return 0;
	if (!ctx->group_dead)
		return 0;
	struct guard_exit *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, GUARD_RECORD_EXIT);
	/* do_exit() has stored the wait status: the code in bits 8-15, or the
	 * signal in bits 0-6 (bit 7: it dumped core). */
	int status = current_task_readonly()->exit_code;
	rec->exit_code = (status >> 8) & 0xff;
	rec->signal = status & 0x7f;
	submit(&rec->header, sizeof(*rec));
	return 0;
}

#endif
