// SPDX-License-Identifier: GPL-2.0-or-later
// Section names to program types (loader/program_types.cpp), and the spec of
// test/fixtures/program_types.bpf.c: what BPF_PROG_LOAD will be told for
// each kind, and the section nobody knows listed rather than fatal.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <string>

#include "base/error.h"
#include "loader/object_spec.h"
#include "loader/perf_event.h"
#include "loader/program_types.h"
#include "test/support/files.h"
#include "test/support/fixtures.h"

using namespace guard;

namespace {

ProgramSection parsed(std::string_view section)
{
	ProgramSection out;
	REQUIRE(parse_program_section(section, out));
	return out;
}

} // namespace

TEST_CASE("section names: program type, expected attach type, target")
{
	struct Case {
		const char *section;
		AttachKind kind;
		uint32_t type, expected_attach_type;
		bool btf_target;
		const char *target, *binary;
	};
	const Case cases[] = {
		{"tracepoint/sched/sched_process_exec", AttachKind::tracepoint, BPF_PROG_TYPE_TRACEPOINT, 0, false,
		 "sched/sched_process_exec", ""},
		{"tp/syscalls/sys_enter_openat", AttachKind::tracepoint, BPF_PROG_TYPE_TRACEPOINT, 0, false,
		 "syscalls/sys_enter_openat", ""},
		{"kprobe/do_unlinkat", AttachKind::kprobe, BPF_PROG_TYPE_KPROBE, 0, false, "do_unlinkat", ""},
		{"kprobe/tcp_v4_connect+4", AttachKind::kprobe, BPF_PROG_TYPE_KPROBE, 0, false, "tcp_v4_connect+4", ""},
		{"kretprobe/do_unlinkat", AttachKind::kretprobe, BPF_PROG_TYPE_KPROBE, 0, false, "do_unlinkat", ""},
		{"ksyscall/openat", AttachKind::ksyscall, BPF_PROG_TYPE_KPROBE, 0, false, "openat", ""},
		{"kretsyscall/openat", AttachKind::kretsyscall, BPF_PROG_TYPE_KPROBE, 0, false, "openat", ""},
		{"uprobe//usr/lib/libc.so.6:malloc", AttachKind::uprobe, BPF_PROG_TYPE_KPROBE, 0, false, "malloc",
		 "/usr/lib/libc.so.6"},
		{"uretprobe/bash:readline", AttachKind::uretprobe, BPF_PROG_TYPE_KPROBE, 0, false, "readline", "bash"},
		// libbpf's manual attach and USDT (bcc's libbpf-tools, libbpf-bootstrap): loaded, attached by their userspace
		{"uprobe", AttachKind::uprobe, BPF_PROG_TYPE_KPROBE, 0, false, "", ""},
		{"uretprobe", AttachKind::uretprobe, BPF_PROG_TYPE_KPROBE, 0, false, "", ""},
		{"usdt", AttachKind::usdt, BPF_PROG_TYPE_KPROBE, 0, false, "", ""},
		{"usdt/libc.so.6:libc:setjmp", AttachKind::usdt, BPF_PROG_TYPE_KPROBE, 0, false, "libc.so.6:libc:setjmp", ""},
		{"raw_tp/sched_switch", AttachKind::raw_tracepoint, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false,
		 "sched_switch", ""},
		{"raw_tracepoint/sys_enter", AttachKind::raw_tracepoint, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false,
		 "sys_enter", ""},
		{"tp_btf/sched_process_exec", AttachKind::tp_btf, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, true,
		 "sched_process_exec", ""},
		{"perf_event", AttachKind::perf_event, BPF_PROG_TYPE_PERF_EVENT, 0, false, "", ""},
		{"fentry/do_unlinkat", AttachKind::fentry, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, true, "do_unlinkat",
		 ""},
		{"fexit/do_unlinkat", AttachKind::fexit, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, true, "do_unlinkat", ""},
		{"lsm/file_open", AttachKind::lsm, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, true, "file_open", ""},
	};
	for (const Case &c : cases) {
		CAPTURE(c.section);
		ProgramSection s = parsed(c.section);
		CHECK(s.kind == c.kind);
		CHECK(s.type == c.type);
		CHECK(s.expected_attach_type == c.expected_attach_type);
		CHECK(s.needs_btf_target == c.btf_target);
		CHECK(s.target == c.target);
		CHECK(s.binary == c.binary);
	}
}

