/* SPDX-License-Identifier: GPL-2.0-only */
/* The prefilter: with --alerts-only (or --file-events / --net-events
 * alerts), a file or network record that no rule can match is not written.
 *
 * The agent compiles what the kernel can check of the rules into the
 * tables below (engine/prefilter_table.cpp; docs/rules.md says which
 * conditions): per record kind, "every record passes" (a rule the kernel
 * cannot check watches the kind), "none passes" (no rule watches it) or
 * "a record passes on a table hit":
 * - file_open: the opened file's identity (dev, ino), or that of one of the
 *   GUARD_FILTER_DEPTH directories above it, walked through d_parent and
 *   across mounts as d_path() walks (a rule's path prefix is a directory);
 *   an open with O_CREAT also looks for its directory (a watched name
 *   created anew); and every modifying open when a rule asks for modify
 *   and nothing the kernel can check;
 * - a watched name given a new file before the engine resolves it again
 *   (it does when it sees the rename, or within 10 s): the directory that
 *   holds the name is marked (GUARD_FILTER_DIR_NAMES), and a file directly
 *   in it passes when its ctime is at or after the time the names were
 *   resolved (rename, link and creation set the ctime of the file they put
 *   under a name: ext4, xfs, tmpfs), as does any file under a mount
 *   on that directory; a mount on a watched file is seen where the walk
 *   crosses it, by the file it covers. A file changed lately beside a
 *   watched one passes too: sound, and one ctime read;
 * - net_*: the address in an LPM trie (IPv4, IPv6) or the port in a set;
 * - file_* and net_*: the current task's comm in a set, its real uid in a
 *   few ranges (task_in_filter).
 * A record passes when any of these lets its kind through. Names mean what
 * the agent resolved them to only for a process with the same root: any
 * other passes. A file record that carries no kernel object (a failed
 * open, a rename: paths as the caller gave them) passes whenever a rule
 * with a path test watches its kind; when comm and uid are all its kind's
 * rules test, they decide it as any other. io_uring's records pass.
 *
 * A file syscall's record is decided at the exit before its header is
 * filled, its path walked or anything copied, which is what it saves; a held-back record is counted in `filtered` by
 * kind (per CPU), so generated = written + filtered + dropped.
 * guard_filter_kinds is set before load: without it the verifier drops
 * every lookup.
 */
#ifndef GUARD_KERN_PREFILTER_BPF_H
#define GUARD_KERN_PREFILTER_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"

/* Bit (1 << kind) of each kind the prefilter may hold back. */
const volatile __u32 guard_filter_kinds = 0;

/* The active generation (0 or 1), written last by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} filter_state SEC(".maps");

/* Each generation's kinds and root. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct guard_filter_config);
} filter_config SEC(".maps");

/* Files and directories: GUARD_FILTER_* bits, both generations. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * GUARD_FILTER_FILES_MAX);
	__type(key, struct guard_filter_file_key);
	__type(value, __u32);
} filter_files SEC(".maps");

/* filter_files' identities as bits, per generation, for a look before the
 * hash lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct guard_filter_bloom);
} filter_bloom SEC(".maps");

/* Destination prefixes and ports: bit (1 << kind) of the kinds they let
 * through. A prefix's value includes the kinds of every prefix around it
 * (the trie finds the longest only). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * GUARD_FILTER_CIDRS_MAX);
	__type(key, struct guard_filter_v4_key);
	__type(value, __u32);
} filter_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * GUARD_FILTER_CIDRS_MAX);
	__type(key, struct guard_filter_v6_key);
	__type(value, __u32);
} filter_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * GUARD_FILTER_PORTS_MAX);
	__type(key, struct guard_filter_port_key);
	__type(value, __u32);
} filter_ports SEC(".maps");

/* The task's comm (key: generation and the comm as task->comm holds it):
 * the kinds it lets through. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * GUARD_FILTER_COMMS_MAX);
	__type(key, struct guard_filter_comm_key);
	__type(value, __u32);
} filter_comms SEC(".maps");

/* The kinds with comm entries, the uid ranges and which kinds comm and uid
 * decide alone; one per generation (the key), written whole before the
 * switch. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct guard_filter_task);
} filter_task SEC(".maps");

/* Records held back, by kind; per CPU, summed by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GUARD_RECORD_KIND_MAX);
	__type(key, __u32);
	__type(value, __u64);
} filtered SEC(".maps");

/* The active generation's config when a record of kind (a syscall's, not
 * io_uring's) is under the filter and not passed whole; else NULL (the
 * record passes). */
