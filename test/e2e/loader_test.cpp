// SPDX-License-Identifier: GPL-2.0-or-later
// The loader on the real kernel, one feature per fixture: each program is
// loaded, attached to sys_enter_getppid, triggered by this process and its
// results read back from its global data maps.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/error.h"
#include "loader/bpf_syscall.h"
#include "loader/collection.h"
#include "loader/object_spec.h"
#include "loader/attach_tracepoint.h"
#include "test/support/e2e_support.h"
#include "test/support/files.h"
#include "test/support/fixtures.h"

using namespace guard;

namespace {

// Attaches prog at its (first) tracepoint, sys_enter_getppid in these
// fixtures, calls getppid() `times` times, and detaches.
void run_on_getppid(const Program &prog, int times)
{
	Link link = attach_tracepoint(prog.fd.get(), prog.spec->attach_group, prog.spec->attach_events.at(0));
	for (int i = 0; i < times; i++)
		::syscall(SYS_getppid);
}

// The value of a kernel config option as the shell reads it, quotes and all.
std::string config_option(const std::string &name)
{
	std::string command = "(gzip -dc /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)) | sed -n 's/^" + name + "=//p'";
	std::string out;
	if (FILE *p = ::popen(command.c_str(), "r")) {
		char buf[256];
		while (std::fgets(buf, sizeof(buf), p))
			out += buf;
		::pclose(p);
	}
	return out.substr(0, out.find('\n'));
}

} // namespace

TEST_CASE("global data: a .rodata knob set before load, .data and .bss counters")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("globals.bpf.o")));
	uint32_t me = static_cast<uint32_t>(::getpid());
	spec.set_global("target_tgid", me);
	spec.set_global("increment", uint64_t(3));

	Collection objects = Collection::load(spec);
	const Program &prog = objects.programs().at(0);
	run_on_getppid(prog, 5);

	CHECK(objects.read_global_as<uint64_t>(spec, "matching_calls") == 15);
	CHECK(objects.read_global_as<uint64_t>(spec, "calls_seen") == 1015); // .data started at 1000
	CHECK(objects.read_global_as<uint32_t>(spec, "last_tgid") == me);
	CHECK(objects.read_global_as<uint32_t>(spec, "target_tgid") == me);

	// .rodata is frozen: not even a system call may change it now.
	const Map &rodata = objects.map(".rodata");
	CHECK((rodata.spec.flags & BPF_F_RDONLY_PROG) != 0);
	std::vector<uint8_t> value(rodata.spec.value_size, 0);
	uint32_t zero = 0;
	CHECK_THROWS_WITH_AS(bpf_map_update(rodata.fd.get(), &zero, value.data()),
			     doctest::Contains("BPF_MAP_UPDATE_ELEM"), Error);
}

TEST_CASE("CO-RE: task->real_parent->tgid and friends, relocated by our loader")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("core.bpf.o")));
	REQUIRE(!spec.programs.at(0).core_relos.empty());
	uint32_t me = static_cast<uint32_t>(::getpid());
	spec.set_global("target_tgid", me);

	Btf vmlinux = Btf::load_file("/sys/kernel/btf/vmlinux");
	LoadOptions options;
	options.kernel_btf = &vmlinux;
	Collection objects = Collection::load(spec, options);
	const Program &prog = objects.programs().at(0);
	run_on_getppid(prog, 1);

	auto get = [&](const char *name) { return objects.read_global_as<uint32_t>(spec, name); };
	CHECK(get("seen_tgid") == me);
	CHECK(get("parent_tgid") == static_cast<uint32_t>(::getppid()));
	CHECK(get("euid") == ::geteuid());
	struct stat ns {};
	REQUIRE(::stat("/proc/self/ns/mnt", &ns) == 0);
	CHECK(get("mnt_ns_inum") == ns.st_ino);
	CHECK(get("has_real_parent") == 1);
	CHECK(get("has_fake_member") == 0);
	CHECK(get("has_fake_type") == 0);
	auto task = vmlinux.find("task_struct", BTF_KIND_STRUCT);
	REQUIRE(task);
	CHECK(get("task_size") == vmlinux.resolve_size(*task));
	CHECK(get("real_parent_size") == 8);
	auto pid_type = vmlinux.find("pid_type", BTF_KIND_ENUM);
	REQUIRE(pid_type);
	uint32_t max = 0;
	for (const struct btf_enum &e : vmlinux.enum_values(*pid_type))
		if (vmlinux.string_at(e.name_off) == "PIDTYPE_MAX")
			max = static_cast<uint32_t>(e.val);
	CHECK(max > 0);
	CHECK(get("pid_type_max") == max);
	CHECK(get("has_fake_enum_value") == 0);
}

TEST_CASE("a hidden global function is verified at its call, as libbpf has it (usdt.bpf.h's bpf_usdt_arg)")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("hidden_function.bpf.o")));
	Collection objects = Collection::load(spec); // as a global function the verifier refuses its write
	const Program &prog = objects.programs().at(0);
	run_on_getppid(prog, 1);
	CHECK(objects.read_global_as<int64_t>(spec, "answer") == 49);
}

