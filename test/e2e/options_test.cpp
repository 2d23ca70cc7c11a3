// SPDX-License-Identifier: GPL-2.0-or-later
// The agent's telemetry options on the real kernel: a family that is
// switched off is not attached at all; the ring has the size asked for; when
// the ring is full the kernel side counts what it drops, by kind.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/kernel_drops.h"
#include "loader/collection.h"
#include "loader/object_spec.h"
#include "loader/ring_view.h"
#include "loader/tracepoint.h"
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

TEST_CASE("--disable file --disable network attaches the process programs only")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard({"--disable", "file", "--disable", "network"});
	std::string attached = guard.wait_attached();
	INFO("stderr: " << guard.stderr_text());
	REQUIRE(attached.find("attached 10 programs at 11 tracepoints (process 11) in ") != std::string::npos);
	CHECK(test::programs_held_by(guard.pid()).size() == 10);

	auto run = test::run_helper("file_ops", {"openat", "-", "/etc/hostname", "0", "0"});
	auto net = test::run_helper("net_ops", {"connect4", "127.0.0.1", "1"});
	INFO("output: " << guard.output_text());
	// The exits prove guard saw the processes; nothing else of theirs came.
	REQUIRE(test::find_event(guard, "exit", run.pid));
	REQUIRE(test::find_event(guard, "exit", net.pid));
	CHECK_FALSE(test::find_event(guard, "file_open", run.pid, {}, std::chrono::milliseconds(0)));
	CHECK_FALSE(test::find_event(guard, "net_connect", net.pid, {}, std::chrono::milliseconds(0)));
}

TEST_CASE("--ring-pages sets the ring's size; a size that is no power of two is refused")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard({"--ring-pages", "16"});
	REQUIRE(!guard.wait_attached().empty());
	size_t rings = 0;
	const std::string expected = "max_entries:\t" + std::to_string(16 * ::getpagesize()) + "\n";
	for (const std::string &info : fdinfos(guard.pid()))
		if (info.find("map_type:\t27\n") != std::string::npos) { // BPF_MAP_TYPE_RINGBUF
			rings++;
			CHECK(info.find(expected) != std::string::npos);
		}
	CHECK(rings == 1);

	test::GuardProcess bad({"--ring-pages", "12"});
	CHECK(bad.wait_attached(std::chrono::seconds(2)).empty());
	CHECK(bad.stderr_text().find("power of two") != std::string::npos);
}

TEST_CASE("a full ring: the kernel side counts the records it drops, by kind")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(test::read_file_bytes(GUARD_BPF_OBJECT));
	LoadOptions options;
	options.max_entries["events"] = static_cast<uint32_t>(::getpagesize()); // the smallest ring
	for (const ProgramSpec &p : spec.programs)
		if (p.name != "file_openat_enter" && p.name != "file_exit")
			options.skip_programs.push_back(p.name);
	Collection objects = Collection::load(spec, options);
	REQUIRE(objects.programs().size() == 2);
	std::vector<TracepointLink> links;
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
	read_kernel_drops(objects.map("drops").fd.get(), drops);
	CHECK(drops.available);
	uint64_t total = 0;
	for (uint64_t n : drops.by_kind)
		total += n;
	CHECK(drops.by_kind[GUARD_RECORD_FILE_OPEN] > 0);
	CHECK(total == drops.by_kind[GUARD_RECORD_FILE_OPEN]);

	// What did fit is in the ring, whole.
	const Map &events = objects.map("events");
	RingView ring(events.fd.get(), events.spec.max_entries);
	size_t records = ring.drain([](std::span<const uint8_t> r) { CHECK(r.size() >= sizeof(struct guard_file)); });
	CHECK(records > 0);
	CHECK(records + total >= 300);
}

TEST_CASE("the agent's own process is excluded in the kernel")
{
	REQUIRE(test::running_as_root());
	ObjectSpec spec = read_object_spec(test::read_file_bytes(GUARD_BPF_OBJECT));
	// This test process plays the agent.
	spec.set_global("guard_agent_tgid", static_cast<uint32_t>(::getpid()));
	LoadOptions options;
	for (const ProgramSpec &p : spec.programs)
		if (p.name != "file_openat_enter" && p.name != "file_exit")
			options.skip_programs.push_back(p.name);
	Collection objects = Collection::load(spec, options);
	std::vector<TracepointLink> links;
	for (const Program &p : objects.programs()) // file_exit serves more syscalls: here only openat
		links.push_back(attach_tracepoint(p.fd.get(), "syscalls",
						  p.spec->name == "file_exit" ? "sys_exit_openat" : "sys_enter_openat"));

	int fd = ::open("/etc/hostname", O_RDONLY | O_CLOEXEC); // ours: not reported
	REQUIRE(fd >= 0);
	::close(fd);
	auto child = test::run_helper("file_ops", {"openat", "-", "/etc/hostname", "0", "0"}); // reported
	links.clear();

	const Map &events = objects.map("events");
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
