/* SPDX-License-Identifier: GPL-2.0-only */
/* What every program shares: the two rings, the per-CPU scratch a record is
 * built in, the per-CPU drop counters, the calls in flight between a syscall's
 * enter and exit, and the task context every record starts with.
 */
#ifndef GUARD_KERN_COMMON_BPF_H
#define GUARD_KERN_COMMON_BPF_H

#include "bpf_defs.h"
#include "kernel_types.h"
#include "tracepoints.h"
#include "../abi/guard_abi.h"

/* The agent's own tgid as bpf_get_current_pid_tgid() gives it (the initial
 * pid namespace's number, not getpid() in a container: the loader asks the
 * kernel, loader/global_tgid.cpp), set before load (read-only data, so the
 * verifier sees a constant). Its own syscalls make no records: writing its
 * output must not feed its input. 0: exclude nothing. */
const volatile __u32 guard_agent_tgid = 0;

/* When the kernel wakes the agent, by two rules, with knobs set before load
 * (cli/agent_rings.cpp). Each wakeup is an interrupt and a cross-CPU wakeup,
 * which costs more than the record, so most records make none:
 * - batched when busy: once, as the backlog crosses the ring's wakeup_bytes
 *   (0: the ring's own rule, a wakeup whenever the agent has caught up);
 * - fast when quiet: for a record that finds fewer than quiet_bytes
 *   waiting, when in the last quiet_ns that ring neither had a wakeup nor
 *   held quiet_bytes or more (0: never). A record this holds back is taken
 *   by the agent's second look quiet_ns after the wakeup before it
 *   (cli/agent_wait.h), or by the next wakeup. A flood keeps the backlog
 *   above quiet_bytes until the agent drains it, and passes it again well
 *   within quiet_ns after, so it is batched by the first rule alone, however
 *   long the agent takes to drain. */
const volatile __u64 guard_proc_net_wakeup_bytes = 0;
const volatile __u64 guard_file_wakeup_bytes = 0;
const volatile __u64 guard_quiet_bytes = 0;
const volatile __u64 guard_quiet_ns = 0;

/* By GUARD_RING_*, in boot_ns: the last wakeup the programs asked for, and
 * about the last time a record found quiet_bytes or more waiting. Written
 * only with a wakeup, and then at most every quiet_ns / 8 (a few thousand
 * times a second at most), read with every record. Two CPUs may both see
 * them old and both wake the agent: one wakeup too many, never too few. */
struct ring_wakeups {
	__u64 last_wakeup_ns;
	__u64 busy_ns;
};
struct ring_wakeups guard_ring_wakeups[GUARD_RING_COUNT] = {};

static __always_inline int is_agent(void)
{
	return guard_agent_tgid && (bpf_get_current_pid_tgid() >> 32) == guard_agent_tgid;
}

/* The per-CPU scratch: a record is built from its start; the top is room
 * for work on the side (kern/path.bpf.h assembles a path there, right to
 * left, and loops keep their progress there). 32 KiB is the most a per-CPU
 * map value may hold (PCPU_MIN_UNIT_SIZE). */
#define GUARD_SCRATCH_SIZE GUARD_RECORD_MAX

/* The scratch as a type of known size: the functions that are verified on
 * their own (global functions: kern/path.bpf.h) take a pointer to it, and
 * the verifier lets them reach every byte of it. */
struct guard_scratch {
	char bytes[GUARD_SCRATCH_SIZE];
};

/* Two rings, so that a flood of file records cannot evict a process or
 * network record (guard_ring_of in abi/guard_abi.h says which kind goes
 * where). Userspace sets their sizes before load (guard --proc-net-ring-pages,
 * --ring-pages); these are the defaults, 1 MiB and 4 MiB. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} proc_net_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} file_events SEC(".maps");

/* A record is built here, then copied into the ring at its real size: the
 * ring's reserve needs a size known at verification time, output does not. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct guard_scratch);
} scratch SEC(".maps");

/* Records lost because their ring was full: each ring's own counters, by
 * record kind. Per CPU so that counting costs no shared cache line;
 * userspace sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GUARD_RECORD_KIND_MAX);
	__type(key, __u32);
	__type(value, __u64);
} proc_net_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GUARD_RECORD_KIND_MAX);
	__type(key, __u32);
	__type(value, __u64);
} file_drops SEC(".maps");

/* Room in a pending_call for the strings read at enter: two halves, one per
 * path (rename and link have two; exec keeps its filename in the first and
 * argv in the second). Sized so that a whole slot is one 4 KiB allocation
 * (the kernel adds 72 bytes of bpf_local_storage_elem and 8 of
 * bpf_mem_alloc to the value): every thread that makes a file syscall keeps
 * one, so its size is the agent's kernel memory per thread. */
