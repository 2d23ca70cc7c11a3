// SPDX-License-Identifier: GPL-2.0-or-later
// `guard obj` on the fixtures, as a user runs it: what it prints must be what
// the loader does on this kernel.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "loader/btf.h"
#include "test/support/e2e_support.h"
#include "test/support/fixtures.h"

using namespace guard;

namespace {

struct Run {
	int status;
	std::string out;
};

Run run_guard(const std::string &args)
{
	std::string command = std::string(GUARD_BINARY) + " " + args + " 2>&1";
	FILE *p = ::popen(command.c_str(), "r");
	REQUIRE(p);
	Run r{0, {}};
	char buf[4096];
	size_t n;
	while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
		r.out.append(buf, n);
	r.status = ::pclose(p);
	return r;
}

uint32_t vmlinux_member_offset(std::string_view type, std::string_view member)
{
	Btf vmlinux = Btf::load_file("/sys/kernel/btf/vmlinux");
	auto id = vmlinux.find(type, BTF_KIND_STRUCT);
	REQUIRE(id);
	for (const struct btf_member &m : vmlinux.members(*id))
		if (vmlinux.string_at(m.name_off) == member)
			return Btf::member_bit_offset(vmlinux.type(*id), m) / 8;
	FAIL("no member");
	return 0;
}

} // namespace

TEST_CASE("guard obj prints programs, maps, relocations and CO-RE offsets for this kernel")
{
	Run r = run_guard("obj " + test::fixture_path("libbpf_style.bpf.o"));
	INFO(r.out);
	REQUIRE(WIFEXITED(r.status));
	CHECK(WEXITSTATUS(r.status) == 0);
	CHECK(r.out.find("trace_openat: tracepoint syscalls/sys_enter_openat") != std::string::npos);
	CHECK(r.out.find("trace_exit: tracepoint sched/sched_process_exit") != std::string::npos);
	CHECK(r.out.find("perf_events      perf_event_array") != std::string::npos);
	CHECK(r.out.find("target_tgid              offset 0, 4 bytes") != std::string::npos);
	CHECK(r.out.find("call      bpf-to-bpf bump") != std::string::npos);
	CHECK(r.out.find(".rodata.str1.1") != std::string::npos);
	std::string real_parent = "task_struct.real_parent                      access 0:1      -> " +
				  std::to_string(vmlinux_member_offset("task_struct", "real_parent")) + " ";
	CHECK(r.out.find(real_parent) != std::string::npos);
}

TEST_CASE("guard obj --load loads every program, prints verifier statistics, unloads")
{
	REQUIRE(test::running_as_root());
	Run r = run_guard("obj --load " + test::fixture_path("libbpf_style.bpf.o"));
	INFO(r.out);
	REQUIRE(WIFEXITED(r.status));
	CHECK(WEXITSTATUS(r.status) == 0);
	for (const char *name : {"trace_openat: loaded as id ", "trace_exit: loaded as id "}) {
		size_t at = r.out.find(name);
		REQUIRE(at != std::string::npos);
		CHECK(r.out.find("verified_insns ", at) != std::string::npos);
	}
	CHECK(r.out.find("verifier: processed ") != std::string::npos);
	CHECK(r.out.find("unloaded.") != std::string::npos);
}

TEST_CASE("guard obj on a file that is not a BPF object: exit 1 with the reason")
{
	Run r = run_guard("obj /etc/hostname");
	REQUIRE(WIFEXITED(r.status));
	CHECK(WEXITSTATUS(r.status) == 1);
	CHECK(r.out.find("guard obj: /etc/hostname: read ELF") != std::string::npos);
}
