/* SPDX-License-Identifier: GPL-2.0-or-later */
// Program types by section name, as libbpf names them (its section table,
// which clang users write by hand): what the kernel must be told at
// BPF_PROG_LOAD (program type, expected_attach_type, whether an
// attach_btf_id is needed) and where the program attaches. docs/loader.md,
// step 7, says what each kind needs and why.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace guard {

// How a program is attached, one kind per family of section names.
enum class AttachKind {
	tracepoint,     // tracepoint/<group>/<event>[,<event>...], tp/...
	kprobe,         // kprobe/<function>[+<offset>]
	kretprobe,      // kretprobe/<function>
	ksyscall,       // ksyscall/<syscall>: a kprobe on the arch's syscall wrapper
	kretsyscall,    // kretsyscall/<syscall>
	uprobe,         // uprobe/<binary>:<function>[+<offset>]; bare "uprobe": its userspace attaches it
	uretprobe,      // uretprobe/<binary>:<function>; bare "uretprobe" likewise
	raw_tracepoint, // raw_tp/<tracepoint>, raw_tracepoint/<tracepoint>
	tp_btf,         // tp_btf/<tracepoint>: raw tracepoint with typed arguments
	perf_event,     // perf_event: the caller opens the perf event
	fentry,         // fentry/<function>
	fexit,          // fexit/<function>
	lsm,            // lsm/<hook>
	usdt,           // usdt[/<binary>:<provider>:<name>]: a uprobe placed by libbpf's USDT support
};

// "kprobe", "tp_btf", ...
std::string_view attach_kind_name(AttachKind kind);

// Whether the program's own userspace attaches it, the section naming no
// place guard could attach it to: perf_event (a counter its user opens), a
// bare uprobe or uretprobe, usdt.
bool attached_by_its_user(AttachKind kind, std::string_view target);

// What the section says. target is what follows the prefix ("" when the
// section names none: libbpf's manual attach); binary is a uprobe's file.
struct ProgramSection {
	AttachKind kind = AttachKind::tracepoint;
	uint32_t type = 0;                 // BPF_PROG_TYPE_*
	uint32_t expected_attach_type = 0; // BPF_* attach type, 0 when the type takes none
	bool needs_btf_target = false;     // attach_btf_id from vmlinux BTF at load
	std::string target;
	std::string binary;
};

// Parses a section name; false for a section that names no program type
// guard knows. Throws Error for a known prefix with a malformed rest.
bool parse_program_section(std::string_view section, ProgramSection &out);

// The prefixes parse_program_section knows, for error text.
std::string_view known_section_prefixes();

} // namespace guard
