/* SPDX-License-Identifier: GPL-2.0-only */
/* The few kernel structures guard reads, with only the members it uses.
 *
 * preserve_access_index makes every member access a CO-RE relocation: clang
 * records "member real_parent of struct task_struct" and the loader puts in
 * the running kernel's offset (loader/core_relocate.cpp, against
 * /sys/kernel/btf/vmlinux). Order and offsets here mean nothing; names and
 * types must match the kernel's.
 *
 * guard reads them with plain loads through pointers whose type the
 * verifier knows: the running task (current_task_readonly()), and any
 * kernel address seen as a type with kernel_ptr() (bpf_rdonly_cast). The
 * verifier checks each load against vmlinux BTF and compiles it to a
 * fault-safe load: a fault reads 0. That costs a memory access, where a
 * bpf_probe_read_kernel (the GUARD_CORE_READ macros of bpf_core.h) is a
 * helper call: here several times more, and the header's nine reads done as
 * probe reads once made the openat exit program ~90 ns slower. Only an
 * array indexed at run time (the fd table) and bytes of unknown length (a
 * long name) still need a helper.
 */
#ifndef GUARD_KERN_KERNEL_TYPES_H
#define GUARD_KERN_KERNEL_TYPES_H

#include <linux/openat2.h> /* struct open_how: UAPI, the same layout in the kernel */

#include "bpf_defs.h"

#define __guard_core __attribute__((preserve_access_index))

typedef struct {
	__u32 val;
} kuid_t;

typedef struct {
	__u32 val;
} kgid_t;

/* A capability set: one 64-bit mask since Linux 6.3. */
typedef struct {
	__u64 val;
} kernel_cap_t;

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
} __guard_core;

/* A task's cgroup v2 id: task->cgroups->dfl_cgrp->kn->id, what
 * bpf_get_current_cgroup_id() returns. */
struct kernfs_node {
	__u64 id;
} __guard_core;

struct cgroup {
	struct kernfs_node *kn;
} __guard_core;

struct css_set {
	struct cgroup *dfl_cgrp;
} __guard_core;

struct ns_common {
	unsigned int inum;
} __guard_core;

struct mnt_namespace {
	struct ns_common ns;
} __guard_core;

struct pid_namespace {
	struct ns_common ns;
} __guard_core;

struct nsproxy {
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
} __guard_core;

/* qstr and path are read whole (GUARD_CORE_READ_INTO): their layout has
 * been the same since Linux 2.6, as this declares it. */
struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
		__u64 hash_len;
	};
	const unsigned char *name;
} __guard_core;

/* A dentry is "unhashed" once unlinked (or made by O_TMPFILE): d_path()
 * then says " (deleted)". */
struct hlist_bl_node {
	struct hlist_bl_node *next, **pprev;
} __guard_core;

struct super_block {
	__u32 s_dev; /* dev_t, the kernel's encoding: major << 20 | minor */
} __guard_core;

struct inode {
	unsigned short i_mode; /* umode_t: the file type (S_IFMT) and permissions */
	unsigned long i_ino;
	struct super_block *i_sb;
	/* The change time, since Linux 6.11 two integers; since 6.13 the
	 * nanoseconds' bit 31 is I_CTIME_QUERIED (multigrain timestamps), not
	 * time. Older layouts: inode___ctime_6_6, inode___ctime_old. */
	__s64 i_ctime_sec;
	__u32 i_ctime_nsec;
} __guard_core;

struct timespec64 {
	__s64 tv_sec;
	long tv_nsec;
} __guard_core;

/* Linux 6.6 to 6.10: the change time behind inode_get_ctime(). */
struct inode___ctime_6_6 {
	struct timespec64 __i_ctime;
} __guard_core;

/* Before Linux 6.6. */
struct inode___ctime_old {
	struct timespec64 i_ctime;
} __guard_core;

/* A short name lives in the dentry itself (DNAME_INLINE_LEN bytes): in
 * d_shortname since Linux 6.14 (40 bytes on 64-bit), d_iname before (32). */
union shortname_store {
	unsigned long words[5];
} __guard_core;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct hlist_bl_node d_hash;
	struct inode *d_inode;
	union shortname_store d_shortname;
	unsigned long d_iname[4];
} __guard_core;

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
} __guard_core;

/* fs/mount.h: the vfsmount is embedded in it, hence container_of. */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
} __guard_core;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} __guard_core;

struct fs_struct {
	struct path root;
	struct path pwd;
} __guard_core;

struct file {
	struct path f_path;
	struct inode *f_inode;
	void *private_data;
} __guard_core;

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} __guard_core;

struct files_struct {
	struct fdtable *fdt;
} __guard_core;

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long start_stack;
	struct file *exe_file;
} __guard_core;

/* A pid's level: its namespace's depth, 0 for the initial one. */
struct pid {
	unsigned int level;
} __guard_core;

/* kernel/bpf: a BPF program's file (anon inode) holds it as private_data. */
struct bpf_prog_aux {
	char name[16];
} __guard_core;

struct bpf_prog {
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	struct bpf_prog_aux *aux;
} __guard_core;

struct task_struct {
	unsigned int flags; /* PF_*: PF_IO_WORKER marks io_uring's own threads */
	int pid;
	int tgid;
	struct task_struct *group_leader;
	char comm[16];
	struct css_set *cgroups;
	int exit_code;
	struct task_struct *real_parent;
	const struct cred *cred;
	struct nsproxy *nsproxy;
	struct fs_struct *fs;
	struct files_struct *files;
	struct mm_struct *mm;
	struct pid *thread_pid;
} __guard_core;