TEST_CASE("a libbpf-style object: every map type, knobs, printk strings, subprograms, CO-RE")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("libbpf_style.bpf.o")));
	uint32_t me = static_cast<uint32_t>(::getpid());
	spec.set_global("target_tgid", me);
	Collection objects = Collection::load(spec);
	REQUIRE(objects.programs().size() == 2);
	CHECK(objects.map("perf_events").spec.max_entries > 0); // one slot per possible CPU

	const Program *openat = nullptr;
	for (const Program &p : objects.programs())
		if (p.spec->name == "trace_openat")
			openat = &p;
	REQUIRE(openat);
	CHECK(openat->spec->subprograms.size() == 3); // is_target (global), bump (static), add_index (callback)
	Link link = attach_tracepoint(openat->fd.get(), openat->spec->attach_group, openat->spec->attach_events.at(0));
	for (int i = 0; i < 3; i++)
		::close(::open("/proc/self/stat", O_RDONLY));
	link = Link{};

	// bump(), a subprogram, counted our opens in the hash map.
	uint64_t opens = 0;
	REQUIRE(bpf_map_lookup(objects.map("opens_by_tgid").fd.get(), &me, &opens));
	CHECK(opens >= 3);
	// add_index ran through bpf_loop: a function pointer into its own copy.
	CHECK(objects.read_global_as<uint64_t>(spec, "loop_sum") == 0 + 1 + 2 + 3);
}

TEST_CASE("an unguarded CO-RE read of a missing field: the error names the relocation")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("rejected.bpf.o")));
	LoadOptions options;
	options.skip_programs = {"guarded_missing_field", "unchecked_lookup"};
	CHECK_THROWS_WITH_AS(Collection::load(spec, options),
			     doctest::Contains("relocate program unguarded_missing_field: CO-RE relo #1 "
					       "(task_struct___fake.no_such_member_anywhere): no field in vmlinux BTF"),
			     Error);

	// The same read behind bpf_core_field_exists() is dead code: it loads.
	options.skip_programs = {"unguarded_missing_field", "unchecked_lookup"};
	Collection guarded = Collection::load(spec, options);
	CHECK(guarded.programs().size() == 1);
}

TEST_CASE("a verifier rejection shows the source line (line_info)")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("rejected.bpf.o")));
	LoadOptions options;
	options.skip_programs = {"unguarded_missing_field", "guarded_missing_field"};
	CHECK_THROWS_WITH_AS(Collection::load(spec, options),
			     doctest::Contains("out = *value; /* no NULL check: the verifier says no */"), Error);
}

TEST_CASE("kernel functions: a call to bpf_rdonly_cast, and a __weak one this kernel lacks ruled out")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("kfuncs.bpf.o")));
	uint32_t me = static_cast<uint32_t>(::getpid());
	spec.set_global("target_tgid", me);
	Collection objects = Collection::load(spec);
	const Program &prog = objects.programs().at(0);
	run_on_getppid(prog, 4);

	CHECK(objects.read_global_as<uint32_t>(spec, "tgid_read") == me); // read through the kfunc's pointer
	CHECK(objects.read_global_as<uint64_t>(spec, "missing_skipped") == 4);
	CHECK(objects.read_global_as<uint64_t>(spec, "missing_called") == 0);
}

TEST_CASE("a kfunc this kernel lacks: an error naming it, unless __weak and ruled out")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("kfunc_missing.bpf.o")));
	LoadOptions options;
	options.skip_programs = {"call_weak_unchecked"};
	CHECK_THROWS_WITH_AS(Collection::load(spec, options),
			     doctest::Contains("relocate program call_missing: kfunc guard_fixture_missing_kfunc: "
					       "not in vmlinux BTF"),
			     Error);

	// __weak, but called where nothing rules it out: the verifier meets the
	// poisoned call, and the error says which kfunc it was.
	options.skip_programs = {"call_missing"};
	CHECK_THROWS_WITH_AS(Collection::load(spec, options),
			     doctest::Contains("relocate program call_weak_unchecked: kfunc guard_fixture_missing_weak_kfunc: "
					       "not in vmlinux BTF, and called where bpf_ksym_exists() does not rule it out"),
			     Error);
}

TEST_CASE("the kernel's configuration: extern __kconfig variables filled at load")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(test::fixture_path("kconfig.bpf.o")));
	uint32_t me = static_cast<uint32_t>(::getpid());
	spec.set_global("target_tgid", me);
	Collection objects = Collection::load(spec);
	const Program &prog = objects.programs().at(0);
	run_on_getppid(prog, 1);

	// What the program read, against the kernel's own answers read here another way.
	struct utsname u {};
	REQUIRE(::uname(&u) == 0);
	unsigned major = 0, minor = 0, patch = 0;
	std::sscanf(u.release, "%u.%u.%u", &major, &minor, &patch);
	CHECK(objects.read_global_as<uint32_t>(spec, "version") == (major << 16) + (minor << 8) + std::min(patch, 255u));
	std::string hz = config_option("CONFIG_HZ");
	REQUIRE(!hz.empty());
	CHECK(objects.read_global_as<int64_t>(spec, "hz") == std::stoll(hz));
	CHECK(objects.read_global_as<uint32_t>(spec, "bpf_syscall") == 1); // a kernel running BPF has it
	// guard needs 6.2 or later: bpf_get_attach_cookie() (5.15) is there, and
	// x86_64 and arm64 have entered syscalls through wrappers since 4.17/4.19.
	CHECK(objects.read_global_as<uint32_t>(spec, "bpf_cookie") == 1);
#if defined(__x86_64__) || defined(__aarch64__)
	CHECK(objects.read_global_as<uint32_t>(spec, "syscall_wrapper") == 1);
#endif
	CHECK(objects.read_global_as<int64_t>(spec, "missing") == 0);      // __weak and absent
	std::string local = config_option("CONFIG_LOCALVERSION"); // "..." or nothing
	if (local.size() >= 2)
		local = local.substr(1, local.size() - 2);
	std::vector<uint8_t> lv = objects.read_global(spec, "localversion");
	const char *read = reinterpret_cast<const char *>(lv.data());
	CHECK(std::string(read, strnlen(read, lv.size())) == local.substr(0, 31));
}
