/* SPDX-License-Identifier: GPL-2.0-only */
/* Our own minimal BPF-side declarations: section and map macros and the helper
 * prototypes guard's programs call. No libbpf headers.
 *
 * A helper is called through a function pointer whose value is the helper's id
 * (enum bpf_func_id in linux/bpf.h); clang turns the call into `call <id>`,
 * which is what the kernel's verifier expects.
 */
#ifndef GUARD_BPF_DEFS_H
#define GUARD_BPF_DEFS_H

#include <linux/types.h>
#include <linux/bpf.h>

/* Puts a program or map into the ELF section the loader looks for. */
#define SEC(name) __attribute__((section(name), used))

/* BTF-defined maps: the loader reads a map's shape from the BTF of its
 * variable in ".maps". An integer value N is encoded as the array dimension of
 * a pointer type (int (*name)[N]) so that it survives into BTF. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

/* linux/stddef.h defines it as a mere hint; programs need it forced. */
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) =
	(void *)BPF_FUNC_map_update_elem;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_delete_elem;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)BPF_FUNC_get_current_pid_tgid;
static __u64 (*bpf_get_current_uid_gid)(void) = (void *)BPF_FUNC_get_current_uid_gid;
static long (*bpf_get_current_comm)(void *buf, __u32 size) = (void *)BPF_FUNC_get_current_comm;
static long (*bpf_probe_read_kernel_str)(void *dst, __u32 size, const void *unsafe_ptr) =
	(void *)BPF_FUNC_probe_read_kernel_str;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *unsafe_ptr) =
	(void *)BPF_FUNC_probe_read_kernel;
static long (*bpf_probe_read_user)(void *dst, __u32 size, const void *unsafe_ptr) =
	(void *)BPF_FUNC_probe_read_user;
static long (*bpf_probe_read_user_str)(void *dst, __u32 size, const void *unsafe_ptr) =
	(void *)BPF_FUNC_probe_read_user_str;
static __u64 (*bpf_ktime_get_boot_ns)(void) = (void *)BPF_FUNC_ktime_get_boot_ns;
static __u64 (*bpf_get_current_cgroup_id)(void) = (void *)BPF_FUNC_get_current_cgroup_id;
static __u64 (*bpf_get_current_task)(void) = (void *)BPF_FUNC_get_current_task;
static long (*bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size, __u64 flags) =
	(void *)BPF_FUNC_ringbuf_output;

/* Helpers the loader's fixtures use. */
static void *(*bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)BPF_FUNC_ringbuf_reserve;
static void (*bpf_ringbuf_submit)(void *data, __u64 flags) = (void *)BPF_FUNC_ringbuf_submit;
static long (*bpf_perf_event_output)(void *ctx, void *map, __u64 flags, void *data, __u64 size) =
	(void *)BPF_FUNC_perf_event_output;
static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)BPF_FUNC_trace_printk;
/* Calls callback_fn(index, callback_ctx) nr_loops times; the callback is a
 * static function whose address clang loads with ld_imm64 (BPF_PSEUDO_FUNC). */
static long (*bpf_loop)(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags) =
	(void *)BPF_FUNC_loop;

/* bpf_printk("fmt", args...): the format lives in .rodata, as the helper
 * needs a pointer to read-only memory; output goes to tracefs trace_pipe. */
#define bpf_printk(fmt, ...) ({ \
	static const char __guard_fmt[] = fmt; \
	bpf_trace_printk(__guard_fmt, sizeof(__guard_fmt), ##__VA_ARGS__); \
})

/* A function kept as a real BPF-to-BPF call rather than inlined. */
#define __noinline __attribute__((noinline))

/* Kernel functions (kfuncs): declared extern, in section .ksyms, and found
 * by name in the running kernel's BTF when the object is loaded
 * (loader/ksyms.cpp). __weak: the object still loads on a kernel without
 * it, and bpf_ksym_exists(f) is then 0, a constant the verifier uses to drop
 * the code that would call it. */
#define __ksym __attribute__((section(".ksyms")))
/* The kernel's configuration (CONFIG_HZ, LINUX_KERNEL_VERSION...), read
 * like a const global; its value is filled in at load time
 * (loader/kconfig.cpp). */
#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))
#define bpf_ksym_exists(sym) ({ \
	_Static_assert(!__builtin_constant_p(!!(sym)), #sym " must be declared __weak"); \
	!!(sym); \
})

#include "bpf_core.h"

#endif
