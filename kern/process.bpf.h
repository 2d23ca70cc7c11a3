/* SPDX-License-Identifier: GPL-2.0-only */
/* Process events: exec (and failed exec), fork of a new process, exit.
 *
 * A successful exec is reported from sched/sched_process_exec, which fires
 * only after the point of no return. execve and execveat also keep their
 * arguments at sys_enter, so that sys_exit can report a failed exec with the
 * path and argv it was given, and sched_process_exec can tell an execveat.
 * Forks are reported from sched/sched_process_fork, which fires for threads
 * too: the clone flags kept at the clone's sys_enter tell them apart.
 */
#ifndef GUARD_KERN_PROCESS_BPF_H
#define GUARD_KERN_PROCESS_BPF_H

#include <linux/fcntl.h>
#include <linux/sched.h>

#include "common.bpf.h"

/* Arguments guard reads from argv at most; with GUARD_ARGV_MAX this bounds
 * the work of a failed exec. */
#define GUARD_ARGV_MAX_ARGS 64

/* Where put_user_argv's step is: the record, the argv array and the offset
 * the next argument goes to. That offset lives in the scratch's upper half,
 * not on the stack, for the reason dir_step's does (kern/path.bpf.h). */
struct argv_copy {
	struct guard_exec *rec;
	const char *const *argv;
	__u32 *endp;
	__u32 offset; /* where argv starts in the record */
	__u32 argc;
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
	__u32 end = *c->endp;
	__u32 used = end - c->offset;
	if (used >= GUARD_ARGV_MAX) {
		c->rec->header.flags |= GUARD_EXEC_ARGV_TRUNCATED;
		c->done = 1;
		return 1;
	}
	__u32 room = GUARD_ARGV_MAX - used;
	long n = bpf_probe_read_user_str((char *)c->rec + (end & GUARD_OFFSET_MASK), room & (GUARD_ARGV_MAX * 2 - 1),
					 arg);
	if (n < 1) {
		c->done = 1;
		return 1;
	}
	if ((__u32)n == room)
		c->rec->header.flags |= GUARD_EXEC_ARGV_TRUNCATED;
	*c->endp = end + n;
	c->argc++;
	return 0;
}

/* Copies argv (a user array of string pointers) NUL-separated into the
 * record at offset, at most GUARD_ARGV_MAX bytes. Returns the end offset. */
static __always_inline __u32 put_user_argv(struct guard_exec *rec, __u32 offset, const char *const *argv)
{
	struct argv_copy c = {};
	c.rec = rec;
	c.argv = argv;
	c.endp = (__u32 *)((char *)rec + GUARD_SCRATCH_CURSOR);
	c.offset = offset;
	*c.endp = offset;
	bpf_loop(GUARD_ARGV_MAX_ARGS, argv_step, &c, 0);
	/* Arguments are left over only if argv goes on. */
	if (!c.done) {
		const char *more = 0;
		bpf_probe_read_user(&more, sizeof(more), &argv[GUARD_ARGV_MAX_ARGS]);
		if (more)
			rec->header.flags |= GUARD_EXEC_ARGV_TRUNCATED;
	}
	__u32 end = *c.endp;
	rec->argc = c.argc;
	rec->argv.offset = offset;
	/* The length leaves out the last argument's NUL. */
	rec->argv.length = end > offset ? end - offset - 1 : 0;
	return end;
}

/* execve(path, argv, envp) */
SEC("tracepoint/syscalls/sys_enter_execve")
int process_execve_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call call = {};
	call.kind = GUARD_RECORD_EXEC_FAILED;
	call.dfd = AT_FDCWD;
	call.path = ctx->args[0];
	call.path2 = ctx->args[1];
	remember_call(ctx, &call);
	return 0;
}

/* execveat(dfd, path, argv, envp, flags). With AT_EMPTY_PATH and an empty
 * path it executes the file open as dfd: nothing on disk need name it. */
SEC("tracepoint/syscalls/sys_enter_execveat")
int process_execveat_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call call = {};
	call.kind = GUARD_RECORD_EXEC_FAILED;
	call.flags = GUARD_EXEC_EXECVEAT;
	call.dfd = ctx->args[0];
	call.path = ctx->args[1];
	call.path2 = ctx->args[2];
	call.open_flags = ctx->args[4];
	if (call.open_flags & AT_EMPTY_PATH) {
		char first = 1;
		bpf_probe_read_user(&first, 1, (const char *)call.path);
		if (first == 0)
			call.flags |= GUARD_EXEC_FILELESS;
	}
	remember_call(ctx, &call);
	return 0;
}

