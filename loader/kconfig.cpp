// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/kconfig.h"

#include <elf.h>
#include <sys/utsname.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/error.h"
#include "loader/attach_kprobe.h"
#include "loader/kernel_support.h"

namespace guard {

namespace {

constexpr const char *kConfigSection = ".kconfig";

bool weak_symbol(const ElfFile &elf, std::string_view name)
{
	for (const ElfSymbol &sym : elf.symbols())
		if (sym.section == SHN_UNDEF && sym.name == name)
			return sym.bind == STB_WEAK;
	return false;
}

// /proc/config.gz is gzip: zlib reads it (libelf already needs zlib).
std::string read_gzip_file(const char *path)
{
	gzFile f = gzopen(path, "rb");
	if (!f)
		return {};
	std::string text;
	char buf[65536];
	int n;
	while ((n = gzread(f, buf, sizeof(buf))) > 0)
		text.append(buf, size_t(n));
	bool ok = n == 0;
	gzclose(f);
	return ok ? text : std::string();
}

template <class T>
void store(std::vector<uint8_t> &value, uint32_t offset, T v)
{
	std::memcpy(value.data() + offset, &v, sizeof(v));
}

// An integer of the variable's size, signed or not, checked to fit.
void store_integer(std::vector<uint8_t> &value, const KconfigExtern &var, bool is_signed, int64_t n)
{
	bool fits = var.size >= 8 || (is_signed ? n >= -(int64_t(1) << (var.size * 8 - 1)) && n < (int64_t(1) << (var.size * 8 - 1))
					       : n >= 0 && n < (int64_t(1) << (var.size * 8)));
	if (!fits)
		fail(std::to_string(n) + " does not fit in " + std::to_string(var.size) + " bytes");
	switch (var.size) {
	case 1: store(value, var.offset, uint8_t(n)); break;
	case 2: store(value, var.offset, uint16_t(n)); break;
	case 4: store(value, var.offset, uint32_t(n)); break;
	case 8: store(value, var.offset, uint64_t(n)); break;
	default: fail("an integer of " + std::to_string(var.size) + " bytes");
	}
}

// The config's number: decimal, or hexadecimal with 0x.
int64_t parse_integer(std::string_view text)
{
	std::string_view digits = text;
	int base = 10;
	if (digits.starts_with("0x") || digits.starts_with("0X")) {
		base = 16;
		digits.remove_prefix(2);
	}
	int64_t n = 0;
	auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), n, base);
	if (err != std::errc() || end != digits.data() + digits.size())
		fail("\"" + std::string(text) + "\" is not a number");
	return n;
}

// One variable's bytes from its config text, by its type as libbpf reads
// them: bool (y/n), a tristate enum (y=1, m=2, n=0), char (the letter
// itself), an integer, or a char array holding a quoted string.
void store_value(const Btf &btf, const KconfigExtern &var, std::string_view text, std::vector<uint8_t> &value)
{
	uint32_t type = btf.skip_modifiers(var.type_id);
	bool yes_no = text == "y" || text == "n" || text == "m";
	switch (btf.kind(type)) {
	case BTF_KIND_INT: {
		uint32_t encoding = btf.int_encoding(type);
		if (encoding & BTF_INT_BOOL) {
			if (text != "y" && text != "n")
				fail("a bool takes y or n, the config says " + std::string(text));
			store(value, var.offset, uint8_t(text == "y"));
		} else if (var.size == 1 && (encoding & BTF_INT_CHAR || !(encoding & BTF_INT_SIGNED)) && yes_no) {
			store(value, var.offset, uint8_t(text[0]));
		} else if (yes_no) {
			fail("the config says " + std::string(text) + ": declare it bool, char or a tristate enum");
		} else {
			store_integer(value, var, encoding & BTF_INT_SIGNED, parse_integer(text));
		}
		return;
	}
	case BTF_KIND_ENUM:
		if (!yes_no)
			fail("a tristate takes y, m or n, the config says " + std::string(text));
		store(value, var.offset, uint32_t(text == "y" ? 1 : text == "m" ? 2 : 0));
		return;
	case BTF_KIND_ARRAY: {
		if (text.size() < 2 || text.front() != '"' || text.back() != '"')
			fail("a char array takes a quoted string, the config says " + std::string(text));
		std::string_view s = text.substr(1, text.size() - 2);
		size_t n = std::min<size_t>(s.size(), var.size - 1); // the NUL stays
		std::memcpy(value.data() + var.offset, s.data(), n);
		return;
	}
	default:
		fail("type of kind " + std::to_string(btf.kind(type)) + " (expected bool, char, an integer, a tristate enum or char[])");
	}
}

} // namespace

