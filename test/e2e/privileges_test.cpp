// SPDX-License-Identifier: GPL-2.0-or-later
// What guard needs from the kernel and from its user, checked on the real
// kernel: every feature the table lists is here; a helper the kernel lacks
// is found and named; without privilege guard says which capabilities it
// needs; with exactly the documented ones (as a user, and as the unit's
// root) it runs and reports. And least privilege, seen from outside the
// running agent: its capability sets, no_new_privs and seccomp mode in
// /proc/PID/status; a system call that is not on its allow-list, made by the
// agent itself (injected with ptrace), is refused.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "base/error.h"
#include "loader/kernel_support.h"
#include "test/support/command.h"
#include "test/support/e2e_support.h"
#include "test/support/temp_dir.h"

using namespace guard;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// "Key:\tvalue" from /proc/<pid>/status.
std::string status_field(pid_t pid, const std::string &key)
{
	std::ifstream in("/proc/" + std::to_string(pid) + "/status");
	for (std::string line; std::getline(in, line);)
		if (line.rfind(key + ":", 0) == 0)
			return line.substr(line.find_first_not_of(" \t", key.size() + 1));
	return "";
}

// The first child process of pid ("guard-detach").
pid_t child_of(pid_t pid)
{
	for (const auto &e : std::filesystem::directory_iterator("/proc")) {
		std::string name = e.path().filename();
		if (name.find_first_not_of("0123456789") != std::string::npos)
			continue;
		if (status_field(std::stoi(name), "PPid") == std::to_string(pid))
			return std::stoi(name);
	}
	return -1;
}

// Runs guard (a copy any user may run) under setpriv with setpriv_args, its
// output in a directory of user's, until it reports an exec of /bin/true;
// returns guard's stderr and whether it did (and then exited 0 on SIGINT).
std::pair<std::string, bool> run_with(const std::vector<std::string> &setpriv_args, uid_t user)
{
	test::ScratchDir dir;
	const std::string binary = dir.path + "/guard", events = dir.path + "/out/events.jsonl";
	fs::copy_file(GUARD_BINARY, binary);
	fs::create_directory(dir.path + "/out");
	REQUIRE(::chown((dir.path + "/out").c_str(), user, user) == 0);
	test::Command c;
	c.argv = {"setpriv"};
	c.argv.insert(c.argv.end(), setpriv_args.begin(), setpriv_args.end());
	c.argv.insert(c.argv.end(), {binary, "--output", events});
	test::Spawned guard(c);
	bool attached = guard.wait_stderr("guard: attached ", 10s);
	bool seen = false;
	for (int i = 0; attached && i < 30 && !seen; i++) {
		pid_t child = test::run_and_wait("/bin/true");
		std::this_thread::sleep_for(100ms);
		seen = test::read_text(events).find("\"pid\":" + std::to_string(child) + ",") != std::string::npos;
	}
	int status = guard.stop(SIGINT);
	return {guard.stderr_text(), seen && WIFEXITED(status) && WEXITSTATUS(status) == 0};
}

