/* SPDX-License-Identifier: GPL-2.0-or-later */
// Every BPF function in the object, as the ELF and .BTF.ext describe it:
// the instructions of one function symbol, and what in them needs fixing
// before load: map and global data references, calls to other functions,
// CO-RE relocations, func_info and line_info. Indices here are relative to
// the function's first instruction; subprograms.cpp places functions into
// programs and shifts them.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loader/btf_ext.h"
#include "loader/elf_file.h"
#include "loader/object_spec.h"

namespace guard {

// A bpf-to-bpf call (call with src_reg = BPF_PSEUDO_CALL) or a function's
// address taken by ld_imm64 (src_reg = BPF_PSEUDO_FUNC, for callbacks).
struct CallSite {
	size_t insn = 0;
	size_t target_section = 0;    // ELF section index of the callee
	uint64_t target_offset = 0;   // byte offset of the callee's first instruction there
	bool function_pointer = false;
};

struct Function {
	std::string name;
	size_t section = 0; // ELF section index
	std::string section_name;
	uint64_t offset = 0; // byte offset of the first instruction in the section
	bool global = false; // STB_GLOBAL
	std::vector<struct bpf_insn> insns;
	std::vector<MapReference> map_refs;
	std::vector<KsymReference> ksym_refs;
	std::vector<CallSite> calls;
	std::vector<CoreRelocation> core_relos;
	std::vector<struct bpf_func_info> func_info; // insn_off in instructions from the function's start
	std::vector<struct bpf_line_info> line_info;
};

struct MapLookup {
	size_t maps_section = SIZE_MAX;        // ELF index of .maps
	std::map<size_t, size_t> data_section; // global data: ELF section index -> map index
	size_t kconfig_map = SIZE_MAX;         // the .kconfig map's index
};

// Reads every STT_FUNC symbol of every executable section. Throws Error
// naming the function and the relocation at fault.
std::vector<Function> read_functions(const ElfFile &elf, const ObjectSpec &spec, const MapLookup &maps,
				     const BtfExt *ext);

} // namespace guard
