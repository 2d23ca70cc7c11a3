/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guard's BPF object, built into the binary so that guard runs from any
 * directory with no other file. The Makefile passes the object's path. */
	.section .rodata.guard_bpf_object, "a"
	.balign 8
	.global guard_bpf_object
guard_bpf_object:
	.incbin GUARD_BPF_OBJECT_PATH
	.global guard_bpf_object_end
guard_bpf_object_end:
	.section .note.GNU-stack, "", @progbits
