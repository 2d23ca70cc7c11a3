/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guard's record layout: the one contract between kern/ and userspace.
 *
 * Every record in the ring starts with a guard_header that carries the
 * context of the task that caused it. Strings travel inside the record,
 * after its fixed fields, and are found through a guard_string (offset from
 * the record's first byte, length without the NUL). The decoder checks every
 * offset and length against the record's size before use.
 *
 * Plain C, included by the BPF programs (clang -target bpf) and by C++.
 * Changing a layout means bumping GUARD_ABI_VERSION.
 */
#ifndef GUARD_ABI_H
#define GUARD_ABI_H

#include <linux/types.h>

#define GUARD_ABI_VERSION 4

#define GUARD_COMM_LEN 16
/* Bytes of a path the kernel side copies, NUL included (the kernel's PATH_MAX). */
#define GUARD_PATH_MAX 4096
/* Bytes of argv the kernel side copies (NUL-separated arguments). */
#define GUARD_ARGV_MAX 4096
/* No record is larger than this; a power of two so the BPF side can mask sizes.
 * The largest is an exec: four strings of up to 4096 bytes. */
#define GUARD_RECORD_MAX 32768

enum guard_record_kind {
	GUARD_RECORD_EXEC = 1,        /* guard_exec: a successful exec (sched_process_exec) */
	GUARD_RECORD_EXEC_FAILED,     /* guard_exec: execve/execveat that returned an error */
	GUARD_RECORD_FORK,            /* guard_fork: a new process (not a thread) */
	GUARD_RECORD_EXIT,            /* guard_exit: a process ended (its last thread) */
	GUARD_RECORD_FILE_OPEN,       /* guard_file: open, creat, openat, openat2, open_by_handle_at */
	GUARD_RECORD_FILE_RENAME,     /* guard_file: rename, renameat, renameat2 (path -> path2) */
	GUARD_RECORD_FILE_UNLINK,     /* guard_file: unlink, unlinkat */
	GUARD_RECORD_FILE_CHMOD,      /* guard_file: chmod, fchmodat, fchmodat2 */
	GUARD_RECORD_FILE_CHOWN,      /* guard_file: chown, lchown, fchownat */
	GUARD_RECORD_FILE_LINK,       /* guard_file: link, linkat (path2 is the new name) */
	GUARD_RECORD_FILE_SYMLINK,    /* guard_file: symlink, symlinkat (path is the new link, path2 the target as given) */
	GUARD_RECORD_NET_CONNECT,     /* guard_net */
	GUARD_RECORD_NET_BIND,        /* guard_net */
	GUARD_RECORD_NET_LISTEN,      /* guard_net */
	GUARD_RECORD_NET_ACCEPT,      /* guard_net */
	GUARD_RECORD_FILE_MKDIR,      /* guard_file: mkdir, mkdirat */
	GUARD_RECORD_NET_SEND,        /* guard_net: sendto, sendmsg, sendmmsg to an address (datagrams) */
	/* Privilege and tamper signals (kern/privilege.bpf.h) */
	GUARD_RECORD_CRED_CHANGE,     /* guard_cred: setuid ... setfsgid, capset */
	GUARD_RECORD_PTRACE,          /* guard_target: ptrace */
	GUARD_RECORD_PROCESS_VM_WRITE, /* guard_target: process_vm_writev */
	GUARD_RECORD_SIGNAL_AGENT,    /* guard_target: kill, tkill, tgkill aimed at guard itself */
	GUARD_RECORD_MODULE_LOAD,     /* guard_module: init_module, finit_module */
	GUARD_RECORD_MODULE_UNLOAD,   /* guard_module: delete_module */
	GUARD_RECORD_BPF_PROG_LOAD,   /* guard_bpf_load: bpf(BPF_PROG_LOAD) */
	GUARD_RECORD_MOUNT,           /* guard_mount: mount (path: target, path2: source) */
	GUARD_RECORD_UMOUNT,          /* guard_mount: umount2 (path: target) */
	GUARD_RECORD_PIVOT_ROOT,      /* guard_mount: pivot_root (path: new_root, path2: put_old) */
	GUARD_RECORD_CHROOT,          /* guard_mount: chroot (path: the new root) */
	GUARD_RECORD_NAMESPACE,       /* guard_mount: unshare, setns (path: setns's namespace file) */
	GUARD_RECORD_MEMFD_CREATE,    /* guard_memfd */
	GUARD_RECORD_KIND_MAX,        /* one past the last kind */
};

/* The ring a record travels in (kern/common.bpf.h routes by this; the agent
 * drains both). Process and network records are few and each one precious;
 * file records are most of the traffic and any process can make millions. In
 * rings of their own, a flood of file records can fill only theirs, never
 * take the room of an exec. A kind not named here goes with the precious. */
enum guard_ring {
	GUARD_RING_PROC_NET = 0, /* exec, exec_failed, fork, exit, net_*, the privilege kinds */
	GUARD_RING_FILE,         /* file_* */
	GUARD_RING_COUNT,
};

static inline __u32 guard_ring_of(__u32 kind)
{
	return (kind >= GUARD_RECORD_FILE_OPEN && kind <= GUARD_RECORD_FILE_SYMLINK) || kind == GUARD_RECORD_FILE_MKDIR
		       ? GUARD_RING_FILE
		       : GUARD_RING_PROC_NET;
}

struct guard_string {
	__u16 offset; /* from the first byte of the record */
	__u16 length; /* bytes, without the NUL */
};

/* The context of the task that caused the record. */
struct guard_header {
	__u16 kind;      /* enum guard_record_kind */
	__u16 size;      /* bytes of the whole record, header included */
	__u16 version;   /* GUARD_ABI_VERSION of the program that wrote it */
	__u16 flags;     /* per-kind flags (GUARD_EXEC_*, GUARD_FILE_*, ...) and GUARD_VIA_* */
	__u64 boot_ns;   /* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME */
	__u64 cgroup_id;
	__u32 pid;       /* thread group id, what userspace calls the pid */
	__u32 tid;       /* thread id */
	__u32 ppid;      /* real_parent->tgid */
	__u32 uid;       /* real uid */
	__u32 gid;       /* real gid */
	__u32 euid;      /* effective uid */
	__u32 mnt_ns;    /* mount namespace inode number */
	__u32 pid_ns;    /* pid namespace inode number */
	char comm[GUARD_COMM_LEN];
};

/* guard_header.flags bits of every kind (the per-kind flags start at bit 0). */
#define GUARD_VIA_IO_URING (1 << 15) /* an io_uring request, not a syscall: the header is its submitter's */
#define GUARD_NO_RESULT    (1 << 14) /* io_uring, IOSQE_CQE_SKIP_SUCCESS: reported at submission, result unknown */
#define GUARD_NO_REQUEST   (1 << 13) /* io_uring: the completion's request was not seen submitted: its arguments are unknown */
#define GUARD_KILLED       (1 << 12) /* guard --enforce: the kernel sent the task SIGKILL for this record (a kill rule's table held it) */

/* The kill rules' kernel tables (kern/enforce.bpf.h), written by the agent
 * (cli/kill_tables.cpp) at start and on every reload. Every entry carries
 * the generation it belongs to; the agent fills the inactive generation,
 * then flips the state word (one 32-bit store), so a program sees the old
 * tables or the new ones, never half of each. */
#define GUARD_KILL_GENERATION (1u << 31) /* state word: the active generation (0 or 1) */
#define GUARD_KILL_EXEC    (1u << 0)     /* state word and key kind: the exec table has entries */
#define GUARD_KILL_OPEN    (1u << 1)
#define GUARD_KILL_CONNECT (1u << 2)
#define GUARD_KILL_FILES_MAX 4096 /* files (exec and open) per generation */
#define GUARD_KILL_CIDRS_MAX 1024 /* prefixes per generation and family */

struct guard_kill_file_key {
	__u32 generation;
	__u32 kind;       /* GUARD_KILL_EXEC or GUARD_KILL_OPEN */
	__u64 dev;        /* the kernel's dev_t (super_block s_dev: major << 20 | minor) */
	__u64 ino;
};

/* LPM trie keys: prefixlen counts the generation's 32 bits, then the address's. */
struct guard_kill_v4_key {
	__u32 prefixlen;
	__u32 generation;
	__u8 addr[4];
};

struct guard_kill_v6_key {
	__u32 prefixlen;
	__u32 generation;
	__u8 addr[16];
};

/* The prefilter's kernel tables (kern/prefilter.bpf.h), written by the agent
 * (cli/prefilter_tables.cpp) at start, on every reload and whenever the
 * rules' files are resolved again: with --alerts-only (or --file-events /
 * --net-events alerts), a file or network record that no rule can match is
 * not written. Keyed by generation as the kill tables are; the state word
 * (filter_state) names the generation whose guard_filter_config holds. */
#define GUARD_FILTER_DEPTH 16         /* directories above an opened file the kernel looks at */
#define GUARD_FILTER_FILES_MAX 16384  /* files and directories per generation */
#define GUARD_FILTER_CIDRS_MAX 1024   /* prefixes per generation and family */
#define GUARD_FILTER_PORTS_MAX 1024   /* ports per generation */
/* filter_files values: what an opened file's identity, or a directory's
 * above it, lets through. */
#define GUARD_FILTER_FILE_ANY    (1u << 0) /* any open of this file */
#define GUARD_FILTER_FILE_MODIFY (1u << 1) /* an open of it that modifies (GUARD_FILE_MODIFY) */
#define GUARD_FILTER_DIR_ANY     (1u << 2) /* any open of a file below this directory */
#define GUARD_FILTER_DIR_MODIFY  (1u << 3) /* ... that modifies */
#define GUARD_FILTER_DIR_CREATE  (1u << 4) /* an open with O_CREAT of a name directly in it */
/* A directory that holds a watched name: an open of a file directly in it
 * whose ctime is at or after guard_filter_config.names_changed_ns (put
 * there, by rename, link or creation, since the names were resolved), and
 * any open through a mount on it. */
#define GUARD_FILTER_DIR_NAMES   (1u << 5)

struct guard_filter_config {
	__u32 valid;       /* 0: nothing written yet, everything passes */
	__u32 pass_all;    /* bit (1 << kind): every record of the kind passes */
	__u32 table;       /* bit (1 << kind): a record passes on a table hit (else: none passes) */
	__u32 open_modify; /* non-zero: every file_open that modifies passes */
	__u32 root_dev;    /* "/" as the tables were resolved (kernel dev_t): a */
	__u32 reserved;    /* process with another root passes (its names differ) */
	__u64 root_ino;
	/* CLOCK_REALTIME ns: the names were resolved after this (with a
	 * margin for the kernel's coarse clock and whole-second ctimes). A
	 * file that a rename, link or creation put under a watched name
	 * since then has a ctime at or after it (GUARD_FILTER_DIR_NAMES). */
	__u64 names_changed_ns;
	/* GUARD_FILTER_DIR_* bits that some directory in the tables has: the
	 * walk above an opened file ends where none of them can apply. */
	__u32 dir_bits;
	__u32 reserved2;
};

/* A bit per identity in filter_files (a Bloom filter of one hash): most
 * directories above an opened file are in no table, and a clear bit says so
 * with one load where the hash lookup costs a helper call. The bit of
 * (dev, ino) is guard_filter_bloom_bit's; one array per generation. */
#define GUARD_FILTER_BLOOM_WORDS 512 /* 64-bit words per generation: 32768 bits */

struct guard_filter_bloom {
	__u64 words[2][GUARD_FILTER_BLOOM_WORDS];
};

static inline __u32 guard_filter_bloom_bit(__u32 dev, __u64 ino)
{
	return (__u32)(((ino ^ ((__u64)dev << 40)) * 0x9e3779b97f4a7c15ull) >> 49); /* 15 bits */
}

struct guard_filter_file_key {
	__u32 generation;
	__u32 dev; /* super_block s_dev, kernel encoding */
	__u64 ino;
};

/* LPM keys as the kill tables': prefixlen counts the generation's 32 bits. */
struct guard_filter_v4_key {
	__u32 prefixlen;
	__u32 generation;
	__u8 addr[4];
};

struct guard_filter_v6_key {
	__u32 prefixlen;
	__u32 generation;
	__u8 addr[16];
};

struct guard_filter_port_key {
	__u32 generation;
	__u32 port; /* host byte order */
};

/* The task's own facts (kern/prefilter.bpf.h, task_in_filter): a rule's
 * `comm` equals/in becomes a set of comms, its `uid` equals/in and
 * comparisons ranges of (real) uids, each with bit (1 << kind) of the kinds
 * it lets through. Read from the current task as the record's header is
 * (never user memory), they decide a record that carries no kernel object
 * (a failed open, a rename) too, when they are all its kind's rules test. */
#define GUARD_FILTER_COMMS_MAX 1024 /* comms per generation */
#define GUARD_FILTER_UIDS_MAX 32    /* uid ranges per generation */

struct guard_filter_comm_key {
	__u32 generation;
	char comm[16]; /* as task->comm: at most 15 bytes, NUL-padded */
};

struct guard_filter_uid_range {
	__u32 lo, hi; /* inclusive */
	__u32 kinds;
	__u32 reserved;
};

/* filter_task's value, one per generation (the key). */
struct guard_filter_task {
	__u32 comm_kinds; /* kinds with an entry in filter_comms */
	__u32 uid_kinds;  /* kinds with a range in uids */
	__u32 task_only;  /* kinds on which every rule is decided by comm or uid alone */
	__u32 uid_count;  /* ranges in uids, the first ones */
	struct guard_filter_uid_range uids[GUARD_FILTER_UIDS_MAX];
};

/* guard_exec.header.flags */
#define GUARD_EXEC_ARGV_TRUNCATED (1 << 0) /* argv was longer than GUARD_ARGV_MAX */
#define GUARD_EXEC_PATH_TRUNCATED (1 << 1) /* path_given did not fit */
#define GUARD_EXEC_FILELESS       (1 << 2) /* execveat(AT_EMPTY_PATH) or a memfd-backed file */
#define GUARD_EXEC_MEMFD          (1 << 3) /* the executable is a memfd */
#define GUARD_EXEC_EXECVEAT       (1 << 4) /* came through execveat */
#define GUARD_EXEC_INTERPRETED    (1 << 5) /* the kernel ran an interpreter for path_given (#! or binfmt_misc): exe is the interpreter */
#define GUARD_EXEC_EXE_TRUNCATED  (1 << 6) /* exe's walk hit its bound: its leading part is missing */
#define GUARD_EXEC_EXE_DELETED    (1 << 7) /* the executable has no name any more (unlinked, or never had one) */
#define GUARD_EXEC_CWD_TRUNCATED  (1 << 8)
#define GUARD_EXEC_FROM_USER      (1 << 9) /* exec_failed: path_given and argv are the caller's memory, read at enter */
#define GUARD_EXEC_READ_AT_EXIT   (1 << 10) /* ... read at exit: at enter the caller's page was not in memory */

/* exec: every path is the kernel's. path_given is the name exec was given, as
 * the kernel copied it (bprm->filename; what a #! script was called); exe
 * is the file the new program runs from, walked from the new mm->exe_file
 * (symlinks resolved: the interpreter of a script, ld.so when run by hand);
 * cwd is walked from fs->pwd. exec_failed: path_given and argv were read from
 * the caller at the syscall's enter, exe is empty. */
/* guard_exec.stdio: the shape of a reverse shell. Not header flags: the
 * header's 16 bits are all taken for exec (GUARD_KILLED is bit 12). */
#define GUARD_STDIO_SOCKET (1 << 0) /* fd 0, 1 or 2 of the new program is a socket (its inode is S_IFSOCK) */
#define GUARD_STDIO_INET   (1 << 1) /* ... and one such is an IPv4 or IPv6 socket */

struct guard_exec {
	struct guard_header header;
	struct guard_string path_given; /* the path exec was given (JSON: path_given, when not path) */
	struct guard_string exe;      /* exec: the executed file's absolute path */
	struct guard_string cwd;      /* the working directory's absolute path */
	struct guard_string argv;     /* NUL-separated arguments, argv[0] first */
	__u32 argc;                   /* arguments in argv (whole ones, if truncated) */
	__s32 result;                 /* 0, or -errno for GUARD_RECORD_EXEC_FAILED */
	__u64 ino;                    /* exec: exe's inode number */
	__u32 dev;                    /* exec: exe's file system (super_block s_dev, kernel encoding) */
	__u32 stdio;                  /* exec: GUARD_STDIO_* of the new program's fds 0, 1 and 2 */
	__u64 ctime_ns;               /* exec: exe's change time (inode ctime, ns since the epoch); with dev and
				       * ino the key of its cached sha256 (engine/exe_hashes.h); 0: unknown */
	char data[];                  /* the strings */
};

/* A fork's header is the parent's (the task that forked). */
struct guard_fork {
	struct guard_header header;
	__u32 child_pid;
	__u32 child_tid;
	__u64 clone_flags;
};

struct guard_exit {
	struct guard_header header;
	__s32 exit_code; /* the status's exit code, when it exited */
	__u32 signal;    /* the signal that ended it, or 0 */
};

/* guard_file.header.flags */
#define GUARD_FILE_MODIFY            (1 << 0) /* open for write, create or truncate */
#define GUARD_FILE_PATH_TRUNCATED    (1 << 1) /* path resolution hit its bound */
#define GUARD_FILE_PATH_UNRESOLVED   (1 << 2) /* relative path that could not be made absolute */
#define GUARD_FILE_PATH2_TRUNCATED   (1 << 3)
#define GUARD_FILE_PATH2_UNRESOLVED  (1 << 4)
#define GUARD_FILE_PATH_FROM_USER    (1 << 5) /* path is the caller's string (read at enter), not the kernel's file */
#define GUARD_FILE_PATH2_FROM_USER   (1 << 6) /* ... path2 */
#define GUARD_FILE_DELETED           (1 << 7) /* the opened file has no name (unlinked, O_TMPFILE) */
#define GUARD_FILE_READ_AT_EXIT      (1 << 8) /* a path from the caller was read at exit: at enter its page was not in memory */
#define GUARD_FILE_BY_HANDLE         (1 << 9) /* open_by_handle_at: no path was given, the file was named by a handle */

/* A successful open's path is walked from the struct file the call returned,
 * with dev and ino its identity; path_given is the string the caller passed,
 * read at enter. Every other path was read from the caller at enter (flag
 * GUARD_FILE_PATH_FROM_USER), made absolute against the cwd or dirfd. */
struct guard_file {
	struct guard_header header;
	struct guard_string path;       /* absolute path */
	struct guard_string path2;      /* rename/link: the new path; symlink: the target as given; else empty */
	struct guard_string path_given; /* open that succeeded: the path as the caller gave it; else empty */
	__s32 result;     /* the syscall's return: fd or 0 on success, -errno on failure */
	__u32 open_flags; /* open: O_* flags */
	__u32 mode;       /* open with O_CREAT, chmod: the mode */
	__u32 owner_uid;  /* chown: new owner (-1: unchanged) */
	__u32 owner_gid;  /* chown: new group (-1: unchanged) */
	__u32 dev;        /* open that succeeded: the file's super_block s_dev (kernel encoding) */
	__u32 reserved;
	__u64 ino;        /* ... its inode number */
	char data[];
};

/* guard_net.header.flags */
#define GUARD_NET_UNIX_PATH_TRUNCATED (1 << 0)
#define GUARD_NET_ADDR_FROM_USER      (1 << 1) /* the socket held no address: it is the caller's sockaddr, read at enter */
#define GUARD_NET_RACED               (1 << 2) /* the caller's sockaddr (given_*) differs from the socket's */
#define GUARD_NET_GIVEN_UNIX_PATH_TRUNCATED (1 << 3)
#define GUARD_NET_READ_AT_EXIT        (1 << 4) /* the caller's sockaddr was read at exit: at enter its page was not in memory */

/* The address is the socket's own after the call (struct sock: connect's
 * and accept's peer, bind's and listen's local address). Only when the
 * socket holds none (a call that failed early) is it the sockaddr the caller
 * passed, read at enter. The given_* fields hold that sockaddr when it is
 * not what the socket holds: someone changed it during the call.
 * A send's address is the destination the caller passed (an unconnected
 * socket keeps none): read at enter and flagged GUARD_NET_ADDR_FROM_USER,
 * or through io_uring the kernel's own copy of it. */
struct guard_net {
	struct guard_header header;
	__u16 family;   /* AF_INET, AF_INET6, AF_UNIX */
	__u16 port;     /* host byte order */
	__s32 result;   /* the syscall's return (accept: the new fd), or -errno */
	__u8 addr[16];  /* AF_INET: first 4 bytes; AF_INET6: all 16. connect/accept: the peer;
			   bind/listen: the local address; send: the destination.
			   IPv4-mapped IPv6 is reported as AF_INET. */
	struct guard_string unix_path; /* AF_UNIX: the socket path (abstract names start with '@') */
	union {
		__u32 backlog; /* listen */
		__u32 count;   /* send: sends to this address since its last record, this one included */
	};
	__u16 given_family; /* GUARD_NET_RACED: the caller's sockaddr, as family .. unix_path above */
	__u16 given_port;
	__u8 given_addr[16];
	struct guard_string given_unix_path;
	char data[];
};

/* The privilege kinds. Each carries the syscall's number on this
 * architecture (the tracepoint's own, so userspace names the call) and its
 * return. */

/* A task's credentials, as struct cred holds them. */
struct guard_cred_ids {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_effective, cap_permitted, cap_inheritable;
};

/* Both sets are the kernel's: old read from task->cred at enter, new at
 * exit (what the kernel did, not what the caller asked). */
struct guard_cred {
	struct guard_header header;
	__s32 syscall_nr;
	__s32 result;
	struct guard_cred_ids old_ids;
	struct guard_cred_ids new_ids;
};

/* Another process the caller acts on, numbered as the caller numbers it
 * (its pid namespace's). signal_agent: the agent, by its tgid (kill) or a
 * thread (tkill, tgkill). */
struct guard_target {
	struct guard_header header;
	__s32 syscall_nr;
	__s32 result;
	__u32 target_pid; /* ptrace, process_vm_writev, kill: pid; tgkill: tgid; tkill: 0 */
	__u32 target_tid; /* tkill, tgkill: tid; else 0 */
	__u64 request;    /* ptrace: request; signal_agent: the signal; process_vm_writev: iovecs written from */
	__u64 addr;       /* ptrace: addr; process_vm_writev: iovecs written to */
};

/* guard_module.header.flags */
#define GUARD_MODULE_NAME_FROM_USER   (1 << 0) /* name is the caller's string, read at enter */
#define GUARD_MODULE_PARAMS_FROM_USER (1 << 1) /* params are the caller's, read at enter */
#define GUARD_MODULE_PATH_TRUNCATED   (1 << 2)

struct guard_module {
	struct guard_header header;
	__s32 syscall_nr;
	__s32 result;
	__u32 flags;     /* finit_module: MODULE_INIT_*; delete_module: O_* */
	__s32 fd;        /* finit_module: the module's file; else -1 */
	__u64 image_len; /* init_module: bytes of the image */
	struct guard_string name;   /* delete_module: the module's name */
	struct guard_string path;   /* finit_module: the file's absolute path, walked from fd at enter */
	struct guard_string params; /* init_module, finit_module: the parameters */
	__u32 reserved;
	char data[];
};

/* guard_bpf_load.header.flags */
#define GUARD_BPF_NAME_FROM_USER (1 << 0) /* prog_name and prog_type are the caller's bpf_attr, read at enter */

/* A successful load's type and name are the kernel's (the struct bpf_prog
 * behind the returned fd); a failed one's come from the caller's attr. */
struct guard_bpf_load {
	struct guard_header header;
	__s32 syscall_nr;
	__s32 result;    /* the program's fd, or -errno */
	__u32 prog_type; /* BPF_PROG_TYPE_* */
	__u32 expected_attach_type;
	__u32 insn_cnt;  /* as the caller gave it */
	__u32 prog_flags;
	char prog_name[16]; /* NUL-padded; not always NUL-terminated */
};

/* guard_mount.header.flags: the bits guard_file uses for the same things. */
#define GUARD_MOUNT_PATH_TRUNCATED   GUARD_FILE_PATH_TRUNCATED
#define GUARD_MOUNT_PATH_UNRESOLVED  GUARD_FILE_PATH_UNRESOLVED
#define GUARD_MOUNT_PATH2_TRUNCATED  GUARD_FILE_PATH2_TRUNCATED
#define GUARD_MOUNT_PATH2_UNRESOLVED GUARD_FILE_PATH2_UNRESOLVED
#define GUARD_MOUNT_PATH_FROM_USER   GUARD_FILE_PATH_FROM_USER
#define GUARD_MOUNT_PATH2_FROM_USER  GUARD_FILE_PATH2_FROM_USER
#define GUARD_MOUNT_READ_AT_EXIT     GUARD_FILE_READ_AT_EXIT
#define GUARD_MOUNT_FSTYPE_FROM_USER (1 << 9)

/* Paths as the caller gave them (read at enter, made absolute against the
 * cwd), except chroot's on success, walked from the new fs->root. */
struct guard_mount {
	struct guard_header header;
	__s32 syscall_nr;
	__s32 result;
	__u64 flags; /* mount: MS_*; umount: MNT_* and UMOUNT_*; unshare: CLONE_*; setns: nstype */
	__s32 fd;    /* setns: the namespace's fd; else -1 */
	__u32 ns_ino; /* setns: the inode number of fd's file (a namespace's is its ns.inum, as /proc/PID/ns names it) */
	struct guard_string path;   /* mount, umount: target; pivot_root: new_root; chroot: the new root */
	struct guard_string path2;  /* mount: source; pivot_root: put_old */
	struct guard_string fstype; /* mount */
	__u32 reserved2;
	char data[];
};

/* guard_memfd.header.flags */
#define GUARD_MEMFD_NAME_FROM_USER (1 << 0) /* the call failed: name is the caller's, read at enter */

/* A successful memfd_create's name and identity are the new file's: an exec
 * of it reports path "/memfd:<name>" and the same ino. */
struct guard_memfd {
	struct guard_header header;
	__s32 syscall_nr;
	__s32 result; /* the new fd, or -errno */
	__u32 flags;  /* MFD_* */
	__u32 dev;    /* the file's super_block s_dev (kernel encoding) */
	__u64 ino;
	struct guard_string name; /* without the kernel's "memfd:" prefix */
	__u32 reserved;
	char data[];
};

/* Sizes and offsets are part of the contract: both compilers must agree. */
#ifdef __cplusplus
#define GUARD_ABI_ASSERT(expr, msg) static_assert(expr, msg)
#else
#define GUARD_ABI_ASSERT(expr, msg) _Static_assert(expr, msg)
#endif

GUARD_ABI_ASSERT(sizeof(struct guard_string) == 4, "guard_string is 4 bytes");
GUARD_ABI_ASSERT(sizeof(struct guard_header) == 72, "guard_header is 72 bytes");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_header, boot_ns) == 8, "boot_ns at 8");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_header, pid) == 24, "pid at 24");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_header, comm) == 56, "comm at 56");
GUARD_ABI_ASSERT(sizeof(struct guard_exec) == 120, "guard_exec fixed part");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_exec, ctime_ns) == 112, "exec ctime at 112");
GUARD_ABI_ASSERT(__builtin_offsetof(struct guard_exec, data) == 120, "exec strings at 120");
GUARD_ABI_ASSERT(sizeof(struct guard_fork) == 88, "guard_fork");
GUARD_ABI_ASSERT(sizeof(struct guard_exit) == 80, "guard_exit");
GUARD_ABI_ASSERT(sizeof(struct guard_file) == 120, "guard_file fixed part");
GUARD_ABI_ASSERT(sizeof(struct guard_net) == 128, "guard_net fixed part");
GUARD_ABI_ASSERT(sizeof(struct guard_cred_ids) == 56, "guard_cred_ids");
GUARD_ABI_ASSERT(sizeof(struct guard_cred) == 192, "guard_cred");
GUARD_ABI_ASSERT(sizeof(struct guard_target) == 104, "guard_target");
GUARD_ABI_ASSERT(sizeof(struct guard_module) == 112, "guard_module fixed part");
GUARD_ABI_ASSERT(sizeof(struct guard_bpf_load) == 112, "guard_bpf_load");
GUARD_ABI_ASSERT(sizeof(struct guard_mount) == 112, "guard_mount fixed part");
GUARD_ABI_ASSERT(sizeof(struct guard_memfd) == 104, "guard_memfd fixed part");
GUARD_ABI_ASSERT(sizeof(struct guard_exec) + 3 * GUARD_PATH_MAX + GUARD_ARGV_MAX <= GUARD_RECORD_MAX,
		 "an exec record fits GUARD_RECORD_MAX");
GUARD_ABI_ASSERT(sizeof(struct guard_file) + 3 * GUARD_PATH_MAX <= GUARD_RECORD_MAX,
		 "a file record fits GUARD_RECORD_MAX");

#endif