static __always_inline struct guard_filter_config *filter_config_for(__u32 kind, __u32 *generation)
{
	if (kind >= 32 || !(guard_filter_kinds & (1u << kind)))
		return 0;
	__u32 zero = 0;
	__u32 *state = bpf_map_lookup_elem(&filter_state, &zero);
	if (!state)
		return 0;
	*generation = *state & 1;
	struct guard_filter_config *c = bpf_map_lookup_elem(&filter_config, generation);
	if (!c || !c->valid || (c->pass_all & (1u << kind)))
		return 0;
	return c;
}

/* Counts a record of kind as held back; returns 1 (the caller writes
 * nothing). */
static __always_inline int hold_back(__u32 kind)
{
	count_drop(&filtered, kind);
	return 1;
}

/* The GUARD_FILTER_* bits of the identity (dev, ino): none when its Bloom
 * bit is clear, else what the hash holds. */
static __always_inline __u32 filter_bits(struct guard_filter_bloom *bloom, __u32 generation, __u32 dev, __u64 ino)
{
	struct guard_filter_file_key key = {generation, dev, ino};
	__u32 bit = guard_filter_bloom_bit(key.dev, key.ino);
	if (!(bloom->words[generation & 1][(bit >> 6) & (GUARD_FILTER_BLOOM_WORDS - 1)] & (1ull << (bit & 63))))
		return 0;
	__u32 *bits = bpf_map_lookup_elem(&filter_files, &key);
	return bits ? *bits : 0;
}

/* What file_in_filter looks at: the opened file (its struct path and
 * inode), the generation, the GUARD_FILTER_DIR_* bits that apply and the
 * generation's names_changed_ns and dir_bits. On the caller's stack, so the global
 * function reads plain numbers. */
struct filter_open {
	__u64 dentry;
	__u64 mnt;   /* struct vfsmount */
	__u64 inode;
	__u32 generation;
	__u32 want;
	__u64 names_changed_ns;
	__u32 dir_bits; /* GUARD_FILTER_DIR_* bits some directory has */
	__u32 reserved;
};

/* Whether a directory that holds a watched name (GUARD_FILTER_DIR_NAMES)
 * lets through the open of the file under a name in it, name_inode: when
 * the directory is reached across a mount (something was mounted on it)
 * or the file was put there (renamed, linked, created: each sets its
 * ctime) since the names were resolved. */
static __always_inline int names_changed(__u64 name_inode, int mounted_on, __u64 since)
{
	if (mounted_on)
		return 1;
	__u64 ctime = inode_ctime_ns(kernel_ptr(struct inode, name_inode));
	return !ctime || ctime >= since; /* no ctime known: pass */
}

/* Whether the opened file, or a directory above it, is in the tables. A
 * global function: its loop is verified once. Deeper than the bound:
 * passes (the kernel cannot tell).
 *
 * The walk counts the d_parent steps it has climbed: at 0 it is at the
 * opened file's own name, where a mount crossing finds the file mounted
 * over (a bind mount on a watched file: its own bits); at 1 it is at the
 * directory that holds the name (O_CREAT's and a watched name's directory,
 * and mounts on it); above, directories whose files all count, and the walk
 * ends there when no directory in the tables has such bits (exact files
 * only: one directory looked at, not all up to the root). */
