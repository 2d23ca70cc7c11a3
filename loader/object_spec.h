/* SPDX-License-Identifier: GPL-2.0-or-later */
// What a BPF object file asks for, read without touching the kernel: its
// programs (instructions, where they attach, the subprograms they call), its
// maps (shape from BTF, global data sections as one-entry arrays), its BTF
// and the places in the instructions that must be fixed at load time. The
// same file gives the same spec on any machine.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loader/btf.h"
#include "loader/core_kind.h"

namespace guard {

struct MapSpec {
	std::string name;
	uint32_t type = 0; // BPF_MAP_TYPE_*
	uint32_t key_size = 0;
	uint32_t value_size = 0;
	uint32_t max_entries = 0;
	uint32_t flags = 0;
	// Key and value types in the object's BTF, given to the kernel so that
	// it can check and print the map; 0 when there is none.
	uint32_t btf_key_type_id = 0;
	uint32_t btf_value_type_id = 0;

	// Global data (.rodata*, .data*, .bss*): one-entry array maps whose
	// single value is the section's bytes (zeros for .bss), written before
	// any program runs. .rodata is then frozen: read-only to programs
	// (BPF_F_RDONLY_PROG) and to system calls (BPF_MAP_FREEZE), so the
	// verifier may treat its values as constants and prune dead branches.
	std::string section; // empty for maps declared in .maps
	std::vector<uint8_t> initial_value;
	bool freeze = false;
};

// An ld_imm64 instruction (two slots) that must be patched to point at a map:
// map_fd (BPF_PSEUDO_MAP_FD) for the map itself, map_value
// (BPF_PSEUDO_MAP_VALUE) for an address inside its value: a global variable.
enum class MapReferenceKind { map_fd, map_value };
struct MapReference {
	size_t insn = 0; // index of the first slot within the program
	size_t map = 0;  // index into ObjectSpec::maps
	MapReferenceKind kind = MapReferenceKind::map_fd;
	uint32_t offset = 0; // map_value: byte offset within the value
};

// One CO-RE relocation from .BTF.ext, moved to the program's final layout.
struct CoreRelocation {
	size_t insn = 0;      // index of the instruction to patch
	uint32_t type_id = 0; // root type in the object's BTF
	std::string access;   // e.g. "0:2:1": array index, then member/element indices
	CoreKind kind = CoreKind::field_byte_offset;
};

// A kernel function (kfunc) the object declares `extern ... __ksym` and
// uses: clang leaves a call (or, for bpf_ksym_exists(), an ld_imm64 of its
// address) against an undefined symbol. The loader finds the function by
// name in vmlinux BTF: a call gets src_reg = BPF_PSEUDO_KFUNC_CALL and the
// function's BTF id; an address becomes the constant 1, or 0 when a __weak
// one is missing (whose calls are then poisoned, like CO-RE's).
enum class KsymReferenceKind { call, exists };
struct KsymReference {
	size_t insn = 0;
	std::string name;
	KsymReferenceKind kind = KsymReferenceKind::call;
	bool weak = false; // STB_WEAK: the kernel may lack it
};

struct ProgramSpec {
	std::string name;    // the function's symbol
	std::string section; // e.g. "tracepoint/sched/sched_process_exec"
	uint32_t type = 0;   // BPF_PROG_TYPE_*
	std::string attach_group; // tracepoint group, e.g. "sched"
	// Tracepoint names, e.g. "sched_process_exec": usually one, but one
	// program may serve several tracepoints of its group (guard's own
	// section syntax "tracepoint/syscalls/sys_exit_open,sys_exit_creat").
	std::vector<std::string> attach_events;
	// The program's own function, then a copy of every function it calls
	// (transitively), calls already pointing at their copies.
	std::vector<struct bpf_insn> insns;
	std::vector<std::string> subprograms; // names of the appended functions, in order
	std::vector<MapReference> map_refs;
	std::vector<KsymReference> ksym_refs;
	std::vector<CoreRelocation> core_relos;
	// .BTF.ext records with insn_off in instructions of insns: what the
	// kernel takes as func_info and line_info with prog_btf_fd.
	std::vector<struct bpf_func_info> func_info;
	std::vector<struct bpf_line_info> line_info;
};

// A variable in a global data section, found through the section's BTF DATASEC.
struct GlobalVariable {
	std::string name;
	size_t map = 0;      // index into ObjectSpec::maps
	uint32_t offset = 0; // within the map's value
	uint32_t size = 0;
};

// A variable declared `extern ... __kconfig` (CONFIG_HZ, LINUX_KERNEL_VERSION):
// a global of the map ".kconfig", its value found when the object is loaded
// (loader/kconfig.cpp).
struct KconfigExtern {
	std::string name;
	uint32_t offset = 0; // within the .kconfig map's value
	uint32_t size = 0;
	uint32_t type_id = 0; // its type in the object's BTF
	bool weak = false;    // __weak: 0 when the kernel's config lacks it
};

struct ObjectSpec {
	std::string license;
	std::vector<MapSpec> maps;
	std::vector<ProgramSpec> programs;
	std::vector<GlobalVariable> globals;
	std::vector<KconfigExtern> kconfig;
	// The object's .BTF after the fix-ups clang leaves to the loader; empty
	// for an object compiled without -g.
	std::optional<Btf> btf;

	const MapSpec *find_map(std::string_view name) const;
	const ProgramSpec *find_program(std::string_view name) const;
	const GlobalVariable *find_global(std::string_view name) const;

	// Sets the initial value of a global variable before load, typically a
	// `const volatile` knob in .rodata. The size must be the variable's.
	void set_global(std::string_view name, std::span<const uint8_t> bytes);
	template <class T>
	void set_global(std::string_view name, const T &value)
	{
		set_global(name, std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(&value), sizeof(value)));
	}
};

// Reads an ELF object (bytes of a clang -target bpf output). Throws Error
// naming the section, symbol or map at fault.
ObjectSpec read_object_spec(std::span<const uint8_t> elf_image);

} // namespace guard
