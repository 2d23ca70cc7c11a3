// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/attach_uprobe.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "base/error.h"
#include "base/fd.h"
#include "loader/perf_event.h"

namespace guard {

namespace {

struct ElfCloser {
	void operator()(Elf *e) const { elf_end(e); }
};

// The symbol's address (st_value), 0 when the file has no such function.
uint64_t function_address(Elf *elf, std::string_view function)
{
	Elf_Scn *scn = nullptr;
	while ((scn = elf_nextscn(elf, scn)) != nullptr) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr) || (shdr.sh_type != SHT_SYMTAB && shdr.sh_type != SHT_DYNSYM) ||
		    shdr.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, nullptr);
		for (size_t i = 0; data && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, int(i), &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_value == 0)
				continue;
			const char *name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (name && function == name)
				return sym.st_value;
		}
	}
	return 0;
}

// A binary named without a '/' is looked for on PATH, as libbpf does.
std::string resolve_binary(std::string_view binary)
{
	if (binary.find('/') != std::string_view::npos)
		return std::string(binary);
	const char *path = std::getenv("PATH");
	std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
	for (size_t start = 0; start <= dirs.size();) {
		size_t colon = std::min(dirs.find(':', start), dirs.size());
		std::string candidate = std::string(dirs.substr(start, colon - start)) + "/" + std::string(binary);
		if (colon > start && ::access(candidate.c_str(), X_OK) == 0)
			return candidate;
		start = colon + 1;
	}
	fail(std::string(binary) + ": not found on PATH");
}

} // namespace

uint64_t function_file_offset(const std::string &path, std::string_view function)
{
	return with_context(path, [&]() -> uint64_t {
		Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
		if (!fd.valid())
			fail(errno_message("open", errno));
		elf_version(EV_CURRENT);
		std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd.get(), ELF_C_READ, nullptr));
		if (!elf || elf_kind(elf.get()) != ELF_K_ELF)
			fail("not an ELF file");
		uint64_t address = function_address(elf.get(), function);
		if (address == 0)
			fail("no function " + std::string(function) + " in its symbol tables");
		size_t segments = 0;
		if (elf_getphdrnum(elf.get(), &segments) != 0)
			fail("no program headers");
		for (size_t i = 0; i < segments; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(elf.get(), int(i), &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
			    address >= ph.p_vaddr && address < ph.p_vaddr + ph.p_memsz)
				return address - ph.p_vaddr + ph.p_offset;
		}
		fail("function " + std::string(function) + " is in no executable segment");
	});
}

Link attach_uprobe(int prog_fd, std::string_view binary, std::string_view target, bool retprobe)
{
	std::string where = std::string(binary) + ":" + std::string(target);
	return with_context(std::string(retprobe ? "attach uretprobe " : "attach uprobe ") + where, [&] {
		ProbeTarget probe = parse_probe_target(target);
		std::string path = resolve_binary(binary);
		struct perf_event_attr attr {};
		attr.type = pmu_type("uprobe");
		if (retprobe)
			attr.config |= pmu_retprobe_bit("uprobe");
		attr.config1 = reinterpret_cast<uintptr_t>(path.c_str());                     // uprobe_path
		attr.config2 = function_file_offset(path, probe.function) + probe.offset; // probe_offset
		return link_perf_event(prog_fd, open_perf_event(attr), {}, path + ":" + std::string(target));
	});
}

} // namespace guard
