/* guard's record layout: the one contract between kern/ and userspace.
 *
 * Every record in the ring starts with a guard_header. Strings travel inside the
 * record, after its fixed fields, and are found through a guard_string
 * (offset from the record's first byte, length without the NUL). The decoder
 * checks every offset and length against the record's size before use.
 *
 * Plain C, included by the BPF programs (clang -target bpf) and by C++.
 */
#ifndef GUARD_ABI_H
#define GUARD_ABI_H

#include <linux/types.h>

#define GUARD_ABI_VERSION 1

#define GUARD_COMM_LEN 16
/* Bytes of a path the kernel side copies, NUL included (the kernel's PATH_MAX). */
#define GUARD_PATH_MAX 4096
/* No record is larger than this; a power of two so the BPF side can mask sizes. */
#define GUARD_RECORD_MAX 8192

enum guard_record_kind {
	GUARD_RECORD_EXEC = 1, /* a successful exec (sched_process_exec) */
	GUARD_RECORD_KIND_MAX, /* one past the last kind */
};

struct guard_string {
	__u16 offset; /* from the first byte of the record */
	__u16 length; /* bytes, without the NUL */
};

struct guard_header {
	__u16 kind;    /* enum guard_record_kind */
	__u16 size;    /* bytes of the whole record, header included */
	__u16 version; /* GUARD_ABI_VERSION of the program that wrote it */
	__u16 flags;   /* per-kind flags */
	__u64 boot_ns; /* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME */
	__u32 pid;     /* thread group id, what userspace calls the pid */
	__u32 tid;     /* thread id */
	__u32 uid;
	__u32 gid;
	char comm[GUARD_COMM_LEN];
};

struct guard_exec {
	struct guard_header header;
	struct guard_string filename; /* the path exec was given (bprm->filename) */
	__u32 reserved;
	char data[]; /* the strings */
};

/* Sizes and offsets are part of the contract: both compilers must agree. */
#ifdef __cplusplus
#define GUARD_ABI_ASSERT(expr, msg) static_assert(expr, msg)
#else
#define GUARD_ABI_ASSERT(expr, msg) _Static_assert(expr, msg)
#endif

GUARD_ABI_ASSERT(sizeof(struct guard_string) == 4, "guard_string is 4 bytes");
GUARD_ABI_ASSERT(sizeof(struct guard_header) == 48, "guard_header is 48 bytes");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_header, boot_ns) == 8, "boot_ns at 8");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_header, pid) == 16, "pid at 16");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_header, comm) == 32, "comm at 32");
GUARD_ABI_ASSERT(sizeof(struct guard_exec) == 56, "guard_exec fixed part is 56 bytes");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_exec, data) == 56, "exec strings at 56");
GUARD_ABI_ASSERT(sizeof(struct guard_exec) + GUARD_PATH_MAX <= GUARD_RECORD_MAX,
		 "an exec record fits GUARD_RECORD_MAX");

#endif