TEST_CASE("section names: unknown ones are not programs guard knows; known ones malformed are errors")
{
	ProgramSection out;
	for (const char *section : {"xdp", "socket", "perf_event/x", "kprobe", "tracepoint", "kprobes/x", "lsm.s/x"}) {
		CAPTURE(section);
		CHECK_FALSE(parse_program_section(section, out));
	}
	CHECK_THROWS_WITH_AS(parse_program_section("kprobe/", out), doctest::Contains("expected kprobe/<target>"), Error);
	CHECK_THROWS_WITH_AS(parse_program_section("tp/sched", out), doctest::Contains("expected tp/<group>/<event>"),
			     Error);
	CHECK_THROWS_WITH_AS(parse_program_section("uprobe/nocolon", out),
			     doctest::Contains("expected uprobe/<binary>:<function>[+<offset>]"), Error);
	CHECK_THROWS_WITH_AS(parse_program_section("uprobe/bash:", out), doctest::Contains("uprobe/<binary>"), Error);
	CHECK_THROWS_WITH_AS(parse_program_section("usdt/", out), doctest::Contains("expected usdt/<target>"), Error);
}

TEST_CASE("section names: which programs their own userspace attaches")
{
	CHECK(attached_by_its_user(AttachKind::perf_event, ""));
	CHECK(attached_by_its_user(AttachKind::usdt, ""));
	CHECK(attached_by_its_user(AttachKind::usdt, "libc.so.6:libc:setjmp"));
	CHECK(attached_by_its_user(AttachKind::uprobe, ""));
	CHECK(attached_by_its_user(AttachKind::uretprobe, ""));
	CHECK_FALSE(attached_by_its_user(AttachKind::uprobe, "malloc"));
	CHECK_FALSE(attached_by_its_user(AttachKind::tracepoint, "sched/sched_process_exec"));
}

TEST_CASE("program_types.bpf.o: every kind in the spec, the unknown section listed and skipped")
{
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("program_types.bpf.o")));
	REQUIRE(spec.skipped_programs.size() == 1);
	CHECK(spec.skipped_programs[0].name == "on_unknown");
	CHECK(spec.skipped_programs[0].section == "guard_unknown/anything");
	CHECK_FALSE(spec.find_program("on_unknown"));
	const ProgramSpec *uprobe = spec.find_program("on_uprobe");
	REQUIRE(uprobe);
	CHECK(uprobe->attach_kind == AttachKind::uprobe);
	CHECK(uprobe->attach_binary == "uprobe_target");
	CHECK(uprobe->attach_target == "guard_uprobe_target");
	const ProgramSpec *tp_btf = spec.find_program("on_tp_btf");
	REQUIRE(tp_btf);
	CHECK(tp_btf->type == BPF_PROG_TYPE_TRACING);
	CHECK(tp_btf->expected_attach_type == BPF_TRACE_RAW_TP);
	CHECK(tp_btf->needs_btf_target);
	const ProgramSpec *tracepoint = spec.find_program("on_tracepoint");
	REQUIRE(tracepoint);
	CHECK(tracepoint->attach_group == "syscalls");
	CHECK(tracepoint->attach_events == std::vector<std::string>{"sys_enter_getppid"});
	CHECK(spec.programs.size() == 13);
}

TEST_CASE("probe targets: function, function+offset; a bad offset is an error")
{
	ProbeTarget plain = parse_probe_target("do_unlinkat");
	CHECK(plain.function == "do_unlinkat");
	CHECK(plain.offset == 0);
	ProbeTarget hex = parse_probe_target("tcp_v4_connect+0x10");
	CHECK(hex.function == "tcp_v4_connect");
	CHECK(hex.offset == 16);
	CHECK(parse_probe_target("f+8").offset == 8);
	for (const char *bad : {"f+", "f+x", "f+8x", "+8"}) {
		CAPTURE(bad);
		CHECK_THROWS_WITH_AS(parse_probe_target(bad), doctest::Contains("expected <function>[+<offset>]"), Error);
	}
}