#define GUARD_PENDING_HALF 1920
#define GUARD_PENDING_STRINGS (2 * GUARD_PENDING_HALF)

/* A syscall's arguments, kept from its enter tracepoint to its exit, where
 * the result is known. A thread is in one syscall at a time, so one slot per
 * thread serves every syscall; `syscall_nr` and `kind` say whose entry it is.
 *
 * What the caller passed by pointer (paths, a sockaddr) is copied in at
 * enter, the moment the kernel itself reads it: the caller's memory is its
 * own to rewrite from another thread while the call runs, so a copy taken at
 * exit could name anything. The exit uses these copies only for what the
 * kernel keeps nowhere (a failed call's path, a name that is gone). */
struct pending_call {
	__s32 syscall_nr; /* the syscall that entered (its number on this architecture) */
	__u16 kind;     /* the GUARD_RECORD_* the exit will write */
	__u16 flags;    /* GUARD_* record flags known at enter (GUARD_EXEC_EXECVEAT) */
	/* The strings kept in strings[] and where they came from: a path's
	 * directory, or the caller's pointer to any string (path, argv, a name). */
	__s32 dfd;      /* the directory `path` is relative to (AT_FDCWD: the cwd) */
	__s32 dfd2;     /* ... of path2 */
	__u16 path_len; /* bytes held in strings[]'s first half, NUL included (0: none read) */
	__u16 path2_len; /* ... in its second half, at strings[GUARD_PENDING_HALF] */
	__u64 dir;      /* a relative path's directory at enter (dir_identity()), to check at exit */
	__u64 dir2;
	__u64 upath;    /* the caller's pointers: read again at exit only when the copy at */
	__u64 upath2;   /* enter failed (the page was not in memory; the kernel then faults it in) */
	/* Each family's own arguments: a call is of one family, so they share
	 * the room, and no field means one thing to one family and another to
	 * the next. */
	union {
		struct {
			__u32 open_flags; /* open: O_*; unlinkat, fchownat, linkat, ...: AT_* */
			__u32 mode;       /* open, mkdir, chmod */
			__u32 owner_uid;  /* chown */
			__u32 owner_gid;
		} file;               /* kern/file.bpf.h, and io_uring's file requests */
		struct {
			__u32 argc;       /* arguments kept in strings[]'s second half */
		} exec;
		struct {
			__u64 flags;      /* CLONE_* */
		} clone;
		struct {
			__s32 fd;         /* the socket */
			__u32 addrlen;    /* the sockaddr's length as given; listen: the backlog */
			__u64 addr;       /* the caller's sockaddr (its copy: path_len bytes of strings[]) */
			__u32 destinations; /* sends: destinations kept (kern/send.bpf.h) */
			__u32 messages;   /* sendmmsg: the messages it was given (0: a send of one) */
		} net;
		struct {
			__u32 pid;        /* ptrace, kill, process_vm_*: the target */
			__u32 tid;
			__u64 request;    /* ptrace's request, a signal's number, process_vm's iovecs */
			__u64 addr;       /* ptrace's addr */
			__u32 at_agent;   /* a signal for the agent (GUARD_PENDING_AT_AGENT) */
		} target;
		struct {
			__s32 fd;         /* finit_module's file (-1: none) */
			__u32 flags;
			__u64 image_len;  /* init_module's image */
		} module;
		struct {
			__u64 flags;      /* mount's MS_*, unshare's and setns's CLONE_NEW* */
			__s32 fd;         /* setns: the namespace's fd */
			__u32 fstype_len; /* bytes of the file system type at GUARD_FSTYPE_AT */
		} mount;
		struct {
			__u32 flags;      /* MFD_* */
		} memfd;
	};
	char strings[GUARD_PENDING_STRINGS];
};

