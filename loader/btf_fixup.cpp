// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/btf_fixup.h"

#include <elf.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>

#include "base/error.h"

namespace guard {

namespace {

// btf_type.info: the kind in bits 24-28, vlen (or a FUNC's linkage) in 0-15.
uint32_t btf_info(uint32_t kind, uint32_t vlen)
{
	return (kind << 24) | (vlen & 0xffff);
}

const ElfSymbol *find_variable_symbol(const ElfFile &elf, size_t section, std::string_view name)
{
	for (const ElfSymbol &sym : elf.symbols())
		if (sym.section == section && sym.type == STT_OBJECT && sym.name == name)
			return &sym;
	return nullptr;
}

// clang describes the externs of `extern ... __ksym` as a DATASEC ".ksyms"
// listing their FUNCs. The kernel takes no DATASEC that lists anything but
// VARs, and needs none for kfuncs (a kfunc call carries the kernel's own BTF
// id), so, in place and keeping every size, it becomes an anonymous union of
// ints (as libbpf turns DATASECs into structs for kernels without them).
void fixup_ksyms(Btf &btf, uint32_t datasec)
{
	std::optional<uint32_t> int_type;
	for (uint32_t id = 1; id <= btf.type_count() && !int_type; id++)
		if (btf.kind(id) == BTF_KIND_INT)
			int_type = id;
	if (!int_type)
		fail("no integer type in the BTF to stand in for the externs");
	auto vars = btf.mutable_datasec_vars(datasec);
	for (struct btf_var_secinfo &v : vars) {
		// btf_var_secinfo and btf_member are both three u32s.
		auto *m = reinterpret_cast<struct btf_member *>(&v);
		*m = {0, *int_type, 0};
	}
	struct btf_type &t = btf.mutable_type(datasec);
	t.name_off = 0;
	t.info = btf_info(BTF_KIND_UNION, uint32_t(vars.size()));
	t.size = static_cast<uint32_t>(btf.resolve_size(*int_type));
}

// What a variable of this type must be aligned to: its own size for a
// scalar, its element's for an array (a char[16] string: 1), at most 8.
uint32_t alignment_of(const Btf &btf, uint32_t type)
{
	uint32_t id = btf.skip_modifiers(type);
	for (int depth = 0; btf.kind(id) == BTF_KIND_ARRAY; depth++) {
		if (depth == 32)
			fail("type " + std::to_string(type) + ": arrays nested too deep");
		id = btf.skip_modifiers(btf.array(id).type);
	}
	uint64_t size = btf.resolve_size(id);
	uint32_t align = 1;
	while (align < size && align < 8)
		align *= 2;
	return align;
}

// clang describes `extern ... __kconfig` variables as a DATASEC ".kconfig"
// with no ELF section behind it: the loader lays the variables out itself
// (each at its alignment, in declaration order), sizes the DATASEC, and
// makes their linkage "allocated" (btf_var_check_meta refuses extern).
// Their values come from the kernel's configuration at load time
// (loader/kconfig.cpp).
void fixup_kconfig(Btf &btf, uint32_t datasec)
{
	uint32_t end = 0;
	for (struct btf_var_secinfo &v : btf.mutable_datasec_vars(datasec)) {
		if (btf.kind(v.type) != BTF_KIND_VAR)
			fail("entry of type " + std::to_string(v.type) + " is not a VAR");
		std::string name(btf.name(v.type));
		uint64_t size = btf.resolve_size(btf.type(v.type).type);
		uint32_t align = alignment_of(btf, btf.type(v.type).type);
		if (size == 0 || size > 4096)
			fail("variable " + name + ": size " + std::to_string(size) + " (expected 1 to 4096 bytes)");
		end = (end + align - 1) / align * align;
		v.offset = end;
		v.size = static_cast<uint32_t>(size);
		end += v.size;
		btf.mutable_var(v.type).linkage = BTF_VAR_GLOBAL_ALLOCATED;
	}
	btf.mutable_type(datasec).size = (end + 7) / 8 * 8;
}

} // namespace

void fixup_datasecs(Btf &btf, const ElfFile &elf)
{
	for (uint32_t id = 1; id <= btf.type_count(); id++) {
		if (btf.kind(id) != BTF_KIND_DATASEC)
			continue;
		std::string name(btf.name(id));
		if (name == ".ksyms") {
			with_context("BTF DATASEC .ksyms", [&] { fixup_ksyms(btf, id); });
			continue;
		}
		if (name == ".kconfig") {
			with_context("BTF DATASEC .kconfig", [&] { fixup_kconfig(btf, id); });
			continue;
		}
		with_context("BTF DATASEC " + name, [&] {
			const ElfSection *sec = elf.find_section(name);
			if (!sec)
				fail("no ELF section of that name");
			if (sec->size > UINT32_MAX)
				fail("section larger than 4 GiB");
			struct btf_type &t = btf.mutable_type(id);
			if (t.size == 0)
				t.size = static_cast<uint32_t>(sec->size);
			else if (t.size != sec->size)
				fail("size " + std::to_string(t.size) + " but the ELF section has " +
				     std::to_string(sec->size) + " bytes");

			auto vars = btf.mutable_datasec_vars(id);
			for (struct btf_var_secinfo &v : vars) {
				if (btf.kind(v.type) != BTF_KIND_VAR)
					fail("entry of type " + std::to_string(v.type) + " is not a VAR");
				std::string_view var = btf.name(v.type);
				const ElfSymbol *sym = find_variable_symbol(elf, sec->index, var);
				if (sym) {
					v.offset = static_cast<uint32_t>(sym->value);
				} else if (btf.var(v.type).linkage != BTF_VAR_STATIC) {
					// A static variable may have no symbol of its own name
					// (a function's static local is "func.name"): clang's
					// offset stands. A global one must have its symbol.
					fail("variable " + std::string(var) + ": no ELF symbol in section " + name);
				}
				if (uint64_t(v.offset) + v.size > t.size)
					fail("variable " + std::string(var) + " at offset " + std::to_string(v.offset) +
					     " size " + std::to_string(v.size) + " lies outside the section");
			}
			std::sort(vars.begin(), vars.end(),
				  [](const btf_var_secinfo &a, const btf_var_secinfo &b) { return a.offset < b.offset; });
		});
	}
}

void fixup_hidden_functions(Btf &btf, const ElfFile &elf)
{
	std::set<std::string_view, std::less<>> hidden;
	for (const ElfSymbol &sym : elf.symbols())
		if (sym.type == STT_FUNC && sym.bind != STB_LOCAL &&
		    (sym.visibility == STV_HIDDEN || sym.visibility == STV_INTERNAL))
			hidden.insert(sym.name);
	for (uint32_t id = 1; id <= btf.type_count() && !hidden.empty(); id++)
		if (btf.kind(id) == BTF_KIND_FUNC && Btf::vlen(btf.type(id)) == BTF_FUNC_GLOBAL &&
		    hidden.count(btf.name(id)))
			btf.mutable_type(id).info = btf_info(BTF_KIND_FUNC, BTF_FUNC_STATIC);
}

void fixup_extern_functions(Btf &btf)
{
	for (uint32_t id = 1; id <= btf.type_count(); id++) {
		if (btf.kind(id) != BTF_KIND_FUNC || Btf::vlen(btf.type(id)) != BTF_FUNC_EXTERN)
			continue;
		struct btf_type &fn = btf.mutable_type(id);
		fn.info = btf_info(BTF_KIND_FUNC, BTF_FUNC_STATIC);
		// A declaration may leave its parameters unnamed; the kernel wants
		// every FUNC's named. Any identifier will do: the function's own.
		if (btf.kind(fn.type) != BTF_KIND_FUNC_PROTO)
			continue;
		for (struct btf_param &p : btf.mutable_params(fn.type))
			if (p.name_off == 0 && p.type != 0)
				p.name_off = fn.name_off;
	}
}

} // namespace guard
