// SPDX-License-Identifier: GPL-2.0-or-later
// Process events end to end: failed and fileless execs, forks of processes
// (not threads), exits, made by test/helpers/proc_ops.
#include <doctest/doctest.h>

#include <filesystem>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>

#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;
using test::field_is;

TEST_CASE("a failed execve is reported with its path, argv and errno")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("proc_ops", {"exec-fail", "/nonexistent/guard-prog", "one", "two words"});
	REQUIRE(run.out == "exec-fail errno=2\n");
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "exec_failed", run.pid);
	REQUIRE(ev);
	CHECK(ev->str("path") == "/nonexistent/guard-prog");
	CHECK(ev->flag("ok") == false);
	CHECK(ev->num("errno") == ENOENT);
	CHECK(ev->str("error") == "ENOENT");
	CHECK(ev->num("argc") == 3);
	simdjson::dom::array argv = ev->doc["argv"].get_array();
	REQUIRE(argv.size() == 3);
	CHECK(std::string_view(argv.at(0)) == "/nonexistent/guard-prog");
	CHECK(std::string_view(argv.at(1)) == "one");
	CHECK(std::string_view(argv.at(2)) == "two words");
	CHECK_FALSE(ev->has("argv_truncated"));
}

TEST_CASE("execveat of a memfd with AT_EMPTY_PATH is a fileless exec")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("proc_ops", {"memfd-exec"});
	REQUIRE(WIFEXITED(run.status));
	REQUIRE(WEXITSTATUS(run.status) == 0); // it ran /bin/true from the memfd
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "exec", run.pid, [](simdjson::dom::element doc) {
		bool b = false;
		return doc["fileless"].get_bool().get(b) == simdjson::SUCCESS && b;
	});
	REQUIRE(ev);
	CHECK(ev->flag("execveat"));
	// The file the kernel ran: a memfd, on no file system a path can reach.
	CHECK(ev->str("path") == "/memfd:guard-test");
	CHECK(ev->str("path_given").starts_with("/dev/fd/"));
	CHECK(ev->flag("memfd"));
	CHECK(ev->str("comm") == "memfd:guard-tes"); // the kernel names it after the memfd, cut to 15
}

TEST_CASE("fork of a process is reported with the child's pid; a thread is not")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto forked = test::run_helper("proc_ops", {"fork-exit", "3"});
	pid_t child = std::stoi(test::helper_value(forked.out, "child"));
	auto threaded = test::run_helper("proc_ops", {"thread"});
	pid_t thread = std::stoi(test::helper_value(threaded.out, "tid"));
	INFO("output: " << guard.output_text());

	auto fork = test::find_event(guard, "fork", forked.pid);
	REQUIRE(fork);
	CHECK(fork->num("child_pid") == child);
	CHECK(fork->num("child_tid") == child);
	CHECK((fork->num("clone_flags") & CLONE_THREAD) == 0);
	CHECK(fork->str("comm") == "proc_ops");

	// The child's own exit, and the parent's.
	CHECK(test::find_event(guard, "exit", child));
	CHECK(test::find_event(guard, "exit", forked.pid));

	// The thread helper's exit is there, so everything before it is too.
	REQUIRE(test::find_event(guard, "exit", threaded.pid));
	CHECK_FALSE(test::find_event(guard, "fork", threaded.pid, {}, std::chrono::milliseconds(0)));
	CHECK(thread != threaded.pid);
}

TEST_CASE("exit reports the exit code, or the signal that ended the process")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto exited = test::run_helper("proc_ops", {"fork-exit", "3"});
	pid_t code_child = std::stoi(test::helper_value(exited.out, "child"));
	auto killed = test::run_helper("proc_ops", {"fork-kill", std::to_string(SIGKILL)});
	pid_t signal_child = std::stoi(test::helper_value(killed.out, "child"));
	INFO("output: " << guard.output_text());

	auto code = test::find_event(guard, "exit", code_child);
	REQUIRE(code);
	CHECK(code->num("exit_code") == 3);
	CHECK(code->num("signal") == 0);
	CHECK(code->num("ppid") == exited.pid);
	auto sig = test::find_event(guard, "exit", signal_child);
	REQUIRE(sig);
	CHECK(sig->num("exit_code") == 0);
	CHECK(sig->num("signal") == SIGKILL);
}