__noinline int file_in_filter(struct filter_open *o)
{
	__u32 zero = 0;
	struct guard_filter_bloom *bloom = bpf_map_lookup_elem(&filter_bloom, &zero);
	if (!o || !bloom)
		return 1;
	__u32 generation = o->generation & 1, want = o->want;
	__u32 own = want & GUARD_FILTER_DIR_MODIFY ? GUARD_FILTER_FILE_ANY | GUARD_FILTER_FILE_MODIFY : GUARD_FILTER_FILE_ANY;
	want &= o->dir_bits; /* what no directory has need not be looked for */
	struct inode *opened = kernel_ptr(struct inode, o->inode);
	if (filter_bits(bloom, generation, opened->i_sb->s_dev, opened->i_ino) & own)
		return 1;
	__u64 dentry = o->dentry;
	__u64 name_inode = o->inode; /* under the name: the opened file, or what a mount on it covers */
	__u64 mnt = mount_of(o->mnt);
	struct vfsmount *vfs = kernel_ptr(struct vfsmount, o->mnt);
	__u64 mnt_root = (__u64)vfs->mnt_root;
	/* Every dentry of a mount is on the mount's super_block: its s_dev is
	 * read once a mount, not once a directory. */
	__u32 dev = vfs->mnt_sb->s_dev;
	__u32 climbed = 0;
	for (int i = 0; i < GUARD_FILTER_DEPTH; i++) {
		int crossed = dentry == mnt_root;
		if (crossed) {
			/* The top of this mount: on from where it is mounted. */
			struct mount *m = kernel_ptr(struct mount, mnt);
			__u64 parent = (__u64)m->mnt_parent;
			if (parent == mnt || !parent)
				return 0; /* the top of the mount tree, looked at */
			dentry = (__u64)m->mnt_mountpoint;
			mnt = parent;
			struct mount *pm = kernel_ptr(struct mount, parent);
			mnt_root = (__u64)pm->mnt.mnt_root;
			dev = pm->mnt.mnt_sb->s_dev;
		} else {
			__u64 parent = (__u64)kernel_ptr(struct dentry, dentry)->d_parent;
			if (parent == dentry || !parent)
				return 0; /* a file made for an fd alone: no directory */
			dentry = parent;
			if (++climbed == 2) {
				want &= ~GUARD_FILTER_DIR_CREATE; /* O_CREAT's directory is the first one only */
				if (!want)
					return 0; /* no directory above has bits that apply */
			}
		}
		struct inode *inode = kernel_ptr(struct dentry, dentry)->d_inode;
		if (!inode)
			continue;
		__u32 bits = filter_bits(bloom, generation, dev, inode->i_ino);
		if (climbed == 0) {
			/* A mount on the opened file: what it covers holds the name. */
			if (bits & own)
				return 1;
			name_inode = (__u64)inode;
			continue;
		}
		if (bits & want)
			return 1;
		if (climbed == 1 && (bits & GUARD_FILTER_DIR_NAMES) && names_changed(name_inode, crossed, o->names_changed_ns))
			return 1;
	}
	return 1;
}

/* What task_in_filter says of a record. */
#define FILTER_TASK_UNDECIDED 0 /* no comm or uid entry lets it through; other tables may */
#define FILTER_TASK_PASSES    1 /* the task's comm or uid lets the kind through */
#define FILTER_TASK_HELD      2 /* neither does, and the kind's rules test nothing else */

/* Bit 7 of each zero byte of w, and maybe of bytes above the first one:
 * its lowest set bit is the first zero byte's (strlen's word trick). */
