// SPDX-License-Identifier: GPL-2.0-or-later
// Hostile and broken objects: every corrupted copy of every fixture must be
// read, or refused with an Error, never crash (run under make SAN=1 test).
// Corruption aims at the parts the loader interprets: .BTF, .BTF.ext,
// relocation tables, the symbol table, and instructions; whatever survives
// parsing also goes through CO-RE against the real vmlinux BTF.
#include <doctest/doctest.h>

#include <elf.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/btf.h"
#include "loader/core_relocate.h"
#include "loader/object_spec.h"
#include "test/support/files.h"
#include "test/support/fixtures.h"

using namespace guard;

namespace {

struct Region {
	std::string name;
	size_t offset, size;
};

// The file ranges of the sections the loader interprets, from the raw
// section headers (the file is a fixture we trust to start with).
std::vector<Region> interesting_regions(const std::vector<uint8_t> &bytes)
{
	Elf64_Ehdr eh;
	std::memcpy(&eh, bytes.data(), sizeof(eh));
	Elf64_Shdr strtab;
	std::memcpy(&strtab, bytes.data() + eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof(strtab));
	std::vector<Region> out;
	for (size_t i = 1; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		std::memcpy(&sh, bytes.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
		std::string name(reinterpret_cast<const char *>(bytes.data() + strtab.sh_offset + sh.sh_name));
		bool code = (sh.sh_flags & SHF_EXECINSTR) && sh.sh_size > 0;
		bool wanted = name == ".BTF" || name == ".BTF.ext" || name == ".maps" || sh.sh_type == SHT_SYMTAB ||
			      (sh.sh_type == SHT_REL && name.find("debug") == std::string::npos) || code;
		if (wanted && sh.sh_type != SHT_NOBITS && sh.sh_size > 0)
			out.push_back({name, sh.sh_offset, sh.sh_size});
	}
	out.push_back({"section headers", eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr)});
	return out;
}

const Btf &vmlinux()
{
	static Btf btf = Btf::load_file("/sys/kernel/btf/vmlinux");
	return btf;
}

// Reads a spec and, when that works, resolves and patches every CO-RE
// relocation. True when all of it went through.
bool read_and_relocate(const std::vector<uint8_t> &bytes)
{
	try {
		ObjectSpec spec = read_object_spec(bytes);
		CoreContext ctx(&vmlinux());
		for (const ProgramSpec &p : spec.programs) {
			std::vector<struct bpf_insn> insns = p.insns;
			if (!p.core_relos.empty())
				apply_core_relocations(*spec.btf, ctx, p, insns);
		}
		return true;
	} catch (const Error &) {
		return false;
	}
}

const char *kFixtures[] = {"globals.bpf.o", "core.bpf.o", "libbpf_style.bpf.o", "rejected.bpf.o"};

} // namespace

TEST_CASE("every fixture reads and relocates cleanly as compiled")
{
	for (const char *name : kFixtures)
		CHECK_MESSAGE(read_and_relocate(guard::read_file(test::fixture_path(name))), name);
}

TEST_CASE("bytes flipped in BTF, BTF.ext, relocations, symbols, code: an error or a result, never a crash")
{
	uint32_t seed = 2463534242u;
	auto next = [&] {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		return seed;
	};
	int refused = 0, total = 0;
	for (const char *name : kFixtures) {
		std::vector<uint8_t> bytes = guard::read_file(test::fixture_path(name));
		for (const Region &region : interesting_regions(bytes)) {
			int rounds = 60;
			total += rounds;
			for (int round = 0; round < rounds; round++) {
				std::vector<uint8_t> copy = bytes;
				int flips = 1 + int(next() % 4);
				for (int k = 0; k < flips; k++) {
					size_t at = region.offset + next() % region.size;
					// Small nudges and wild values both: off-by-one lengths
					// and offsets hide in the first, hostile ones in the second.
					copy[at] = (next() & 1) ? uint8_t(copy[at] + 1 + next() % 3) : uint8_t(next());
				}
				refused += !read_and_relocate(copy);
			}
		}
	}
	MESSAGE("refused " << refused << " of " << total << " corrupted copies, read the rest");
	CHECK(refused > 0);
}

TEST_CASE("truncated fixtures are refused")
{
	for (const char *name : kFixtures) {
		std::vector<uint8_t> bytes = guard::read_file(test::fixture_path(name));
		for (size_t len = 0; len < bytes.size(); len += 61)
			CHECK_FALSE(read_and_relocate(std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(len))));
	}
}

namespace {

// Finds the .BTF.ext section's file offset in a fixture.
size_t section_offset(const std::vector<uint8_t> &bytes, const std::string &want)
{
	for (const Region &r : interesting_regions(bytes))
		if (r.name == want)
			return r.offset;
	FAIL("no section " << want);
	return 0;
}

} // namespace

TEST_CASE("targeted damage names what is wrong")
{
	std::vector<uint8_t> bytes = guard::read_file(test::fixture_path("core.bpf.o"));
	size_t ext = section_offset(bytes, ".BTF.ext");

	SUBCASE("a .BTF.ext table pointing past the section")
	{
		auto copy = bytes;
		uint32_t huge = 0x7ffffff0;
		std::memcpy(copy.data() + ext + 8, &huge, 4); // func_info_off
		CHECK_THROWS_WITH_AS(read_object_spec(copy), doctest::Contains("func_info: extends past the end of .BTF.ext"),
				     Error);
	}
	SUBCASE("a .BTF.ext with a bad magic")
	{
		auto copy = bytes;
		copy[ext] ^= 0xff;
		CHECK_THROWS_WITH_AS(read_object_spec(copy), doctest::Contains(".BTF.ext: bad magic"), Error);
	}
	SUBCASE("a .BTF header with a string section past the end")
	{
		auto copy = bytes;
		size_t btf = section_offset(bytes, ".BTF");
		uint32_t huge = 0x10000000;
		std::memcpy(copy.data() + btf + offsetof(struct btf_header, str_len), &huge, 4);
		CHECK_THROWS_WITH_AS(read_object_spec(copy), doctest::Contains(".BTF: BTF: type or string section extends"),
				     Error);
	}
}