TEST_CASE("exec reports argv and argc read from the new process; a memfd exec is flagged memfd")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	pid_t echo = test::run_and_wait("/bin/echo", {"first", "two words", ""});
	std::string long_arg(5000, 'x'); // more than the 4 KiB guard copies
	pid_t truncated = test::run_and_wait("/bin/true", {"short", long_arg});
	auto memfd = test::run_helper("proc_ops", {"memfd-exec", "arg1"});
	INFO("output: " << guard.output_text());

	auto ev = test::find_event(guard, "exec", echo);
	REQUIRE(ev);
	// The file the kernel ran, symlinks resolved (/bin is one on merged-/usr systems).
	CHECK(ev->str("path") == std::filesystem::canonical("/bin/echo").string());
	CHECK(ev->num("argc") == 4);
	simdjson::dom::array argv = ev->doc["argv"].get_array();
	REQUIRE(argv.size() == 4);
	CHECK(std::string_view(argv.at(0)) == "/bin/echo");
	CHECK(std::string_view(argv.at(1)) == "first");
	CHECK(std::string_view(argv.at(2)) == "two words");
	CHECK(std::string_view(argv.at(3)) == "");
	CHECK(ev->num("ppid") == ::getpid());
	CHECK_FALSE(ev->has("argv_truncated"));

	auto cut = test::find_event(guard, "exec", truncated);
	REQUIRE(cut);
	CHECK(cut->flag("argv_truncated"));
	CHECK(cut->num("argc") == 3);
	simdjson::dom::array cut_argv = cut->doc["argv"].get_array();
	REQUIRE(cut_argv.size() == 3);
	CHECK(std::string_view(cut_argv.at(1)) == "short");
	CHECK(std::string_view(cut_argv.at(2)).size() == 4096 - sizeof("/bin/true") - sizeof("short"));

	auto fileless = test::find_event(guard, "exec", memfd.pid, [](simdjson::dom::element doc) {
		bool b = false;
		return doc["memfd"].get_bool().get(b) == simdjson::SUCCESS && b;
	});
	REQUIRE(fileless);
	CHECK(fileless->flag("memfd"));
	CHECK(fileless->flag("fileless"));
	CHECK(fileless->num("argc") == 2);
}

namespace {

// The inode number of /proc/<pid>/ns/<name>: what mnt_ns and pid_ns hold.
uint64_t ns_inode(pid_t pid, const char *name)
{
	struct stat st {};
	std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
	REQUIRE(::stat(path.c_str(), &st) == 0);
	return st.st_ino;
}

// The cgroup v2 id of a process: the inode of its cgroup's directory, found
// under wherever cgroup2 is mounted here (/proc/self/mountinfo), which need
// not be /sys/fs/cgroup (a chroot, a container). 0 with why, when there is
// no such directory to look at.
uint64_t cgroup_id_of(pid_t pid, std::string &why)
{
	std::string path; // the cgroup, relative to the root of its hierarchy
	std::ifstream cgroup("/proc/" + std::to_string(pid) + "/cgroup");
	for (std::string line; std::getline(cgroup, line);)
		if (line.rfind("0::", 0) == 0)
			path = line.substr(3);
	if (path.empty()) {
		why = "the process is in no cgroup v2 hierarchy";
		return 0;
	}
	// mountinfo: id parent major:minor root mount-point options ... - fstype source ...
	std::ifstream mounts("/proc/self/mountinfo");
	for (std::string line; std::getline(mounts, line);) {
		std::istringstream fields(line);
		std::string id, parent, dev, root, point;
		fields >> id >> parent >> dev >> root >> point;
		size_t dash = line.find(" - ");
		if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0)
			continue;
		if (root != "/" && path.rfind(root, 0) != 0)
			continue; // a mount of another part of the hierarchy
		std::string dir = point + path.substr(root == "/" ? 0 : root.size());
		struct stat st {};
		if (::stat(dir.c_str(), &st) == 0)
			return st.st_ino;
	}
	why = "no cgroup2 mount here shows the cgroup " + path;
	return 0;
}
} // namespace

TEST_CASE("every record carries ppid, euid, mnt_ns, pid_ns and cgroup_id of its task")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("file_ops", {"openat", "-", "/etc/hostname", "0", "0"});
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "file_open", run.pid, field_is("path", "/etc/hostname"));
	REQUIRE(ev);
	CHECK(ev->num("ppid") == ::getpid());
	CHECK(ev->num("uid") == 0);
	CHECK(ev->num("euid") == 0);
	// The helper shares the test's namespaces and cgroup.
	CHECK(uint64_t(ev->num("mnt_ns")) == ns_inode(::getpid(), "mnt"));
	CHECK(uint64_t(ev->num("pid_ns")) == ns_inode(::getpid(), "pid"));
	std::string why;
	uint64_t cgroup = cgroup_id_of(::getpid(), why);
	if (cgroup)
		CHECK(uint64_t(ev->num("cgroup_id")) == cgroup);
	else
		MESSAGE("cgroup_id not compared with a directory's inode: " << why);
	CHECK(ev->num("cgroup_id") > 0);
}
