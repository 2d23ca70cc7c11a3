/* guard's kernel side: collect bounded facts at tracepoints and hand them to
 * userspace through one BPF ring buffer. Policy lives in userspace. */
#include "bpf_defs.h"
#include "../abi/guard_abi.h"

char LICENSE[] SEC("license") = "GPL";

/* The ring all records go through. Userspace may resize it before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* A record is built here, then copied into the ring at its real size: the
 * ring's reserve needs a size known at verification time, output does not. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[GUARD_RECORD_MAX]);
} scratch SEC(".maps");

/* The raw entry of tracepoint sched/sched_process_exec, as its tracefs
 * "format" file lays it out (a test checks these offsets on the running kernel). */
struct sched_process_exec_entry {
	__u64 common;        /* common_type, common_flags, common_preempt_count, common_pid */
	__u32 filename_loc;  /* __data_loc char[]: offset in the low 16 bits, length in the high */
	__s32 pid;
	__s32 old_pid;
};

static __always_inline void fill_header(struct guard_header *h, __u16 kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	h->kind = kind;
	h->version = GUARD_ABI_VERSION;
	h->flags = 0;
	h->boot_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = 0; /* TODO(telemetry): cgroup, ppid, euid and namespaces through CO-RE */
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->ppid = 0;
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->euid = 0;
	h->mnt_ns = 0;
	h->pid_ns = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct sched_process_exec_entry *ctx)
{
	__u32 zero = 0;
	struct guard_exec *rec = bpf_map_lookup_elem(&scratch, &zero);
	if (!rec)
		return 0;

	fill_header(&rec->header, GUARD_RECORD_EXEC);

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
	rec->argv.offset = sizeof(struct guard_exec) + copied;
	rec->argv.length = 0;
	rec->argc = 0;
	rec->result = 0;

	__u32 size = sizeof(struct guard_exec) + copied;
	rec->header.size = size;
	bpf_ringbuf_output(&events, rec, size, 0);
	return 0;
}
