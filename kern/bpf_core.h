/* SPDX-License-Identifier: GPL-2.0-only */
/* CO-RE (Compile Once, Run Everywhere) on the BPF side, our own spelling.
 *
 * A BPF program reads kernel structures whose layout changes between kernel
 * versions. Instead of compiling in offsets, clang records *what* the program
 * meant ("member real_parent of struct task_struct") next to the instruction
 * that uses the offset, in the object's .BTF.ext section. At load time guard's
 * loader (loader/core_relocate.cpp) looks the same names up in the running
 * kernel's BTF and rewrites the instruction with the real offset.
 *
 * How to ask clang for those records:
 *
 *   1. Declare the kernel types you read with preserve_access_index, listing
 *      only the members you use, in any order:
 *
 *        struct task_struct {
 *            int tgid;
 *            struct task_struct *real_parent;
 *        } __attribute__((preserve_access_index));
 *
 *      Every member access through such a type becomes a relocatable offset.
 *      A name with a "___suffix" (struct task_struct___v5) matches the kernel's
 *      task_struct too: the loader strips the suffix ("flavors"), so one
 *      program can carry several layouts and test which one exists.
 *
 *   2. Kernel memory is not the program's own: read it with a helper.
 *      GUARD_CORE_READ(task, real_parent, tgid) reads task->real_parent, then
 *      that pointer's ->tgid, each step one bpf_probe_read_kernel with a
 *      relocated offset (up to six steps).
 *
 *   3. Questions answered at load time, as constants patched into the code:
 *      bpf_core_field_exists(task->field), bpf_core_field_size(...),
 *      bpf_core_type_exists(struct x), bpf_core_type_size(struct x),
 *      bpf_core_enum_value_exists(enum e, VAL), bpf_core_enum_value(enum e, VAL).
 *      A field that does not exist on this kernel makes its read poison the
 *      instruction: the verifier rejects the program only if that code is
 *      reachable, so guard it with bpf_core_field_exists().
 */
#ifndef GUARD_BPF_CORE_H
#define GUARD_BPF_CORE_H

/* Second argument of __builtin_preserve_field_info: what to relocate. The
 * values are clang's and match enum bpf_core_relo_kind in linux/bpf.h. */
#define GUARD_FIELD_BYTE_OFFSET 0
#define GUARD_FIELD_BYTE_SIZE 1
#define GUARD_FIELD_EXISTS 2
#define GUARD_FIELD_SIGNED 3
#define GUARD_FIELD_LSHIFT_U64 4
#define GUARD_FIELD_RSHIFT_U64 5
/* ... of __builtin_btf_type_id */
#define GUARD_TYPE_ID_LOCAL 0
#define GUARD_TYPE_ID_TARGET 1
/* ... of __builtin_preserve_type_info */
#define GUARD_TYPE_EXISTS 0
#define GUARD_TYPE_SIZE 1
/* ... of __builtin_preserve_enum_value */
#define GUARD_ENUMVAL_EXISTS 0
#define GUARD_ENUMVAL_VALUE 1

#define bpf_core_field_exists(field) __builtin_preserve_field_info(field, GUARD_FIELD_EXISTS)
#define bpf_core_field_size(field) __builtin_preserve_field_info(field, GUARD_FIELD_BYTE_SIZE)
#define bpf_core_field_offset(field) __builtin_preserve_field_info(field, GUARD_FIELD_BYTE_OFFSET)
#define bpf_core_field_signed(field) __builtin_preserve_field_info(field, GUARD_FIELD_SIGNED)
#define bpf_core_type_exists(type) __builtin_preserve_type_info(*(typeof(type) *)0, GUARD_TYPE_EXISTS)
#define bpf_core_type_size(type) __builtin_preserve_type_info(*(typeof(type) *)0, GUARD_TYPE_SIZE)
#define bpf_core_type_id_local(type) __builtin_btf_type_id(*(typeof(type) *)0, GUARD_TYPE_ID_LOCAL)
#define bpf_core_type_id_kernel(type) __builtin_btf_type_id(*(typeof(type) *)0, GUARD_TYPE_ID_TARGET)
#define bpf_core_enum_value_exists(enum_type, value) \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)value, GUARD_ENUMVAL_EXISTS)
#define bpf_core_enum_value(enum_type, value) \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)value, GUARD_ENUMVAL_VALUE)