/* A failed exec returns to the caller, whose memory still holds the path and
 * argv it passed. A successful one was reported by sched_process_exec. One
 * program for both syscalls' exits (see file_exit). */
SEC("tracepoint/syscalls/sys_exit_execve,sys_exit_execveat")
int process_exec_exit(struct syscall_exit_entry *ctx)
{
	struct pending_call call;
	if (!take_syscall(ctx, &call) || call.kind != GUARD_RECORD_EXEC_FAILED || ctx->ret >= 0)
		return 0;
	struct guard_exec *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, GUARD_RECORD_EXEC_FAILED);
	rec->header.flags = call.flags;
	rec->result = ctx->ret;
	__u32 end = put_user_string(rec, sizeof(*rec), (const char *)call.path, GUARD_PATH_MAX, &rec->filename);
	end = put_user_argv(rec, end, (const char *const *)call.path2);
	submit(&rec->header, end);
	return 0;
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

	/* The execve/execveat entry kept at sys_enter is on this task still
	 * (a non-leader thread that execs keeps its task_struct and takes the
	 * leader's pid). It says whether this was an execveat. */
	struct pending_call call;
	if (take_call(GUARD_RECORD_EXEC_FAILED, &call))
		rec->header.flags |= call.flags;

	const char *filename = (const char *)ctx + (ctx->filename_loc & 0xffff);
	long copied = bpf_probe_read_kernel_str(rec->data, GUARD_PATH_MAX, filename);
	if (copied < 1) { /* an unreadable name travels as the empty string */
		rec->data[0] = 0;
		copied = 1;
	}
	if (copied > GUARD_PATH_MAX)
		copied = GUARD_PATH_MAX;
	rec->filename.offset = sizeof(struct guard_exec);
	rec->filename.length = copied - 1;
	rec->result = 0;

	/* The new program's arguments are in its own memory by now: exec put
	 * them at the top of the new stack, between mm->arg_start and arg_end,
	 * NUL-separated, and argc just below them at mm->start_stack. One read
	 * each, however many arguments. */
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mm_struct *mm = GUARD_CORE_READ(task, mm);
	__u64 arg_start = GUARD_CORE_READ(mm, arg_start);
	__u64 arg_len = GUARD_CORE_READ(mm, arg_end) - arg_start;
	__u32 end = sizeof(struct guard_exec) + copied;
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
	bpf_probe_read_user(&argc, sizeof(argc), (const void *)GUARD_CORE_READ(mm, start_stack));
	rec->argc = argc;
	end += arg_len;

	/* A memfd's file is named "memfd:<name>": nothing on disk holds it. */
	char name[6] = {};
	const unsigned char *exe_name = GUARD_CORE_READ(mm, exe_file, f_path.dentry, d_name.name);
	bpf_probe_read_kernel(name, sizeof(name), exe_name);
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':')
		rec->header.flags |= GUARD_EXEC_MEMFD | GUARD_EXEC_FILELESS;

	submit(&rec->header, end);
	return 0;
}

/* clone(flags, ...), clone3(struct clone_args *, size), fork(), vfork():
 * keep the flags for sched_process_fork, which does not know them. */
static __always_inline void remember_clone(struct syscall_enter_entry *ctx, __u64 flags)
{
	struct pending_call call = {};
	call.kind = GUARD_RECORD_FORK;
	call.clone_flags = flags;
	remember_call(ctx, &call);
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
	struct pending_call call;
	if (!take_call(GUARD_RECORD_FORK, &call) || (call.clone_flags & CLONE_THREAD))
		return 0;
	struct guard_fork *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, GUARD_RECORD_FORK);
	rec->child_pid = ctx->child_pid;
	rec->child_tid = ctx->child_pid;
	rec->clone_flags = call.clone_flags;
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
	struct task_struct *task = (void *)bpf_get_current_task();
	int status = GUARD_CORE_READ(task, exit_code);
	rec->exit_code = (status >> 8) & 0xff;
	rec->signal = status & 0x7f;
	submit(&rec->header, sizeof(*rec));
	return 0;
}

#endif
