// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/elf_file.h"

#include <gelf.h>
#include <libelf.h>

#include <cstring>
#include <memory>

#include "base/error.h"

namespace guard {

namespace {

struct ElfCloser {
	void operator()(Elf *elf) const { elf_end(elf); }
};
using ElfHandle = std::unique_ptr<Elf, ElfCloser>;

std::string libelf_error(std::string_view what)
{
	const char *msg = elf_errmsg(-1);
	return std::string(what) + ": " + (msg ? msg : "unknown libelf error");
}

std::span<const uint8_t> section_bytes(const std::vector<uint8_t> &image, const GElf_Shdr &shdr,
				       std::string_view name)
{
	if (shdr.sh_type == SHT_NOBITS || shdr.sh_size == 0)
		return {};
	if (shdr.sh_offset > image.size() || shdr.sh_size > image.size() - shdr.sh_offset)
		fail("section " + std::string(name) + ": extends past the end of the file");
	return {image.data() + shdr.sh_offset, shdr.sh_size};
}

// libelf over our copy of the file; it only indexes, the bytes stay ours.
ElfHandle open_elf(std::vector<uint8_t> &image)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		fail(libelf_error("libelf init"));
	ElfHandle elf(elf_memory(reinterpret_cast<char *>(image.data()), image.size()));
	if (!elf)
		fail(libelf_error("read ELF"));
	if (elf_kind(elf.get()) != ELF_K_ELF)
		fail("read ELF: not an ELF file");
	return elf;
}

// What clang -target bpf writes: a 64-bit little-endian relocatable object for
// EM_BPF. Big-endian BPF (bpfeb) exists, but its instructions would have to be
// swapped before the kernel of a little-endian host could run them.
void check_header(Elf *elf)
{
	GElf_Ehdr ehdr;
	if (!gelf_getehdr(elf, &ehdr))
		fail(libelf_error("read ELF header"));
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64)
		fail("read ELF header: not a 64-bit object");
	if (ehdr.e_ident[EI_DATA] != ELFDATA2LSB)
		fail("read ELF header: not little-endian (this loader targets little-endian hosts)");
	if (ehdr.e_machine != EM_BPF)
		fail("read ELF header: machine is " + std::to_string(ehdr.e_machine) + ", not EM_BPF (247)");
	if (ehdr.e_type != ET_REL)
		fail("read ELF header: not a relocatable object (ET_REL)");
}

// Every section header, at its index (index 0, SHN_UNDEF, stays empty), its
// bytes a span into image; section names come from the table e_shstrndx names.
std::vector<ElfSection> read_sections(Elf *elf, const std::vector<uint8_t> &image)
{
	size_t shstrndx = 0;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		fail(libelf_error("read section names"));
	size_t count = 0;
	if (elf_getshdrnum(elf, &count) != 0)
		fail(libelf_error("count sections"));
	std::vector<ElfSection> sections(count);
	for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr))
			fail(libelf_error("read section header"));
		size_t index = elf_ndxscn(scn);
		const char *name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name)
			fail("section " + std::to_string(index) + ": name outside the section name table");
		ElfSection &sec = sections.at(index);
		sec.index = index;
		sec.name = name;
		sec.type = shdr.sh_type;
		sec.flags = shdr.sh_flags;
		sec.link = shdr.sh_link;
		sec.info = shdr.sh_info;
		sec.size = shdr.sh_size;
		sec.data = section_bytes(image, shdr, sec.name);
	}
	return sections;
}

// Symbols: fixed-size Elf64_Sym entries in .symtab (SHT_SYMTAB), their names
// in the string table its sh_link names. A relocatable object has exactly one.
std::vector<ElfSymbol> read_symbols(const std::vector<ElfSection> &sections)
{
	const ElfSection *symtab = nullptr;
	for (const ElfSection &sec : sections)
		if (sec.type == SHT_SYMTAB)
			symtab = &sec;
	if (!symtab)
		fail("read ELF: no symbol table (.symtab)");
	if (symtab->link >= sections.size())
		fail("read .symtab: string table index out of range");
	const ElfSection &strtab = sections[symtab->link];
	std::vector<ElfSymbol> symbols;
	size_t nsyms = symtab->data.size() / sizeof(Elf64_Sym);
	for (size_t i = 0; i < nsyms; i++) {
		Elf64_Sym raw;
		std::memcpy(&raw, symtab->data.data() + i * sizeof(raw), sizeof(raw));
		ElfSymbol sym;
		if (raw.st_name >= strtab.data.size() && raw.st_name != 0)
			fail("symbol " + std::to_string(i) + ": name outside the string table");
		if (raw.st_name != 0) {
			const char *begin = reinterpret_cast<const char *>(strtab.data.data()) + raw.st_name;
			sym.name.assign(begin, strnlen(begin, strtab.data.size() - raw.st_name));
		}
		sym.value = raw.st_value;
		sym.size = raw.st_size;
		sym.section = raw.st_shndx;
		sym.type = ELF64_ST_TYPE(raw.st_info);
		sym.bind = ELF64_ST_BIND(raw.st_info);
		sym.visibility = ELF64_ST_VISIBILITY(raw.st_other);
		symbols.push_back(std::move(sym));
	}
	return symbols;
}

// Relocation entries by the section they apply to (an SHT_REL section's
// sh_info). BPF objects use SHT_REL, never RELA: no addend field, the addend
// is what the instruction already holds.
std::vector<std::vector<ElfRelocation>> read_relocations(const std::vector<ElfSection> &sections, size_t nsymbols)
{
	std::vector<std::vector<ElfRelocation>> relocations(sections.size());
	for (const ElfSection &sec : sections) {
		if (sec.type != SHT_REL)
			continue;
		if (sec.info >= sections.size())
			fail("section " + sec.name + ": relocates section " + std::to_string(sec.info) +
			     ", which does not exist");
		size_t n = sec.data.size() / sizeof(Elf64_Rel);
		auto &out = relocations[sec.info];
		for (size_t i = 0; i < n; i++) {
			Elf64_Rel raw;
			std::memcpy(&raw, sec.data.data() + i * sizeof(raw), sizeof(raw));
			ElfRelocation rel{raw.r_offset, static_cast<uint32_t>(ELF64_R_SYM(raw.r_info)),
					  static_cast<uint32_t>(ELF64_R_TYPE(raw.r_info))};
			if (rel.symbol >= nsymbols)
				fail("section " + sec.name + ": entry " + std::to_string(i) +
				     " names symbol " + std::to_string(rel.symbol) + ", which does not exist");
			out.push_back(rel);
		}
	}
	return relocations;
}

} // namespace

ElfFile ElfFile::parse(std::span<const uint8_t> image)
{
	ElfFile file;
	file.image_.assign(image.begin(), image.end());
	ElfHandle elf = open_elf(file.image_);
	check_header(elf.get());
	file.sections_ = read_sections(elf.get(), file.image_);
	file.symbols_ = read_symbols(file.sections_);
	file.relocations_ = read_relocations(file.sections_, file.symbols_.size());
	return file;
}

const ElfSection *ElfFile::find_section(std::string_view name) const
{
	for (const ElfSection &sec : sections_)
		if (sec.name == name)
			return &sec;
	return nullptr;
}

std::vector<ElfRelocation> ElfFile::relocations_for(size_t target) const
{
	if (target >= relocations_.size())
		return {};
	return relocations_[target];
}

} // namespace guard
