/* SPDX-License-Identifier: GPL-2.0-only */
/* The raw entries of the tracepoints guard attaches to, as their tracefs
 * "format" files lay them out. Declared by hand (no vmlinux.h); the e2e test
 * test/e2e/tracepoint_format_test.cpp checks every offset used here against
 * the running kernel.
 */
#ifndef GUARD_KERN_TRACEPOINTS_H
#define GUARD_KERN_TRACEPOINTS_H

#include <linux/types.h>

/* syscalls/sys_enter_<name>: after the common fields and the syscall number,
 * each argument takes an 8-byte slot, whatever its C type: the first at
 * offset 16, the next at 24, and so on. */
struct syscall_enter_entry {
	__u64 common;    /* common_type, common_flags, common_preempt_count, common_pid */
	__s32 syscall_nr;
	__u32 pad;
	__u64 args[6];
};

/* syscalls/sys_exit_<name>: the return value, -errno on failure. */
struct syscall_exit_entry {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 ret;
};

/* sched/sched_process_exec: fires only for an exec that succeeded, in the
 * new program, after the point of no return. */
struct sched_process_exec_entry {
	__u64 common;
	__u32 filename_loc;  /* __data_loc char[]: offset in the low 16 bits, length in the high */
	__s32 pid;
	__s32 old_pid;       /* the thread that called exec, before de_thread gave it the leader's pid */
};

/* sched/sched_prepare_exec (Linux 6.10+): fires in begin_new_exec, before
 * the point of no return, once the binary handlers are done: interp is the
 * file the kernel will run (a #! script's interpreter), filename the name
 * exec was given. They differ exactly when an interpreter was put in. */
struct sched_prepare_exec_entry {
	__u64 common;
	__u32 interp_loc;    /* __data_loc char[] */
	__u32 filename_loc;  /* __data_loc char[] */
	__s32 pid;
	__u32 comm_loc;
};

/* sched/sched_process_fork: fires in the parent, for processes and threads alike. */
struct sched_process_fork_entry {
	__u64 common;
	__u32 parent_comm_loc;
	__s32 parent_pid;
	__u32 child_comm_loc;
	__s32 child_pid;     /* the new task's id in the initial pid namespace */
};

/* sched/sched_process_exit: fires for every thread; group_dead is set for
 * the last one of its process. */
struct sched_process_exit_entry {
	__u64 common;
	char comm[16];
	__s32 pid;
	__s32 prio;
	__u8 group_dead;
};

/* io_uring/io_uring_submit_req: a request about to be issued, once its
 * prep has run (the kernel has copied its paths and addresses). The
 * request is at offset 16 here and in io_uring_complete alike. */
struct io_uring_submit_req_entry {
	__u64 common;
	__u64 ctx;
	__u64 req;          /* struct io_kiocb * */
	__u64 user_data;
	__u8 opcode;        /* IORING_OP_* */
	__u8 pad[7];
	__u64 flags;        /* the request's flags; the low bits are the SQE's IOSQE_* */
	__u8 sq_thread;
	__u8 pad2[3];
	__u32 op_str_loc;
};

/* io_uring/io_uring_complete: a request's completion (CQE) posted, by the
 * submitter or by one of its io_uring threads. */
struct io_uring_complete_entry {
	__u64 common;
	__u64 ctx;
	__u64 req;          /* struct io_kiocb *, NULL for the ring's own CQEs */
	__u64 user_data;
	__s32 res;          /* the operation's result: an fd, bytes, or -errno */
	__u32 cflags;       /* IORING_CQE_F_*: F_MORE when more CQEs follow for this request */
	__u64 extra1;
	__u64 extra2;
};

/* signal/signal_generate: fires in the sender as the kernel queues a
 * signal; pid is the target task's, in the initial pid namespace. */
struct signal_generate_entry {
	__u64 common;
	__s32 sig;
	__s32 errno_;
	__s32 code;
	char comm[16];
	__s32 pid;
	__s32 group;
	__s32 result;
};

#endif
