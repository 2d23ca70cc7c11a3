/* SPDX-License-Identifier: GPL-2.0-or-later */
// An ELF relocatable object as the loader needs it: sections, symbols and
// relocation entries, read with libelf and checked against the file's bounds.
// Pure data: no kernel involved. The bytes are copied in, so the caller's
// buffer may go away.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace guard {

struct ElfSection {
	size_t index = 0;
	std::string name;
	uint32_t type = 0;   // SHT_*
	uint64_t flags = 0;  // SHF_*
	uint32_t link = 0;   // for SHT_REL: the symbol table
	uint32_t info = 0;   // for SHT_REL: the section the entries apply to
	std::span<const uint8_t> data; // empty for SHT_NOBITS (.bss)
	uint64_t size = 0;   // also right for SHT_NOBITS
};

struct ElfSymbol {
	std::string name;
	uint64_t value = 0;  // offset within its section
	uint64_t size = 0;
	uint16_t section = 0; // st_shndx
	uint8_t type = 0;     // STT_*
	uint8_t bind = 0;     // STB_*
	uint8_t visibility = 0; // STV_*: __hidden is STV_HIDDEN
};

struct ElfRelocation {
	uint64_t offset = 0;  // within the section the entries apply to
	uint32_t symbol = 0;  // index into symbols()
	uint32_t type = 0;    // R_BPF_*
};

class ElfFile {
public:
	// Sections point into the owned copy of the file: movable, not copyable.
	ElfFile(ElfFile &&) = default;
	ElfFile &operator=(ElfFile &&) = default;
	ElfFile(const ElfFile &) = delete;
	ElfFile &operator=(const ElfFile &) = delete;

	// Throws Error on anything that is not a well-formed 64-bit little-endian
	// BPF relocatable object.
	static ElfFile parse(std::span<const uint8_t> image);

	const std::vector<ElfSection> &sections() const { return sections_; }
	const std::vector<ElfSymbol> &symbols() const { return symbols_; }
	const ElfSection *find_section(std::string_view name) const;
	// Relocation entries that apply to section `target` (from its SHT_REL section).
	std::vector<ElfRelocation> relocations_for(size_t target) const;

private:
	ElfFile() = default;
	std::vector<uint8_t> image_;
	std::vector<ElfSection> sections_;
	std::vector<ElfSymbol> symbols_;
	std::vector<std::vector<ElfRelocation>> relocations_; // by target section index
};

} // namespace guard
