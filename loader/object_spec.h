// What a BPF object file asks for, read without touching the kernel: its
// programs (instructions and where they attach), its maps (shape from BTF)
// and the places in the instructions that must point at a map once it exists.
// The same file gives the same spec on any machine.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "loader/btf.h"

namespace guard {

struct MapSpec {
	std::string name;
	uint32_t type = 0; // BPF_MAP_TYPE_*
	uint32_t key_size = 0;
	uint32_t value_size = 0;
	uint32_t max_entries = 0;
	uint32_t flags = 0;
};

// An ld_imm64 instruction (two slots) that must be patched to hold a map's fd.
struct MapReference {
	size_t insn = 0; // index of the first slot within the program
	size_t map = 0;  // index into ObjectSpec::maps
};

struct ProgramSpec {
	std::string name;    // the function's symbol
	std::string section; // e.g. "tracepoint/sched/sched_process_exec"
	uint32_t type = 0;   // BPF_PROG_TYPE_*
	std::string attach_group; // tracepoint group, e.g. "sched"
	std::string attach_event; // tracepoint name, e.g. "sched_process_exec"
	std::vector<struct bpf_insn> insns;
	std::vector<MapReference> map_refs;
};

struct ObjectSpec {
	std::string license;
	std::vector<MapSpec> maps;
	std::vector<ProgramSpec> programs;

	const MapSpec *find_map(std::string_view name) const;
	const ProgramSpec *find_program(std::string_view name) const;
};

// Reads an ELF object (bytes of a clang -target bpf output). Throws Error
// naming the section, symbol or map at fault.
ObjectSpec read_object_spec(std::span<const uint8_t> elf_image);

} // namespace guard
