/* SPDX-License-Identifier: GPL-2.0-or-later */
// .BTF.ext: what clang says about the instructions, beside .BTF which says
// what the types are. Three tables, each grouped by ELF section:
//
//   func_info   one record per function: where it starts, its BTF FUNC type
//   line_info   source file, line and column for instructions
//   core_relo   CO-RE relocations: "the number in this instruction means
//               <access string> of <type>; fix it for the running kernel"
//
// In the file, insn_off counts BYTES from the start of the ELF section; the
// kernel wants instruction indices within the final program, which the
// program builder (loader/subprograms.cpp) computes.
//
// Layout (no UAPI header has it): a header {magic 0xeB9F, version 1, flags,
// hdr_len, then (offset, length) of each table relative to the header's end};
// each table is a u32 record size, then for each section: u32 name offset
// into .BTF's strings, u32 count, count records.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "loader/btf.h"

namespace guard {

// struct bpf_core_relo with kind as a plain number: a hostile file may hold
// any value there, which an enum-typed field must not receive.
struct CoreReloRecord {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind; // enum bpf_core_relo_kind
};

struct BtfExt {
	// Keyed by ELF section name; records as the kernel's structs, insn_off in bytes.
	std::map<std::string, std::vector<struct bpf_func_info>, std::less<>> func_info;
	std::map<std::string, std::vector<struct bpf_line_info>, std::less<>> line_info;
	std::map<std::string, std::vector<CoreReloRecord>, std::less<>> core_relos;
};

// Throws Error naming the table and record at fault; every string offset is
// checked against btf's string section.
BtfExt parse_btf_ext(std::span<const uint8_t> raw, const Btf &btf);

} // namespace guard
