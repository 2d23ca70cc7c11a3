#include "loader/btf_fixup.h"

#include <elf.h>

#include <algorithm>

#include "loader/error.h"

namespace guard {

namespace {

const ElfSymbol *find_variable_symbol(const ElfFile &elf, size_t section, std::string_view name)
{
	for (const ElfSymbol &sym : elf.symbols())
		if (sym.section == section && sym.type == STT_OBJECT && sym.name == name)
			return &sym;
	return nullptr;
}

} // namespace

void fixup_datasecs(Btf &btf, const ElfFile &elf)
{
	for (uint32_t id = 1; id <= btf.type_count(); id++) {
		if (btf.kind(id) != BTF_KIND_DATASEC)
			continue;
		std::string name(btf.name(id));
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

} // namespace guard