/* Task-local storage: one pending_call hangs off each thread's task_struct,
 * made on the thread's first traced syscall and freed with the thread. A
 * lookup is a pointer chase in the task, no hashing and no lock, and nothing
 * is left behind by a thread that dies inside a syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_call);
} pending SEC(".maps");

static void *(*bpf_task_storage_get)(void *map, struct task_struct *task, void *value, __u64 flags) =
	(void *)BPF_FUNC_task_storage_get;

/* The thread's slot, made if it has none yet. */
static __always_inline struct pending_call *own_slot(void)
{
	return bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* At a syscall's enter: the thread's slot, claimed for this call and its
 * fixed fields cleared; NULL for the agent's own calls. The caller fills in
 * the arguments. */
static __always_inline struct pending_call *begin_call(struct syscall_enter_entry *ctx, __u16 kind)
{
	if (is_agent())
		return 0;
	struct pending_call *slot = own_slot();
	if (!slot)
		return 0;
	__builtin_memset(slot, 0, __builtin_offsetof(struct pending_call, strings));
	slot->syscall_nr = ctx->syscall_nr;
	slot->kind = kind;
	return slot;
}

/* The thread's slot, if it has one. */
static __always_inline struct pending_call *pending_slot(void)
{
	return bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
}

/* At a sched tracepoint: the slot filled at the enter of the syscall that
 * led there, if it is for a record of this kind. Taking it marks it used
 * (kind 0), so that no later event takes it again; its fields stay readable
 * until the thread's next syscall. */
static __always_inline struct pending_call *take_call(__u16 kind)
{
	struct pending_call *slot = pending_slot();
	if (!slot || slot->kind != kind)
		return 0;
	slot->kind = 0;
	return slot;
}

/* At a syscall's exit: the slot its own enter filled, and through *kind the
 * record it is for. One exit program serves several syscalls, so the entry
 * must be this syscall's. */
static __always_inline struct pending_call *take_syscall(struct syscall_exit_entry *ctx, __u16 *kind)
{
	struct pending_call *slot = pending_slot();
	if (!slot || !slot->kind || slot->syscall_nr != ctx->syscall_nr)
		return 0;
	*kind = slot->kind;
	slot->kind = 0;
	return slot;
}

/* Copies a NUL-terminated user string into half `half` (0 or 1) of the
 * slot's strings; returns the bytes copied, NUL included (0: the string
 * could not be read: a BPF program may not fault a page in, so a string on
 * a page the caller has not touched yet cannot be read before the kernel
 * has read it). */
static __always_inline __u16 keep_user_string(struct pending_call *slot, int half, const void *src)
{
	char *dst = slot->strings + (half ? GUARD_PENDING_HALF : 0);
	long n = bpf_probe_read_user_str(dst, GUARD_PENDING_HALF, src);
	if (n < 1) {
		dst[0] = 0;
		return 0;
	}
	return n;
}

/* Comparing two buffers, 8 bytes a step (bpf_loop: the verifier checks one
 * step, whatever the length). */
struct words_compare {
	const __u64 *a;
	const __u64 *b;
	__u32 words;
	int differ;
};

static long compare_step(__u64 i, struct words_compare *c)
{
	if (i >= c->words)
		return 1;
	if (c->a[i & 255] != c->b[i & 255]) {
		c->differ = 1;
		return 1;
	}
	return 0;
}

/* Whether the len bytes at a and b are the same (len at most 2048; a and
 * b each readable for 2048 bytes). The whole words with plain loads, then
 * the last 8 bytes, overlapping the words before. */
static __always_inline int same_bytes(const char *a, const char *b, __u32 len)
{
	if (len < 8 || len > 2048) {
		for (int i = 0; i < 8; i++)
			if (i < len && a[i] != b[i])
				return 0;
		return len < 8;
	}
	struct words_compare c = {(const __u64 *)a, (const __u64 *)b, len / 8, 0};
	bpf_loop(256, compare_step, &c, 0);
	__u32 tail = (len - 8) & 2047;
	return !c.differ && *(const __u64 *)(a + tail) == *(const __u64 *)(b + tail);
}

/* The per-CPU record buffer. Programs run with migration disabled and the
 * kernel runs one tracing program per CPU at a time, so it is never shared. */
static __always_inline void *scratch_record(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

/* Every field but the time is read from the task itself: a plain load is
 * a memory access, where each helper (bpf_get_current_pid_tgid, _uid_gid,
 * _cgroup_id, _comm) is a call, and here the header's helpers were most of
 * what a record cost. The values are the ones those helpers return. */
static __always_inline void fill_header(struct guard_header *h, __u16 kind)
{
	struct task_struct *task = current_task_readonly();
	const struct cred *cred = task->cred;
	struct nsproxy *ns = task->nsproxy;

	h->kind = kind;
	h->version = GUARD_ABI_VERSION;
	h->flags = 0;
	h->boot_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	h->pid = task->tgid;
	h->tid = task->pid;
	h->ppid = task->real_parent->tgid;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->euid = cred->euid.val;
	/* nsproxy is NULL only in a task's last moments; loads through a
	 * typed pointer then read 0 rather than fault. */
	h->mnt_ns = ns->mnt_ns->ns.inum;
	/* The namespace the task's children get: its own, except between an
	 * unshare(CLONE_NEWPID) and the next fork. */
	h->pid_ns = ns->pid_ns_for_children->ns.inum;
	/* comm is always NUL-terminated within its 16 bytes. */
	__builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
}

static __always_inline void count_drop(void *drops, __u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(drops, &kind);
	if (n)
		__sync_fetch_and_add(n, 1);
}

/* The wakeup flags for a record of `size` bytes at `now` in ring `index`
 * (the rules above). The backlog is read from the ring's own positions,
 * plain loads where bpf_ringbuf_query would be a helper call per record. */
static __always_inline __u64 wakeup_flags(void *ring, __u32 index, __u64 wakeup_bytes, __u64 now, __u32 size)
{
	if (!wakeup_bytes)
		return 0;
	struct bpf_ringbuf *rb = kernel_ptr(struct bpf_ringbuf_map, ring)->rb;
	struct ring_wakeups *w = &guard_ring_wakeups[index];
	__u64 waiting = rb->producer_pos - rb->consumer_pos;
	/* One wakeup as the backlog crosses the threshold, not one per record
	 * above it: the agent drains everything once awake. */
	int crossing = waiting < wakeup_bytes && waiting + size >= wakeup_bytes;
	int quiet = 0;
	if (waiting >= guard_quiet_bytes) {
		if (now - w->busy_ns >= guard_quiet_ns / 8)
			w->busy_ns = now;
	} else {
		quiet = now - w->last_wakeup_ns >= guard_quiet_ns && now - w->busy_ns >= guard_quiet_ns;
	}
	if (!crossing && !quiet)
		return BPF_RB_NO_WAKEUP;
	w->last_wakeup_ns = now;
	return BPF_RB_FORCE_WAKEUP;
}

/* Copies the record into one ring; counts it in that ring's drops when the
 * ring is full. Inlined at each of submit()'s two calls, so each helper call
 * names its maps as constants, as the verifier wants. */
static __always_inline void output(void *ring, __u32 index, void *drops, __u64 wakeup_bytes, struct guard_header *h,
				   __u32 size)
{
	__u64 flags = wakeup_flags(ring, index, wakeup_bytes, h->boot_ns, size);
	if (bpf_ringbuf_output(ring, h, size, flags) != 0)
		count_drop(drops, h->kind);
}

/* Copies the record at its real size into its kind's ring. Sizes are masked
 * so the verifier sees them inside the scratch. */
static __always_inline void submit(struct guard_header *h, __u32 size)
{
	size &= GUARD_RECORD_MAX - 1;
	h->size = size;
	if (guard_ring_of(h->kind) == GUARD_RING_FILE)
		output(&file_events, GUARD_RING_FILE, &file_drops, guard_file_wakeup_bytes, h, size);
	else
		output(&proc_net_events, GUARD_RING_PROC_NET, &proc_net_drops, guard_proc_net_wakeup_bytes, h, size);
}

/* Offsets into a record are masked with this before use: the verifier then
 * knows that offset + GUARD_PATH_MAX stays below the scratch's work area.
 * The largest record (an exec: four strings of up to GUARD_PATH_MAX after
 * its fixed part) starts its last string below the mask. */
#define GUARD_OFFSET_MASK (GUARD_SCRATCH_SIZE / 2 - 1)

/* The scratch's work area, above every byte a record can reach: where
 * kern/path.bpf.h assembles a path (GUARD_PATH_MAX bytes), where a loop
 * keeps its progress and where forget_offset() parks a number. */
#define GUARD_SCRATCH_WORK (GUARD_SCRATCH_SIZE - 2 * GUARD_PATH_MAX)
#define GUARD_SCRATCH_CURSOR (GUARD_SCRATCH_WORK + GUARD_PATH_MAX)
#define GUARD_SCRATCH_PARKED (GUARD_SCRATCH_CURSOR + 8)
_Static_assert(GUARD_OFFSET_MASK + GUARD_PATH_MAX <= GUARD_SCRATCH_WORK, "records stay below the work area");
_Static_assert(sizeof(struct guard_exec) + 3 * GUARD_PATH_MAX <= GUARD_OFFSET_MASK,
	       "the last string of the largest record starts inside the mask");

/* The same offset, with nothing known about it but what masking tells. The
 * verifier tracks a register's range and, once it bounds a pointer, treats
 * states with different ranges as different: after a step that can end in
 * several ways (a path copied as given, or resolved, or truncated), every way
 * would be verified again through all the code that follows. A value read
 * back from memory is just "some number", so those ways become one. */
static __always_inline __u32 forget_offset(void *scratch, __u32 offset)
{
	volatile __u32 *parked = (volatile __u32 *)((char *)scratch + GUARD_SCRATCH_PARKED);
	*parked = offset;
	return *parked;
}

/* An empty string at offset: nothing written, so nothing to copy. */
static __always_inline void put_empty_string(__u32 offset, struct guard_string *s)
{
	s->offset = offset;
	s->length = 0;
}

#endif