size_t read_kconfig_externs(const ElfFile &elf, ObjectSpec &spec)
{
	if (!spec.btf)
		return SIZE_MAX;
	std::optional<uint32_t> datasec = spec.btf->find(kConfigSection, BTF_KIND_DATASEC);
	if (!datasec)
		return SIZE_MAX;
	const Btf &btf = *spec.btf;
	MapSpec map;
	map.name = kConfigSection;
	map.section = kConfigSection;
	map.type = BPF_MAP_TYPE_ARRAY;
	map.key_size = sizeof(uint32_t);
	map.value_size = btf.type(*datasec).size;
	map.max_entries = 1;
	map.flags = BPF_F_RDONLY_PROG;
	map.freeze = true;
	map.btf_value_type_id = *datasec;
	map.initial_value.assign(map.value_size, 0);
	size_t index = spec.maps.size();
	for (const struct btf_var_secinfo &v : btf.datasec_vars(*datasec)) {
		std::string name(btf.name(v.type));
		spec.globals.push_back({name, index, v.offset, v.size});
		spec.kconfig.push_back({name, v.offset, v.size, btf.type(v.type).type, weak_symbol(elf, name)});
	}
	spec.maps.push_back(std::move(map));
	return index;
}

KernelConfig parse_kernel_config(std::string_view text)
{
	KernelConfig config;
	constexpr std::string_view not_set = " is not set";
	while (!text.empty()) {
		size_t nl = text.find('\n');
		std::string_view line = text.substr(0, nl);
		text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
		if (line.starts_with("# CONFIG_") && line.ends_with(not_set))
			config[std::string(line.substr(2, line.size() - 2 - not_set.size()))] = "n";
		else if (line.starts_with("CONFIG_"))
			if (size_t eq = line.find('='); eq != std::string_view::npos)
				config[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
	}
	return config;
}

KernelConfig read_kernel_config()
{
	std::string text = read_gzip_file("/proc/config.gz");
	if (text.empty()) {
		struct utsname u {};
		::uname(&u);
		std::string path = std::string("/boot/config-") + u.release;
		std::ifstream in(path);
		if (!in)
			fail("read the kernel's configuration: neither /proc/config.gz nor " + path + " can be read");
		std::ostringstream s;
		s << in.rdbuf();
		text = s.str();
	}
	return parse_kernel_config(text);
}

uint32_t kernel_version_code(std::string_view release)
{
	uint32_t part[3] = {0, 0, 0};
	const char *p = release.data(), *end = release.data() + release.size();
	for (int i = 0; i < 3 && p < end; i++) {
		auto [next, err] = std::from_chars(p, end, part[i]);
		if (err != std::errc())
			break;
		p = next < end && *next == '.' ? next + 1 : end;
	}
	return (part[0] << 16) + (part[1] << 8) + std::min<uint32_t>(part[2], 255);
}

namespace {

bool declares(const ObjectSpec &spec, std::string_view name)
{
	return std::any_of(spec.kconfig.begin(), spec.kconfig.end(), [&](const KconfigExtern &v) { return v.name == name; });
}

// LINUX_* externs: the value, or nullopt for a name that is not one of them.
std::optional<uint64_t> fact_named(const KernelFacts &facts, std::string_view name)
{
	if (name == "LINUX_KERNEL_VERSION")
		return facts.version_code;
	if (name == "LINUX_HAS_SYSCALL_WRAPPER")
		return facts.has_syscall_wrapper;
	if (name == "LINUX_HAS_BPF_COOKIE")
		return facts.has_bpf_cookie;
	return std::nullopt;
}

} // namespace

KernelFacts read_kernel_facts(const ObjectSpec &spec)
{
	KernelFacts facts;
	struct utsname u {};
	::uname(&u);
	facts.version_code = kernel_version_code(u.release);
	if (declares(spec, "LINUX_HAS_SYSCALL_WRAPPER"))
		facts.has_syscall_wrapper = has_syscall_wrapper();
	if (declares(spec, "LINUX_HAS_BPF_COOKIE")) {
		const KernelFeature cookie{"bpf_get_attach_cookie()", "5.15", BPF_FUNC_get_attach_cookie, {}, {}};
		facts.has_bpf_cookie = missing_kernel_features(std::span(&cookie, 1)).empty();
	}
	return facts;
}

void fill_kconfig(const ObjectSpec &spec, const KernelConfig &config, const KernelFacts &facts, std::vector<uint8_t> &value)
{
	for (const KconfigExtern &var : spec.kconfig) {
		with_context("kconfig " + var.name, [&] {
			if (uint64_t(var.offset) + var.size > value.size())
				fail("lies outside the .kconfig map");
			if (std::optional<uint64_t> fact = fact_named(facts, var.name)) {
				store_integer(value, var, false, int64_t(*fact));
				return;
			}
			auto it = config.find(var.name);
			if (it == config.end()) {
				if (!var.weak)
					fail("not in the kernel's configuration (declare it __weak to read 0 instead)");
				return; // zeros
			}
			store_value(*spec.btf, var, it->second, value);
		});
	}
}

} // namespace guard
