// SPDX-License-Identifier: GPL-2.0-or-later
// The agent's telemetry options on the real kernel: a family that is
// switched off is not attached at all; each ring has the size asked for; when
// a ring is full the kernel side counts what it drops, by ring and by kind.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/agent_rings.h"
#include "loader/collection.h"
#include "loader/global_tgid.h"
#include "loader/object_spec.h"
#include "loader/ring_view.h"
#include "loader/attach_tracepoint.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/files.h"

using namespace guard;

namespace {

// "key:\tvalue" lines of every fdinfo of a process, one string per fd. An
// fd closed between the listing and the read (guard reading /proc as it
// seeds its process table) is left out.
std::vector<std::string> fdinfos(pid_t pid)
{
	std::vector<std::string> out;
	for (const auto &entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo")) {
		int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
		char buf[4096];
		ssize_t n = fd < 0 ? -1 : ::read(fd, buf, sizeof(buf));
		if (fd >= 0)
			::close(fd);
		if (n > 0)
			out.emplace_back(buf, static_cast<size_t>(n));
	}
	return out;
}

} // namespace

TEST_CASE("--disable file --disable network --disable io_uring --disable privilege attaches the process programs only")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard(
		{"--disable", "file", "--disable", "network", "--disable", "io_uring", "--disable", "privilege"});
	std::string attached = guard.wait_attached();
	INFO("stderr: " << guard.stderr_text());
	REQUIRE(attached.find("attached 11 programs at 12 tracepoints (process 12) in ") != std::string::npos);
	CHECK(test::programs_held_by(guard.pid()).size() == 11);

	auto run = test::run_helper("file_ops", {"openat", "-", "/etc/hostname", "0", "0"});
	auto net = test::run_helper("net_ops", {"connect4", "127.0.0.1", "1"});
	auto uring = test::run_helper("io_uring_ops", {"openat", "/etc/hostname"});
	INFO("output: " << guard.output_text());
	// The exits prove guard saw the processes; nothing else of theirs came.
	REQUIRE(test::find_event(guard, "exit", run.pid));
	REQUIRE(test::find_event(guard, "exit", net.pid));
	REQUIRE(test::find_event(guard, "exit", uring.pid));
	CHECK_FALSE(test::find_event(guard, "file_open", run.pid, {}, std::chrono::milliseconds(0)));
	CHECK_FALSE(test::find_event(guard, "net_connect", net.pid, {}, std::chrono::milliseconds(0)));
	CHECK_FALSE(test::find_event(guard, "file_open", uring.pid, {}, std::chrono::milliseconds(0)));
}

TEST_CASE("--ring-pages and --proc-net-ring-pages size the two rings; a size that is no power of two is refused")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard({"--ring-pages", "16", "--proc-net-ring-pages", "32"});
	REQUIRE(!guard.wait_attached().empty());
	std::vector<size_t> sizes;
	for (const std::string &info : fdinfos(guard.pid()))
		if (info.find("map_type:\t27\n") != std::string::npos) { // BPF_MAP_TYPE_RINGBUF
			size_t at = info.find("max_entries:\t");
			REQUIRE(at != std::string::npos);
			sizes.push_back(std::stoul(info.substr(at + 13)));
		}
	std::sort(sizes.begin(), sizes.end());
	CHECK(sizes == std::vector<size_t>{16 * size_t(::getpagesize()), 32 * size_t(::getpagesize())});

	test::GuardProcess bad({"--ring-pages", "12"});
	CHECK(bad.wait_attached(std::chrono::seconds(2)).empty());
	CHECK(bad.stderr_text().find("--ring-pages must be a power of two") != std::string::npos);
	test::GuardProcess bad_proc_net({"--proc-net-ring-pages", "4"});
	CHECK(bad_proc_net.wait_attached(std::chrono::seconds(2)).empty());
	CHECK(bad_proc_net.stderr_text().find("--proc-net-ring-pages must be a power of two") != std::string::npos);
}

TEST_CASE("a full file ring: the kernel side counts the records it drops, by ring and by kind")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(GUARD_BPF_OBJECT));
	LoadOptions options;
	options.max_entries["file_events"] = static_cast<uint32_t>(::getpagesize()); // the smallest ring
	for (const ProgramSpec &p : spec.programs)
		if (p.name != "file_openat_enter" && p.name != "file_exit")
			options.skip_programs.push_back(p.name);
	Collection objects = Collection::load(spec, options);
	REQUIRE(objects.programs().size() == 2);
	std::vector<Link> links;
	for (const Program &p : objects.programs()) // file_exit serves more syscalls: here only openat
		links.push_back(attach_tracepoint(p.fd.get(), "syscalls",
						  p.spec->name == "file_exit" ? "sys_exit_openat" : "sys_enter_openat"));

	// Nobody reads the ring: a few hundred opens overflow one page.
	std::vector<std::string> args;
	for (int i = 0; i < 300; i++)
		args.insert(args.end(), {"openat", "-", "/dev/null", "0", "0"});
	test::run_helper("file_ops", args);
	links.clear();

	KernelDrops drops;
	read_kernel_drops(objects, drops);
	CHECK(drops.available);
	uint64_t total = 0;
	for (uint64_t n : drops.by_kind)
		total += n;
	CHECK(drops.by_kind[GUARD_RECORD_FILE_OPEN] > 0);
	CHECK(total == drops.by_kind[GUARD_RECORD_FILE_OPEN]);
	CHECK(drops.by_ring[GUARD_RING_FILE] == total);
	CHECK(drops.by_ring[GUARD_RING_PROC_NET] == 0);

	// What did fit is in the file ring, whole; none went to the other.
	const Map &events = objects.map("file_events");
	RingView ring(events.fd.get(), events.spec.max_entries);
	size_t records = ring.drain([](std::span<const uint8_t> r) { CHECK(r.size() >= sizeof(struct guard_file)); });
	CHECK(records > 0);
	CHECK(records + total >= 300);
	const Map &proc_net = objects.map("proc_net_events");
	CHECK(RingView(proc_net.fd.get(), proc_net.spec.max_entries).pending_bytes() == 0);
}

TEST_CASE("the agent's own process is excluded in the kernel")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(guard::read_file(GUARD_BPF_OBJECT));
	// This test process plays the agent.
	spec.set_global("guard_agent_tgid", read_global_tgid());
	LoadOptions options;
	for (const ProgramSpec &p : spec.programs)
		if (p.name != "file_openat_enter" && p.name != "file_exit")
			options.skip_programs.push_back(p.name);
	Collection objects = Collection::load(spec, options);
	std::vector<Link> links;
	for (const Program &p : objects.programs()) // file_exit serves more syscalls: here only openat
		links.push_back(attach_tracepoint(p.fd.get(), "syscalls",
						  p.spec->name == "file_exit" ? "sys_exit_openat" : "sys_enter_openat"));

	int fd = ::open("/etc/hostname", O_RDONLY | O_CLOEXEC); // ours: not reported
	REQUIRE(fd >= 0);
	::close(fd);
	auto child = test::run_helper("file_ops", {"openat", "-", "/etc/hostname", "0", "0"}); // reported
	links.clear();

	const Map &events = objects.map("file_events");
	RingView ring(events.fd.get(), events.spec.max_entries);
	size_t ours = 0, childs = 0;
	ring.drain([&](std::span<const uint8_t> r) {
		struct guard_header h;
		std::memcpy(&h, r.data(), sizeof(h));
		ours += h.pid == uint32_t(::getpid());
		childs += h.pid == uint32_t(child.pid);
	});
	CHECK(ours == 0);
	CHECK(childs >= 1);
}
