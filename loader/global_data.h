/* SPDX-License-Identifier: GPL-2.0-or-later */
// Global variables of a BPF program. The kernel has no "data segment" for a
// program; libbpf's convention, which clang's output assumes, is that each
// of .rodata*, .data* and .bss* becomes a BPF_MAP_TYPE_ARRAY with one entry
// whose value is the whole section. An instruction that takes a variable's
// address (an ld_imm64 relocated against the section or the variable) is
// patched to src_reg = BPF_PSEUDO_MAP_VALUE, imm = map fd, and the second
// slot's imm = offset of the variable in the value; the verifier turns that
// into the address of the map value plus the offset.
#pragma once

#include <cstddef>
#include <map>

#include "loader/elf_file.h"
#include "loader/object_spec.h"

namespace guard {

bool is_global_data_section(const ElfSection &sec);

// Appends one map per global data section to spec.maps and the variables
// its BTF DATASEC lists to spec.globals (spec.btf already fixed up). Returns
// ELF section index -> index in spec.maps.
std::map<size_t, size_t> read_global_data(const ElfFile &elf, ObjectSpec &spec);

} // namespace guard
