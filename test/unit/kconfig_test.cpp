// SPDX-License-Identifier: GPL-2.0-or-later
// extern __kconfig variables without a kernel: the fixture's spec, the
// config file's syntax, and each type's value written at its offset.
#include <doctest/doctest.h>

#include <cstring>

#include "base/error.h"
#include "loader/kconfig.h"
#include "loader/object_spec.h"
#include "test/support/files.h"
#include "test/support/fixtures.h"

using namespace guard;

namespace {

ObjectSpec kconfig_fixture()
{
	return read_object_spec(guard::read_file(test::fixture_path("kconfig.bpf.o")));
}

const KconfigExtern &var(const ObjectSpec &spec, std::string_view name)
{
	for (const KconfigExtern &k : spec.kconfig)
		if (k.name == name)
			return k;
	FAIL("no kconfig variable " << name);
	throw;
}

template <class T>
T at(const std::vector<uint8_t> &value, uint32_t offset)
{
	T v;
	std::memcpy(&v, value.data() + offset, sizeof(v));
	return v;
}

const char *kConfig = "#\n"
		      "# Automatically generated file; DO NOT EDIT.\n"
		      "CONFIG_HZ=250\n"
		      "CONFIG_BPF_SYSCALL=y\n"
		      "CONFIG_BPF_JIT=m\n"
		      "CONFIG_LOCALVERSION=\"-a-rather-long-local-version-string\"\n"
		      "# CONFIG_DEBUG_INFO_NONE is not set\n";

} // namespace

TEST_CASE("kconfig.bpf.o: a frozen, read-only .kconfig map laid out by the loader")
{
	ObjectSpec spec = kconfig_fixture();
	const MapSpec *map = spec.find_map(".kconfig");
	REQUIRE(map);
	CHECK(map->flags == BPF_F_RDONLY_PROG);
	CHECK(map->freeze);
	REQUIRE(spec.kconfig.size() == 8);
	CHECK(var(spec, "LINUX_KERNEL_VERSION").size == 4);
	CHECK(var(spec, "CONFIG_BPF_SYSCALL").size == 1);
	CHECK(var(spec, "CONFIG_LOCALVERSION").size == 32);
	CHECK_FALSE(var(spec, "CONFIG_HZ").weak);
	CHECK(var(spec, "CONFIG_GUARD_FIXTURE_NO_SUCH_OPTION").weak);
	for (const KconfigExtern &k : spec.kconfig) {
		CAPTURE(k.name);
		CHECK(k.offset % (k.size >= 4 && k.size <= 8 ? k.size : 1) == 0); // aligned
		CHECK(k.offset + k.size <= map->value_size);
		const GlobalVariable *g = spec.find_global(k.name);
		REQUIRE(g);
		CHECK(g->offset == k.offset);
	}
}

TEST_CASE("the kernel's config: options, 'is not set', and the version code")
{
	KernelConfig config = parse_kernel_config(kConfig);
	CHECK(config.at("CONFIG_HZ") == "250");
	CHECK(config.at("CONFIG_BPF_JIT") == "m");
	CHECK(config.at("CONFIG_DEBUG_INFO_NONE") == "n");
	CHECK(config.at("CONFIG_LOCALVERSION") == "\"-a-rather-long-local-version-string\"");
	CHECK(config.size() == 5);
	CHECK(kernel_version_code("6.18.44-fc-v769") == (6u << 16) + (18u << 8) + 44u);
	CHECK(kernel_version_code("5.4.300") == (5u << 16) + (4u << 8) + 255u); // the sublevel is capped
	CHECK(kernel_version_code("6.1") == (6u << 16) + (1u << 8));
}

TEST_CASE("each extern's value at its offset, by its type")
{
	ObjectSpec spec = kconfig_fixture();
	std::vector<uint8_t> value(spec.find_map(".kconfig")->value_size, 0);
	fill_kconfig(spec, parse_kernel_config(kConfig), {0x061202, true, false}, value);
	CHECK(at<uint32_t>(value, var(spec, "LINUX_KERNEL_VERSION").offset) == 0x061202);
	CHECK(at<uint8_t>(value, var(spec, "LINUX_HAS_SYSCALL_WRAPPER").offset) == 1); // libbpf's own: not in any config
	CHECK(at<uint8_t>(value, var(spec, "LINUX_HAS_BPF_COOKIE").offset) == 0);
	CHECK(at<int32_t>(value, var(spec, "CONFIG_HZ").offset) == 250);
	CHECK(at<uint8_t>(value, var(spec, "CONFIG_BPF_SYSCALL").offset) == 1);
	CHECK(at<uint32_t>(value, var(spec, "CONFIG_BPF_JIT").offset) == 2); // m: a module
	CHECK(at<int32_t>(value, var(spec, "CONFIG_GUARD_FIXTURE_NO_SUCH_OPTION").offset) == 0); // __weak
	const char *s = reinterpret_cast<const char *>(value.data() + var(spec, "CONFIG_LOCALVERSION").offset);
	CHECK(std::string(s) == "-a-rather-long-local-version-st"); // 31 bytes and the NUL
}

TEST_CASE("a config that cannot fill an extern: the error names it and says why")
{
	ObjectSpec spec = kconfig_fixture();
	std::vector<uint8_t> value(spec.find_map(".kconfig")->value_size, 0);
	auto fill = [&](const char *text) { fill_kconfig(spec, parse_kernel_config(text), {}, value); };
	CHECK_THROWS_WITH_AS(fill("CONFIG_BPF_SYSCALL=y\n"),
			     doctest::Contains("kconfig CONFIG_HZ: not in the kernel's configuration"), Error);
	CHECK_THROWS_WITH_AS(fill("CONFIG_HZ=fast\nCONFIG_BPF_SYSCALL=y\n"),
			     doctest::Contains("kconfig CONFIG_HZ: \"fast\" is not a number"), Error);
	CHECK_THROWS_WITH_AS(fill("CONFIG_HZ=100\nCONFIG_BPF_SYSCALL=m\n"),
			     doctest::Contains("kconfig CONFIG_BPF_SYSCALL: a bool takes y or n"), Error);
	CHECK_THROWS_WITH_AS(fill("CONFIG_HZ=y\nCONFIG_BPF_SYSCALL=y\n"),
			     doctest::Contains("kconfig CONFIG_HZ: the config says y"), Error);
	CHECK_THROWS_WITH_AS(fill("CONFIG_HZ=100\nCONFIG_BPF_SYSCALL=y\nCONFIG_LOCALVERSION=plain\n"),
			     doctest::Contains("kconfig CONFIG_LOCALVERSION: a char array takes a quoted string"), Error);
}
