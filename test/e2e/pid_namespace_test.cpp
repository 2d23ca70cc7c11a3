// SPDX-License-Identifier: GPL-2.0-or-later
// Self-exclusion by the agent's global tgid (issue 11, point 6). The kernel
// side skips the agent's syscalls by comparing bpf_get_current_pid_tgid() >> 32,
// a host-numbered tgid, with guard_agent_tgid. Were that getpid(), an agent
// in a pid namespace would blind itself to the host process whose pid equals
// its namespaced one, and report its own syscalls. Here the equality is made
// on purpose: guard runs under `unshare -p -f -m` (test/helpers/pid_ns_init.c
// mounts the namespace's /proc) with the pid, in
// its namespace, of a host process that then does things.
#include <doctest/doctest.h>

#include <sched.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "loader/global_tgid.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/files.h"

using namespace guard;
using namespace std::chrono_literals;

namespace {

// The NSpid line of /proc/PID/status: the pid in each pid namespace the
// process is in, outermost first. Empty when the process is gone.
std::vector<pid_t> ns_pids(pid_t pid, pid_t *parent = nullptr)
{
	std::ifstream in("/proc/" + std::to_string(pid) + "/status");
	std::vector<pid_t> out;
	for (std::string line; std::getline(in, line);) {
		std::istringstream fields(line.substr(line.find(':') + 1));
		if (line.rfind("PPid:", 0) == 0 && parent)
			fields >> *parent;
		else if (line.rfind("NSpid:", 0) == 0)
			for (pid_t p; fields >> p;)
				out.push_back(p);
	}
	return out;
}

// The host pid of the child of `parent` that has pid ns_pid in its own
// (innermost) pid namespace; -1 when there is none.
pid_t host_pid_of_child(pid_t parent, pid_t ns_pid)
{
	for (const auto &entry : std::filesystem::directory_iterator("/proc")) {
		const std::string name = entry.path().filename();
		if (name.find_first_not_of("0123456789") != std::string::npos)
			continue;
		pid_t pid = std::stoi(name), ppid = -1;
		std::vector<pid_t> ids = ns_pids(pid, &ppid);
		if (ppid == parent && ids.size() >= 2 && ids.back() == ns_pid)
			return pid;
	}
	return -1;
}

// A host process that waits until go() before it runs file_ops to open
// `path` n times: its exec, its opens and its exit are what guard must see.
class Victim {
public:
	Victim(const std::string &path, int n)
	{
		REQUIRE(::pipe(go_) == 0);
		pid_ = ::fork();
		if (pid_ == 0) {
			char c;
			::close(go_[1]);
			if (::read(go_[0], &c, 1) != 1)
				_exit(3);
			std::vector<std::string> args{std::string(GUARD_HELPERS_DIR) + "/file_ops"};
			for (int i = 0; i < n; i++)
				args.insert(args.end(), {"openat", "-", path, "0", "0"});
			test::exec_or_die(args);
		}
		::close(go_[0]);
	}
	~Victim()
	{
		if (go_[1] >= 0)
			::close(go_[1]);
		if (!reaped_)
			::waitpid(pid_, nullptr, 0);
	}
	pid_t pid() const { return pid_; }
	int go()
	{
		int status = -1;
		CHECK(::write(go_[1], "g", 1) == 1);
		::close(go_[1]);
		go_[1] = -1;
		::waitpid(pid_, &status, 0);
		reaped_ = true;
		return status;
	}

private:
	int go_[2] = {-1, -1};
	pid_t pid_ = -1;
	bool reaped_ = false;
};

// The "pid" of every output line.
std::vector<uint64_t> pids_of_lines(const std::string &text)
{
	simdjson::dom::parser parser;
	std::vector<uint64_t> pids;
	std::istringstream lines(text);
	for (std::string line; std::getline(lines, line);) {
		simdjson::dom::element doc;
		uint64_t pid = 0;
		if (parser.parse(line).get(doc) == simdjson::SUCCESS && doc["pid"].get_uint64().get(pid) == simdjson::SUCCESS)
			pids.push_back(pid);
	}
	return pids;
}

} // namespace

