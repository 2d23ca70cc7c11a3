/* SPDX-License-Identifier: GPL-2.0-only */
/* The few kernel structures guard reads, with only the members it uses.
 *
 * preserve_access_index makes every member access a CO-RE relocation: clang
 * records "member real_parent of struct task_struct" and the loader puts in
 * the running kernel's offset (loader/core_relocate.cpp, against
 * /sys/kernel/btf/vmlinux). Order and offsets here mean nothing; names and
 * types must match the kernel's.
 *
 * Two ways to read them. Through a pointer whose type the verifier knows,
 * plain loads (task->real_parent->tgid) are checked against vmlinux BTF and
 * compiled to fault-safe loads, cheaper at run time than a
 * bpf_probe_read_kernel per step: the header's nine reads done as probe
 * reads made the openat exit program ~90 ns slower here. The record
 * header, read on every event, uses plain loads (fill_header), through
 * current_task_readonly(). Reads that run rarely (a relative path's
 * directory, a socket's address, exec's argv) use GUARD_CORE_READ on the
 * untyped bpf_get_current_task(): less to verify.
 */
#ifndef GUARD_KERN_KERNEL_TYPES_H
#define GUARD_KERN_KERNEL_TYPES_H

#include "bpf_defs.h"

#define __guard_core __attribute__((preserve_access_index))

typedef struct {
	__u32 val;
} kuid_t;

struct cred {
	kuid_t euid;
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

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
} __guard_core;

struct vfsmount {
	struct dentry *mnt_root;
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

struct task_struct {
	int tgid;
	int exit_code;
	struct task_struct *real_parent;
	const struct cred *cred;
	struct nsproxy *nsproxy;
	struct fs_struct *fs;
	struct files_struct *files;
	struct mm_struct *mm;
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
 * socket is its unix_sock. */
struct unix_sock {
	struct unix_address *addr;
} __guard_core;

/* The running task, typed: the verifier knows it is a task_struct. */
static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* A kernel address seen as a pointer to the type with BTF id btf_id, for
 * reading only: loads through it are plain fault-safe loads, and the
 * verifier checks them against that type without the search of vmlinux BTF
 * that loads through a trusted pointer cost it. The verifier turns the call
 * into a register move. Linux 6.2+. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* The running task, for reading: cheap for the verifier (see
 * bpf_rdonly_cast) where the kernel has the kfunc, typed and trusted where
 * it does not. */
static __always_inline struct task_struct *current_task_readonly(void)
{
	if (bpf_ksym_exists(bpf_rdonly_cast))
		return bpf_rdonly_cast((void *)bpf_get_current_task(), bpf_core_type_id_kernel(struct task_struct));
	return bpf_get_current_task_btf();
}

#endif
