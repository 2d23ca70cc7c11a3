// SPDX-License-Identifier: GPL-2.0-or-later
// The benchmark floor (tools/bench/floor.cpp) must attach exactly what guard
// attaches, with programs that do nothing, and leave nothing behind: every
// "guard / floor" ratio in docs/benchmarks.md rests on that.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "loader/bpf_syscall.h"
#include "test/support/e2e_support.h"

using namespace guard;

namespace {

// "attached N programs (...) in X ms" -> N
size_t programs_in(const std::string &line)
{
	size_t at = line.find("attached ");
	return at == std::string::npos ? 0 : std::stoul(line.substr(at + 9));
}

// "attached N programs (process 11, file 38) in X ms" -> "process 11, file 38"
std::string families_in(const std::string &line)
{
	size_t open = line.find(" (");
	size_t close = line.find(") in ");
	return open == std::string::npos || close == std::string::npos ? line : line.substr(open + 2, close - open - 2);
}

struct bpf_prog_info program_info(uint32_t id)
{
	union bpf_attr attr {};
	attr.prog_id = id;
	Fd fd(static_cast<int>(sys_bpf(BPF_PROG_GET_FD_BY_ID, attr)));
	REQUIRE(fd.valid());
	struct bpf_prog_info info {};
	union bpf_attr get {};
	get.info.bpf_fd = static_cast<uint32_t>(fd.get());
	get.info.info_len = sizeof(info);
	get.info.info = reinterpret_cast<uint64_t>(&info);
	REQUIRE(sys_bpf(BPF_OBJ_GET_INFO_BY_FD, get) == 0);
	return info;
}

// The names of the programs process pid holds, sorted (the kernel keeps 15 characters).
std::vector<std::string> program_names(pid_t pid)
{
	std::vector<std::string> names;
	for (uint32_t id : test::programs_held_by(pid))
		names.push_back(program_info(id).name);
	std::sort(names.begin(), names.end());
	return names;
}

// The floor's "attached" line, after any line about a tracepoint this
// kernel lacks; when it never came (the floor failed), its first line.
std::string read_attached_line(int fd)
{
	const std::string needle = "guard-floor: attached ";
	std::string text;
	char buf[1024];
	while (text.find(needle) == std::string::npos || text.find('\n', text.find(needle)) == std::string::npos) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n <= 0)
			return text.substr(0, text.find('\n'));
		text.append(buf, static_cast<size_t>(n));
	}
	size_t at = text.find(needle);
	return text.substr(at, text.find('\n', at) - at);
}

} // namespace

TEST_CASE("the floor attaches guard's tracepoints with empty programs and detaches on SIGINT")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	std::string guard_line = guard.wait_attached();
	INFO("guard stderr: " << guard.stderr_text());
	REQUIRE(!guard_line.empty());
	std::vector<std::string> guard_programs = program_names(guard.pid());
	guard.stop(SIGTERM);

	int err[2];
	REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
	pid_t floor = ::fork();
	if (floor == 0) {
		::dup2(err[1], STDERR_FILENO);
		::execl(GUARD_FLOOR, GUARD_FLOOR, "--object", GUARD_BPF_OBJECT, static_cast<char *>(nullptr));
		_exit(127);
	}
	::close(err[1]);
	std::string floor_line = read_attached_line(err[0]);
	::close(err[0]);
	INFO("floor: " << floor_line);
	CHECK(floor_line.rfind("guard-floor: attached ", 0) == 0);
	CHECK(programs_in(floor_line) == programs_in(guard_line));
	CHECK(families_in(floor_line) == families_in(guard_line));
	CHECK(program_names(floor) == guard_programs);

	std::vector<uint32_t> ours = test::programs_held_by(floor);
	CHECK(!ours.empty());
	for (uint32_t id : ours)
		CHECK(program_info(id).xlated_prog_len == 2 * sizeof(struct bpf_insn)); // r0 = 0; exit

	REQUIRE(::kill(floor, SIGINT) == 0);
	int status = 0;
	REQUIRE(::waitpid(floor, &status, 0) == floor);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
	auto after = test::loaded_program_ids();
	for (uint32_t id : ours)
		CHECK(std::find(after.begin(), after.end(), id) == after.end());
}

TEST_CASE("the floor skips a disabled family as guard does")
{
	REQUIRE(test::running_as_root());
	int err[2];
	REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
	pid_t floor = ::fork();
	if (floor == 0) {
		::dup2(err[1], STDERR_FILENO);
		::execl(GUARD_FLOOR, GUARD_FLOOR, "--object", GUARD_BPF_OBJECT, "--disable", "network", "--disable", "file",
			"--disable", "io_uring", "--disable", "privilege", static_cast<char *>(nullptr));
		_exit(127);
	}
	::close(err[1]);
	std::string line = read_attached_line(err[0]);
	::close(err[0]);
	INFO("floor: " << line);
	CHECK(families_in(line).rfind("process ", 0) == 0);
	CHECK(families_in(line).find(',') == std::string::npos); // process only
	std::vector<std::string> names = program_names(floor);
	CHECK(!names.empty());
	for (const std::string &n : names)
		CHECK(n.rfind("process_", 0) == 0);
	::kill(floor, SIGINT);
	int status = 0;
	REQUIRE(::waitpid(floor, &status, 0) == floor);
	CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the floor names the object it cannot read")
{
	REQUIRE(test::running_as_root());
	int err[2];
	REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
	pid_t floor = ::fork();
	if (floor == 0) {
		::dup2(err[1], STDERR_FILENO);
		::execl(GUARD_FLOOR, GUARD_FLOOR, "--object", "/nonexistent/guard.bpf.o", static_cast<char *>(nullptr));
		_exit(127);
	}
	::close(err[1]);
	std::string line = read_attached_line(err[0]);
	::close(err[0]);
	int status = 0;
	REQUIRE(::waitpid(floor, &status, 0) == floor);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 1);
	CHECK(line == "guard-floor: read /nonexistent/guard.bpf.o: No such file or directory");
}
