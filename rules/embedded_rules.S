/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The default rules (rules/default_rules.json), built into the binary as the
 * JSON text itself: one source of truth, readable and editable as JSON. The
 * Makefile passes the file's path. */
	.section .rodata.guard_default_rules, "a"
	.global guard_default_rules
guard_default_rules:
	.incbin GUARD_DEFAULT_RULES_PATH
	.global guard_default_rules_end
guard_default_rules_end:
	.section .note.GNU-stack, "", @progbits
