/* SPDX-License-Identifier: GPL-2.0-or-later */
// The fix-ups clang leaves to the loader before the kernel will accept an
// object's BTF (libbpf does the same in its btf_fixup_datasec):
//
//  - a DATASEC (.data, .rodata, .bss, .maps...) is emitted with size 0: the
//    section's size is only known to the ELF writer, so take it from the ELF
//    section of that name;
//  - each global VAR's offset inside its DATASEC is taken from the ELF symbol
//    of the same name (st_value is the offset within its section);
//  - the kernel requires a DATASEC's variables sorted by offset and inside
//    the section (btf_datasec_check_meta), so they are sorted and checked;
//  - the externs' DATASECs have no ELF section: .kconfig's variables are
//    laid out here, and .ksyms made into something the kernel accepts.
#pragma once

#include "loader/btf.h"
#include "loader/elf_file.h"

namespace guard {

// Throws Error naming the DATASEC or variable that cannot be fixed.
void fixup_datasecs(Btf &btf, const ElfFile &elf);

// A FUNC the object only declares (extern, a kfunc) has "extern" linkage and
// unnamed parameters, which the kernel refuses in loaded BTF (it knows static
// and global, and wants names): it becomes static, its parameters named.
// Its calls are resolved against vmlinux BTF instead.
void fixup_extern_functions(Btf &btf);

// A global function that is hidden (__hidden: STV_HIDDEN, as libbpf's
// usdt.bpf.h defines bpf_usdt_arg) cannot be called from another object,
// so, as libbpf does, its FUNC becomes static: the verifier then checks it
// at each call with what the caller knows, instead of once on its own with
// only its argument types (where a pointer argument may be NULL).
void fixup_hidden_functions(Btf &btf, const ElfFile &elf);

} // namespace guard