#if defined(__x86_64__)
// Makes the thread tid (stopped in a system call, as guard's loop is in
// epoll_wait) run one more system call nr with args, through the syscall
// instruction it stopped after; returns what the call returned, then puts
// the thread back as it was. -ENOEXEC when the thread was not in a call.
long inject_syscall(pid_t tid, long nr, std::array<unsigned long, 3> args)
{
	if (::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0)
		return -errno;
	long result = -ENOEXEC;
	int status;
	for (int attempt = 0; attempt < 20 && result == -ENOEXEC; attempt++) {
		::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
		::waitpid(tid, &status, __WALL);
		struct user_regs_struct saved {};
		::ptrace(PTRACE_GETREGS, tid, nullptr, &saved);
		errno = 0;
		long word = ::ptrace(PTRACE_PEEKTEXT, tid, reinterpret_cast<void *>(saved.rip - 2), nullptr);
		if (errno != 0 || (word & 0xffff) != 0x050f) { // not just after a syscall instruction: let it run on
			::ptrace(PTRACE_CONT, tid, nullptr, nullptr);
			::usleep(2000);
			continue;
		}
		struct user_regs_struct regs = saved;
		regs.rip = saved.rip - 2;
		regs.rax = static_cast<unsigned long>(nr);
		regs.orig_rax = static_cast<unsigned long>(-1); // no restart of the interrupted call meanwhile
		regs.rdi = args[0];
		regs.rsi = args[1];
		regs.rdx = args[2];
		::ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
		::ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr); // to the call's entry
		::waitpid(tid, &status, __WALL);
		::ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr); // to its exit
		::waitpid(tid, &status, __WALL);
		::ptrace(PTRACE_GETREGS, tid, nullptr, &regs);
		result = static_cast<long>(regs.rax);
		::ptrace(PTRACE_SETREGS, tid, nullptr, &saved);
	}
	::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
	return result;
}
#endif

} // namespace

TEST_CASE("this kernel has every feature guard's table lists")
{
	REQUIRE(test::running_as_root());
	auto missing = missing_kernel_features(kernel_features());
	CHECK(missing.empty());
	CHECK(describe_missing(missing).empty());
}

TEST_CASE("a helper or kfunc the kernel does not have is found missing and named, with the release guard needs")
{
	REQUIRE(test::running_as_root());
	const KernelFeature features[] = {
		{"bpf_get_current_pid_tgid()", "4.2", BPF_FUNC_get_current_pid_tgid, {}, {}},
		{"bpf_from_the_future()", "99.0", 100000, {}, {}}, // no kernel has helper 100000
		{"a file that is not there", "98.1", 0, "/nonexistent/guard-feature", {}},
		{"the bpf_rdonly_cast() kfunc", "6.2", 0, {}, "bpf_rdonly_cast"},
		{"a kfunc from the future", "97.0", 0, {}, "bpf_guard_from_the_future"},
	};
	auto missing = missing_kernel_features(features);
	REQUIRE(missing.size() == 3);
	CHECK(missing[0]->name == "bpf_from_the_future()");
	CHECK(missing[1]->name == "a file that is not there");
	CHECK(missing[2]->name == "a kfunc from the future");
	std::string text = describe_missing(missing);
	CHECK(text.find("lacks bpf_from_the_future() (Linux 99.0), a file that is not there (Linux 98.1), a kfunc from "
			"the future (Linux 97.0): guard needs Linux " +
			std::string(minimum_kernel()) + " or later") != std::string::npos);
}

TEST_CASE("as a plain user with the documented capabilities, guard runs and reports; without CAP_DAC_READ_SEARCH, it says so")
{
	REQUIRE(test::running_as_root());
	const std::string caps = "+bpf,+perfmon,+dac_read_search,+sys_ptrace";
	auto [err, ran] = run_with({"--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=" + caps,
				    "--ambient-caps=" + caps},
				   65534);
	INFO(err);
	CHECK(ran);

	const std::string no_dac = "+bpf,+perfmon,+sys_ptrace";
	auto [refused, ran_without] = run_with({"--reuid=65534", "--regid=65534", "--clear-groups",
						 "--inh-caps=" + no_dac, "--ambient-caps=" + no_dac},
						65534);
	INFO(refused);
	CHECK(!ran_without);
	CHECK(refused.find("lacks CAP_DAC_READ_SEARCH") != std::string::npos); // tracefs is root's, mode 0700
}

TEST_CASE("as root with the unit's CapabilityBoundingSet only, guard runs and reports")
{
	REQUIRE(test::running_as_root());
	auto [err, ran] =
		run_with({"--bounding-set=-all,+bpf,+perfmon,+sys_ptrace", "--inh-caps=-all", "--no-new-privs"}, 0);
	INFO(err);
	CHECK(ran);
}

