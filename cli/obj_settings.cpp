// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/obj_settings.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.h"

namespace guard {

namespace {

// The whole text as a number, or an Error.
int64_t parse_integer(const std::string &text, bool allow_negative)
{
	if (text.empty() || (!allow_negative && text[0] == '-'))
		fail("expected " + std::string(allow_negative ? "an integer" : "a non-negative integer") + ", got \"" +
		     text + "\"");
	errno = 0;
	char *end = nullptr;
	int64_t value = 0;
	if (text[0] == '-')
		value = std::strtoll(text.c_str(), &end, 0);
	else
		value = static_cast<int64_t>(std::strtoull(text.c_str(), &end, 0));
	if (errno != 0 || *end != '\0' || end == text.c_str())
		fail("expected an integer, got \"" + text + "\"");
	return value;
}

bool fits(int64_t value, uint32_t size, bool negative)
{
	if (size == 8)
		return true;
	int64_t bits = int64_t(size) * 8;
	return negative ? value >= -(int64_t(1) << (bits - 1)) : uint64_t(value) < (uint64_t(1) << bits);
}

} // namespace

void apply_global_setting(ObjectSpec &spec, std::string_view setting)
{
	with_context("--set " + std::string(setting), [&] {
		size_t eq = setting.find('=');
		if (eq == std::string_view::npos || eq == 0)
			fail("expected NAME=VALUE");
		std::string name(setting.substr(0, eq));
		const GlobalVariable *var = spec.find_global(name);
		if (!var)
			fail("no global variable " + name + " in the object");
		if (var->size != 1 && var->size != 2 && var->size != 4 && var->size != 8)
			fail(name + " has " + std::to_string(var->size) + " bytes: only integers of 1, 2, 4 or 8 can be set");
		std::string text(setting.substr(eq + 1));
		int64_t value = parse_integer(text, true);
		if (!fits(value, var->size, text[0] == '-'))
			fail(text + " does not fit " + name + "'s " + std::to_string(var->size) + " bytes");
		uint8_t bytes[8];
		std::memcpy(bytes, &value, sizeof(bytes)); // the low bytes first: BPF is the host's byte order
		spec.set_global(name, std::span<const uint8_t>(bytes, var->size));
	});
}

void apply_map_setting(ObjectSpec &spec, std::string_view setting)
{
	with_context("--map " + std::string(setting), [&] {
		size_t colon = setting.find(':');
		size_t eq = setting.find('=', colon == std::string_view::npos ? 0 : colon);
		if (colon == std::string_view::npos || colon == 0 || eq == std::string_view::npos)
			fail("expected NAME:FIELD=N (FIELD max_entries, value_size or key_size)");
		std::string name(setting.substr(0, colon));
		std::string_view field = setting.substr(colon + 1, eq - colon - 1);
		MapSpec *map = spec.find_map(name);
		if (!map)
			fail("no map " + name + " in the object");
		int64_t value = parse_integer(std::string(setting.substr(eq + 1)), false);
		if (value > int64_t(UINT32_MAX))
			fail("larger than 4294967295");
		uint32_t n = static_cast<uint32_t>(value);
		if (field == "max_entries") {
			map->max_entries = n;
			return;
		}
		if (field == "value_size")
			map->value_size = n;
		else if (field == "key_size")
			map->key_size = n;
		else
			fail("unknown field " + std::string(field) + " (expected max_entries, value_size or key_size)");
		// The BTF types no longer describe the new size, and the kernel
		// checks them against it (map_check_btf): the map goes without,
		// as libbpf retries one whose BTF the kernel refused.
		map->btf_key_type_id = 0;
		map->btf_value_type_id = 0;
	});
}

} // namespace guard