/* Sockets: file->private_data of a socket's file is its struct socket. */
struct in6_addr {
	union {
		__u8 u6_addr8[16];
	} in6_u;
} __guard_core;

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __guard_core;

struct sock {
	struct sock_common __sk_common;
} __guard_core;

struct socket {
	struct sock *sk;
} __guard_core;

struct sockaddr_un {
	unsigned short sun_family;
	char sun_path[108];
} __guard_core;

/* A bound unix socket's address: len bytes of name. */
struct unix_address {
	int len;
	struct sockaddr_un name[];
} __guard_core;

/* net/af_unix.h: struct sock comes first, so a struct sock * of a unix
 * socket is its unix_sock. peer: the socket it is connected to. */
struct unix_sock {
	struct unix_address *addr;
	struct sock *peer;
} __guard_core;

/* io_uring (the kernel's io_uring/ headers). A request, struct io_kiocb, starts with a
 * union of its file and a 64-byte command area (cmd) that each opcode's
 * prep fills with its own struct: io_kiocb_to_cmd(). The paths in it are
 * struct filename, the kernel's copy of the caller's string, taken by
 * getname() at prep: the caller cannot rewrite it afterwards. */
struct filename {
	const char *name;
} __guard_core;

struct io_cmd_data {
	struct file *file;
} __guard_core;

struct io_kiocb {
	struct io_cmd_data cmd;
	struct file *file;
	__u8 opcode;
	void *async_data;
} __guard_core;

struct io_open {
	int dfd;
	__u32 file_slot;
	struct filename *filename;
	struct open_how how;
} __guard_core;

struct io_rename {
	int old_dfd;
	int new_dfd;
	struct filename *oldpath;
	struct filename *newpath;
} __guard_core;

/* linkat; symlinkat too (oldpath the target, newpath the link). */
struct io_link {
	int old_dfd;
	int new_dfd;
	struct filename *oldpath;
	struct filename *newpath;
	int flags;
} __guard_core;

struct io_unlink {
	int dfd;
	int flags;
	struct filename *filename;
} __guard_core;

struct io_mkdir {
	int dfd;
	unsigned short mode;
	struct filename *filename;
} __guard_core;

struct io_accept {
	__u32 file_slot;
} __guard_core;

/* The kernel's copy of a socket request's address (connect, send, sendmsg),
 * made at prep by move_addr_to_kernel() into the request's async data. */
struct msghdr {
	void *msg_name;
	int msg_namelen;
} __guard_core;

struct sockaddr_storage_k {
	unsigned short ss_family;
} __guard_core;

struct io_async_msghdr {
	struct msghdr msg;
	struct sockaddr_storage_k addr;
} __guard_core;

/* The running task, typed: the verifier knows it is a task_struct. */
static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* A kernel address seen as a pointer to the type with BTF id btf_id, for
 * reading only: loads through it are plain fault-safe loads, and the
 * verifier checks them against that type without the search of vmlinux BTF
 * that loads through a trusted pointer cost it. The verifier turns the call
 * into a register move. Linux 6.2+. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* kernel/bpf/ringbuf.c: a BPF_MAP_TYPE_RINGBUF map is a bpf_ringbuf_map,
 * and its ring's positions say how much waits: what bpf_ringbuf_query
 * (BPF_RB_AVAIL_DATA) returns, read without a helper call. */
struct bpf_ringbuf {
	unsigned long consumer_pos;
	unsigned long producer_pos;
} __guard_core;

struct bpf_ringbuf_map {
	struct bpf_ringbuf *rb;
} __guard_core;

/* A kernel address (a number: read from memory, or walked to) as a pointer
 * to the kernel's `type`, for plain fault-safe loads (bpf_rdonly_cast). */
#define kernel_ptr(type, addr) ((type *)bpf_rdonly_cast((void *)(addr), bpf_core_type_id_kernel(type)))

/* The running task, for reading: cheap for the verifier (see
 * bpf_rdonly_cast) where the kernel has the kfunc, typed and trusted where
 * it does not. */
static __always_inline struct task_struct *current_task_readonly(void)
{
	if (bpf_ksym_exists(bpf_rdonly_cast))
		return bpf_rdonly_cast((void *)bpf_get_current_task(), bpf_core_type_id_kernel(struct task_struct));
	return bpf_get_current_task_btf();
}

/* An inode's change time in ns since the epoch, whichever layout this
 * kernel's struct inode has (above); 0 when none is known. The seconds
 * and nanoseconds are two loads: a change between them may read a time
 * up to a second early. */
static __always_inline __u64 inode_ctime_ns(struct inode *inode)
{
	__s64 sec = 0;
	__u64 nsec = 0;
	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		sec = inode->i_ctime_sec;
		nsec = inode->i_ctime_nsec;
	} else if (bpf_core_field_exists(((struct inode___ctime_6_6 *)inode)->__i_ctime)) {
		struct inode___ctime_6_6 *i = (struct inode___ctime_6_6 *)inode;
		sec = i->__i_ctime.tv_sec;
		nsec = i->__i_ctime.tv_nsec;
	} else if (bpf_core_field_exists(((struct inode___ctime_old *)inode)->i_ctime)) {
		struct inode___ctime_old *i = (struct inode___ctime_old *)inode;
		sec = i->i_ctime.tv_sec;
		nsec = i->i_ctime.tv_nsec;
	}
	/* Bit 31 of a 6.13+ kernel's nanoseconds is I_CTIME_QUERIED; time
	 * needs 30 bits. */
	nsec &= 0x3fffffff;
	if (sec <= 0)
		return 0;
	return (__u64)sec * 1000000000ull + nsec;
}

#endif