/* One step: the member `field` of the kernel object at `src`, read with
 * bpf_probe_read_kernel at a relocated offset. Zero if the read faults. */
#define GUARD_CORE_READ_1(src, field) ({ \
	typeof((src)->field) __guard_val; \
	bpf_probe_read_kernel((void *)&__guard_val, sizeof(__guard_val), \
			      (const void *)__builtin_preserve_access_index(&(src)->field)); \
	__guard_val; \
})
/* Each later step reads through the pointer the step before produced; clang
 * does not allow one preserve_access_index inside another, so every pointer
 * lands in a variable of its own first. */
#define GUARD_CORE_READ_2(s, a, b) ({ \
	typeof((s)->a) __guard_p1 = GUARD_CORE_READ_1(s, a); GUARD_CORE_READ_1(__guard_p1, b); })
#define GUARD_CORE_READ_3(s, a, b, c) ({ \
	typeof((s)->a->b) __guard_p2 = GUARD_CORE_READ_2(s, a, b); GUARD_CORE_READ_1(__guard_p2, c); })
#define GUARD_CORE_READ_4(s, a, b, c, d) ({ \
	typeof((s)->a->b->c) __guard_p3 = GUARD_CORE_READ_3(s, a, b, c); GUARD_CORE_READ_1(__guard_p3, d); })
#define GUARD_CORE_READ_5(s, a, b, c, d, e) ({ \
	typeof((s)->a->b->c->d) __guard_p4 = GUARD_CORE_READ_4(s, a, b, c, d); GUARD_CORE_READ_1(__guard_p4, e); })
#define GUARD_CORE_READ_6(s, a, b, c, d, e, f) ({ \
	typeof((s)->a->b->c->d->e) __guard_p5 = GUARD_CORE_READ_5(s, a, b, c, d, e); \
	GUARD_CORE_READ_1(__guard_p5, f); })
#define GUARD_CORE_PICK(_1, _2, _3, _4, _5, _6, name, ...) name

/* GUARD_CORE_READ(task, real_parent, tgid) is task->real_parent->tgid read
 * from kernel memory. Each name is a member (a.b is fine inside one step:
 * GUARD_CORE_READ(task, nsproxy, mnt_ns, ns.inum)). BPF_CORE_READ is the
 * name libbpf-style code uses for the same thing. */
#define GUARD_CORE_READ(src, ...) \
	GUARD_CORE_PICK(__VA_ARGS__, GUARD_CORE_READ_6, GUARD_CORE_READ_5, GUARD_CORE_READ_4, \
			GUARD_CORE_READ_3, GUARD_CORE_READ_2, GUARD_CORE_READ_1)(src, __VA_ARGS__)
#define BPF_CORE_READ(src, ...) GUARD_CORE_READ(src, __VA_ARGS__)

/* Reads `field` of kernel object `src` into *dst (a pointer to a buffer as
 * large as the field), e.g. a char array. */
#define GUARD_CORE_READ_INTO(dst, src, field) \
	bpf_probe_read_kernel((dst), sizeof(*(dst)), (const void *)__builtin_preserve_access_index(&(src)->field))

/* A bitfield member of a kernel object, as an unsigned 64-bit value (sign
 * extended when the field is signed). The loader relocates four numbers: the
 * bytes that hold the field (offset, size) and the two shifts that cut it out
 * of a little-endian load of those bytes. */
#define GUARD_CORE_READ_BITFIELD(src, field) ({ \
	unsigned long long __guard_bits = 0; \
	bpf_probe_read_kernel(&__guard_bits, __builtin_preserve_field_info((src)->field, GUARD_FIELD_BYTE_SIZE), \
			      (const char *)(src) + __builtin_preserve_field_info((src)->field, GUARD_FIELD_BYTE_OFFSET)); \
	__guard_bits <<= __builtin_preserve_field_info((src)->field, GUARD_FIELD_LSHIFT_U64); \
	if (__builtin_preserve_field_info((src)->field, GUARD_FIELD_SIGNED)) \
		__guard_bits = (unsigned long long)((long long)__guard_bits >> \
			__builtin_preserve_field_info((src)->field, GUARD_FIELD_RSHIFT_U64)); \
	else \
		__guard_bits >>= __builtin_preserve_field_info((src)->field, GUARD_FIELD_RSHIFT_U64); \
	__guard_bits; \
})

#endif