TEST_CASE("once attached, guard keeps CAP_DAC_READ_SEARCH only, sets no_new_privs and runs under a seccomp filter")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	const std::string dac_read_search = "0000000000000004"; // 1 << CAP_DAC_READ_SEARCH
	CHECK(status_field(guard.pid(), "CapEff") == dac_read_search);
	CHECK(status_field(guard.pid(), "CapPrm") == dac_read_search);
	CHECK(status_field(guard.pid(), "CapInh") == "0000000000000000");
	CHECK(status_field(guard.pid(), "CapBnd") == dac_read_search);
	CHECK(status_field(guard.pid(), "CapAmb") == "0000000000000000");
	CHECK(status_field(guard.pid(), "NoNewPrivs") == "1");
	CHECK(status_field(guard.pid(), "Seccomp") == "2");
	// The detach helper holds perf events and needs nothing at all.
	pid_t helper = child_of(guard.pid());
	REQUIRE(helper > 0);
	CHECK(status_field(helper, "Name") == "guard-detach");
	CHECK(status_field(helper, "CapEff") == "0000000000000000");
	CHECK(status_field(helper, "CapBnd") == "0000000000000000");
	CHECK(status_field(helper, "NoNewPrivs") == "1");
	// Still working: events flow.
	auto run = test::run_helper("file_ops", {"openat", "-", "/etc/hostname", "0", "0"});
	CHECK(guard.find_line([&](const std::string &l) { return l.find("\"pid\":" + std::to_string(run.pid) + ",") != std::string::npos; }));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("a system call off the allow-list, made by the running agent itself, is refused")
{
	REQUIRE(test::running_as_root());
#if defined(__x86_64__)
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	// On the list: getpid answers.
	CHECK(inject_syscall(guard.pid(), SYS_getpid, {0, 0, 0}) == guard.pid());
	// Off it: no socket (nor exec, fork, ptrace, mount, bpf prog load, ...).
	CHECK(inject_syscall(guard.pid(), SYS_socket, {AF_INET, SOCK_STREAM, 0}) == -EPERM);
	CHECK(inject_syscall(guard.pid(), SYS_fork, {0, 0, 0}) == -EPERM);
	// And guard runs on.
	auto run = test::run_helper("file_ops", {"openat", "-", "/etc/hostname", "0", "0"});
	CHECK(guard.find_line([&](const std::string &l) { return l.find("\"pid\":" + std::to_string(run.pid) + ",") != std::string::npos; }));
	CHECK(guard.stop(SIGTERM) == 0);
#else
	MESSAGE("the system call is injected with x86_64 registers: not checked on this architecture");
#endif
}

TEST_CASE("without root or the capabilities, guard says what it needs")
{
	REQUIRE(test::running_as_root());
	// A copy nobody's directories hide from uid 65534.
	test::TempDir dir("guard-nonroot");
	REQUIRE(::chmod(dir.path.c_str(), 0755) == 0);
	std::string copy = dir.path + "/guard";
	std::filesystem::copy_file(GUARD_BINARY, copy);
	REQUIRE(::chmod(copy.c_str(), 0755) == 0);
	int err[2];
	REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
	pid_t pid = ::fork();
	if (pid == 0) {
		::dup2(err[1], STDERR_FILENO);
		if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
			_exit(126);
		::execl(copy.c_str(), copy.c_str(), "--output", "/dev/null", nullptr);
		_exit(127);
	}
	::close(err[1]);
	std::string text;
	char buf[4096];
	ssize_t n;
	while ((n = ::read(err[0], buf, sizeof(buf))) > 0)
		text.append(buf, static_cast<size_t>(n));
	::close(err[0]);
	int status = 0;
	::waitpid(pid, &status, 0);
	CHECK(WEXITSTATUS(status) == 1);
	CHECK(text == "guard: needs root, or the capabilities CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE "
		      "(and CAP_SYS_ADMIN where tracefs is not mounted), to load its BPF programs and attach them to the "
		      "kernel's tracepoints; this process (uid 65534) lacks CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH: run it "
		      "with sudo\n");
}