static __always_inline __u64 zero_bytes(__u64 w)
{
	return (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
}

/* task->comm as the set's keys are: NUL-padded after its first NUL
 * (a comm is written so, but a key must not depend on it). */
static __always_inline void comm_key(char out[16], const char *comm)
{
	__u64 w[2];
	__builtin_memcpy(w, comm, sizeof(w));
	__u64 z = zero_bytes(w[0]);
	if (z) {
		w[0] &= ((z & -z) >> 7) - 1;
		w[1] = 0;
	} else if ((z = zero_bytes(w[1]))) {
		w[1] &= ((z & -z) >> 7) - 1;
	}
	__builtin_memcpy(out, w, sizeof(w));
}

/* Whether the current task's comm or (real) uid lets a record of kind
 * through. Both are read from the task as fill_header reads them, which is
 * what the engine matches. They are facts about the task, not user
 * memory: unlike a path the caller gave they decide a record that carries
 * no kernel object, and for a process with another root too. Only the
 * task changes its own creds; another thread of its process may rename it
 * (/proc/PID/task/TID/comm) between this read and the header's, as
 * between the header and the engine's view of it. A global function:
 * verified once. */
__noinline int task_in_filter(__u32 kind, __u32 generation)
{
	generation &= 1;
	__u32 bit = 1u << (kind & 31);
	struct guard_filter_task *t = bpf_map_lookup_elem(&filter_task, &generation);
	if (!t || !((t->comm_kinds | t->uid_kinds | t->task_only) & bit))
		return FILTER_TASK_UNDECIDED;
	struct task_struct *task = current_task_readonly();
	if (t->comm_kinds & bit) {
		struct guard_filter_comm_key key = {generation};
		comm_key(key.comm, task->comm);
		__u32 *kinds = bpf_map_lookup_elem(&filter_comms, &key);
		if (kinds && (*kinds & bit))
			return FILTER_TASK_PASSES;
	}
	if (t->uid_kinds & bit) {
		__u32 uid = task->cred->uid.val, count = t->uid_count;
		for (__u32 i = 0; i < GUARD_FILTER_UIDS_MAX && i < count; i++) {
			struct guard_filter_uid_range *r = &t->uids[i];
			if ((r->kinds & bit) && r->lo <= uid && uid <= r->hi)
				return FILTER_TASK_PASSES;
		}
	}
	return t->task_only & bit ? FILTER_TASK_HELD : FILTER_TASK_UNDECIDED;
}

/* A file syscall's record, decided before its header is filled: 1 when it
 * is held back (counted). Passes when the task's comm or uid lets its kind
 * through. Else a record that carries no kernel object (any kind but a
 * successful open: paths as the caller gave them) is held back only when
 * no rule watches its kind, or when every rule on it tests only comm and
 * uid (which the task has whatever path it gave: sound); a successful open
 * of `file` when neither the file nor a directory above it is in the
 * tables. */
static __always_inline int file_held_back(__u32 kind, long ret, struct file *file, int modify, int creat)
{
	__u32 generation = 0;
	struct guard_filter_config *c = filter_config_for(kind, &generation);
	if (!c)
		return 0;
	if (!(c->table & (1u << kind)))
		return hold_back(kind);
	/* comm and uid first: they hold for a record with or without a
	 * kernel object. */
	int task = task_in_filter(kind, generation);
	if (task == FILTER_TASK_PASSES)
		return 0;
	if (task == FILTER_TASK_HELD)
		return hold_back(kind);
	if (kind != GUARD_RECORD_FILE_OPEN || ret < 0 || !file || (modify && c->open_modify))
		return 0;
	/* Another root: its names are not the ones the tables were made from. */
	struct dentry *root = current_task_readonly()->fs->root.dentry;
	struct inode *root_inode = root->d_inode;
	if (!root_inode || root_inode->i_ino != c->root_ino || root_inode->i_sb->s_dev != c->root_dev)
		return 0;
	struct filter_open o = {};
	o.dentry = (__u64)file->f_path.dentry;
	o.mnt = (__u64)file->f_path.mnt;
	o.inode = (__u64)file->f_inode;
	o.generation = generation;
	o.names_changed_ns = c->names_changed_ns;
	o.want = GUARD_FILTER_DIR_ANY | (modify ? GUARD_FILTER_DIR_MODIFY : 0) | (creat ? GUARD_FILTER_DIR_CREATE : 0);
	o.dir_bits = c->dir_bits;
	if (file_in_filter(&o))
		return 0;
	return hold_back(kind);
}

/* A network record with its address and port in place: 1 when it is held
 * back (counted). */
static __always_inline int net_filtered(struct guard_net *rec)
{
	__u32 generation = 0;
	if (rec->header.flags & GUARD_VIA_IO_URING)
		return 0;
	struct guard_filter_config *c = filter_config_for(rec->header.kind, &generation);
	if (!c)
		return 0;
	__u32 bit = 1u << rec->header.kind;
	if (!(c->table & bit))
		return hold_back(rec->header.kind);
	int task = task_in_filter(rec->header.kind, generation);
	if (task == FILTER_TASK_PASSES)
		return 0;
	if (task == FILTER_TASK_HELD)
		return hold_back(rec->header.kind);
	__u32 *kinds = 0;
	if (rec->family == 2) {
		struct guard_filter_v4_key k4 = {64, generation};
		__builtin_memcpy(k4.addr, rec->addr, 4);
		kinds = bpf_map_lookup_elem(&filter_v4, &k4);
	} else if (rec->family == 10) {
		struct guard_filter_v6_key k6 = {160, generation};
		__builtin_memcpy(k6.addr, rec->addr, 16);
		kinds = bpf_map_lookup_elem(&filter_v6, &k6);
	}
	if (kinds && (*kinds & bit))
		return 0;
	struct guard_filter_port_key kp = {generation, rec->port};
	kinds = bpf_map_lookup_elem(&filter_ports, &kp);
	if (kinds && (*kinds & bit))
		return 0;
	return hold_back(rec->header.kind);
}

#endif