TEST_CASE("read_global_tgid: the host's pid, also in a new pid namespace where getpid() is 1")
{
	REQUIRE(test::running_as_root());
	CHECK(read_global_tgid() == uint32_t(::getpid()));

	// The child unshares its pid namespace; its own child is pid 1 there.
	// That one reports getpid() and read_global_tgid(), then the child
	// reports the pid its fork returned, which is in our numbering.
	int report[2];
	REQUIRE(::pipe(report) == 0);
	pid_t outer = ::fork();
	if (outer == 0) {
		if (::unshare(CLONE_NEWPID) != 0)
			_exit(2);
		pid_t inner = ::fork();
		if (inner == 0) {
			uint32_t seen[2] = {uint32_t(::getpid()), 0};
			try {
				seen[1] = read_global_tgid();
			} catch (const Error &) {
			}
			_exit(::write(report[1], seen, sizeof(seen)) == sizeof(seen) ? 0 : 3);
		}
		::waitpid(inner, nullptr, 0);
		_exit(::write(report[1], &inner, sizeof(inner)) == sizeof(inner) ? 0 : 3);
	}
	::close(report[1]);
	uint32_t seen[2] = {};
	pid_t inner = -1;
	CHECK(::read(report[0], seen, sizeof(seen)) == sizeof(seen));
	CHECK(::read(report[0], &inner, sizeof(inner)) == sizeof(inner));
	::close(report[0]);
	int status = -1;
	::waitpid(outer, &status, 0);
	CHECK(status == 0);
	CHECK(seen[0] == 1);
	CHECK(seen[1] == uint32_t(inner));
}

TEST_CASE("read_global_tgid without the right to load BPF: a GlobalTgidError that names the step")
{
	REQUIRE(test::running_as_root());
	int report[2];
	REQUIRE(::pipe(report) == 0);
	pid_t child = ::fork();
	if (child == 0) { // as nobody: BPF_PROG_LOAD of this type needs CAP_BPF
		std::string message = "no error";
		if (::setgid(65534) != 0 || ::setuid(65534) != 0)
			message = "could not drop root";
		try {
			read_global_tgid();
		} catch (const GlobalTgidError &e) {
			message = e.what();
		} catch (const Error &e) {
			message = std::string("untyped: ") + e.what();
		}
		_exit(::write(report[1], message.data(), message.size()) == ssize_t(message.size()) ? 0 : 3);
	}
	::close(report[1]);
	char buf[4096];
	ssize_t n = ::read(report[0], buf, sizeof(buf));
	::close(report[0]);
	::waitpid(child, nullptr, 0);
	REQUIRE(n > 0);
	CHECK(std::string(buf, size_t(n)) ==
	      "learn the agent's global tgid: load program global_tgid: BPF_PROG_LOAD: Operation not permitted");
}

TEST_CASE("guard in a pid namespace, with the pid there of a host process: that process is seen, guard is not")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-pidns");
	std::string target = dir.write("target", "x");
	std::string rules = dir.write("rules.json", R"({"rules": [{"id": "PIDNS", "severity": "low",
		"events": ["exec"], "match": {"field": "path", "prefix": "/nonexistent/"}}]})");
	constexpr int kOpens = 5;
	Victim victim(target, kOpens);

	// guard gets, in its new pid namespace, the victim's host pid.
	test::GuardProcess guard({"--rules", rules},
				 {"/usr/bin/unshare", "-p", "-f", "-m", "--propagation", "unchanged", "--kill-child",
				  std::string(GUARD_HELPERS_DIR) + "/pid_ns_init", std::to_string(victim.pid())});
	REQUIRE(!guard.wait_attached().empty());
	INFO("stderr: " << guard.stderr_text());
	pid_t init = host_pid_of_child(guard.pid(), 1);
	REQUIRE(init > 0);
	pid_t agent = host_pid_of_child(init, victim.pid());
	REQUIRE(agent > 0);
	CHECK(agent != victim.pid());
	CHECK(ns_pids(agent).back() == victim.pid()); // the equality the test is about
	guard.send_signals_to(agent); // unshare(1) does not pass signals on

	// guard's own syscalls after attaching: SIGHUP reopens its output and
	// reads the rules file again. None of them may be reported.
	guard.signal(SIGHUP);
	REQUIRE(guard.find_line([](const std::string &l) { return l.find("\"type\":\"reload\"") != std::string::npos; }));

	CHECK(victim.go() == 0);
	INFO("output: " << guard.output_text());
	CHECK(test::find_event(guard, "exec", victim.pid()));
	CHECK(test::find_event(guard, "exit", victim.pid()));
	CHECK(guard.stop(SIGINT) == 0);

	size_t opens = 0;
	std::istringstream lines(guard.output_text());
	for (std::string line; std::getline(lines, line);)
		opens += line.find("\"type\":\"file_open\"") != std::string::npos &&
			 line.find("\"pid\":" + std::to_string(victim.pid()) + ",") != std::string::npos &&
			 line.find("\"path\":\"" + target + "\"") != std::string::npos;
	CHECK(opens == kOpens);
	std::vector<uint64_t> pids = pids_of_lines(guard.output_text());
	CHECK(pids.size() > kOpens);
	CHECK(std::count(pids.begin(), pids.end(), uint64_t(agent)) == 0);
}
