// SPDX-License-Identifier: GPL-2.0-or-later
// SUSPICIOUS_CONNECT by what a process runs, not only its name, and the
// executable's sha256 (exe_sha256) on its lines. One agent, the built-in
// rules:
//   - bash renames itself "updater" (/proc/self/comm, what prctl(PR_SET_NAME)
//     sets) and connects out through /dev/tcp: matched by its exe's path;
//   - a copy of python3 named "updater" in a fresh directory connects out:
//     no name says python, matched by content (its exe_sha256 is one of the
//     interpreters' the rule hashed at load); a later exec of the copy says
//     its exe_sha256 on its own line.
// Every connect is made in an empty network namespace to a documentation
// address: it fails at once and nothing leaves the machine.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "base/sha256.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;

namespace {

std::string sha256_of(const std::string &path)
{
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	REQUIRE(fd >= 0);
	Sha256::Digest d;
	REQUIRE(sha256_fd(fd, d));
	::close(fd);
	return sha256_hex(d);
}

// Starts argv without waiting for it.
pid_t spawn(const std::vector<std::string> &argv)
{
	pid_t pid = ::fork();
	if (pid == 0) {
		std::vector<char *> a;
		for (const std::string &s : argv)
			a.push_back(const_cast<char *>(s.c_str()));
		a.push_back(nullptr);
		::execv(a[0], a.data());
		::_exit(127);
	}
	return pid;
}

// A program that connects out every 50 ms for at most 10 s: its first
// connects may come before its executable's hash is known (the hash is
// taken off the hot path), a later one is matched.
constexpr const char *kConnectLoop = "import socket, time\n"
				     "for _ in range(200):\n"
				     "    try: socket.create_connection(('198.51.100.7', 443), timeout=1)\n"
				     "    except OSError: pass\n"
				     "    time.sleep(0.05)\n";

// Whether an alert for rule came from pid with every one of needles in its
// line, waiting up to timeout.
bool alerted_with(test::GuardProcess &guard, pid_t pid, const std::string &rule, std::vector<std::string> needles,
		  std::chrono::milliseconds timeout = std::chrono::seconds(3))
{
	needles.push_back("\"pid\":" + std::to_string(pid) + ",");
	needles.push_back("\"rule\":\"" + rule + "\"");
	return guard
		.find_line(
			[&](const std::string &l) {
				if (!l.starts_with("{\"type\":\"alert\""))
					return false;
				for (const std::string &n : needles)
					if (l.find(n) == std::string::npos)
						return false;
				return true;
			},
			timeout)
		.has_value();
}

} // namespace

TEST_CASE("renamed runtimes connecting out are SUSPICIOUS_CONNECT: by exe after a comm rename, by content as a copy")
{
	REQUIRE(test::running_as_root());
	std::string python = std::filesystem::canonical("/usr/bin/python3");
	char dir_template[] = "/tmp/guard-renamed-XXXXXX";
	REQUIRE(::mkdtemp(dir_template));
	std::string dir = dir_template, copy = dir + "/updater";
	struct RemoveAtEnd {
		std::string dir;
		~RemoveAtEnd() { std::filesystem::remove_all(dir); }
	} remove_at_end{dir};
	std::filesystem::copy_file(python, copy);
	std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
	std::string expected = sha256_of(python);

	test::GuardProcess guard; // the built-in rules
	REQUIRE(!guard.wait_attached().empty());
	INFO("output: " << guard.output_text());

	pid_t bash = test::run_and_wait("/usr/bin/unshare", {"-n", "/bin/bash", "-c",
							    "printf updater > /proc/self/comm; exec 3<>/dev/tcp/198.51.100.7/443"});
	CHECK(alerted_with(guard, bash, "SUSPICIOUS_CONNECT", {"\"comm\":\"updater\"", "\"exe\":\"/usr/bin/bash\""}));

	pid_t loop = spawn({"/usr/bin/unshare", "-n", copy, "-c", kConnectLoop});
	bool by_content = alerted_with(guard, loop, "SUSPICIOUS_CONNECT",
				       {"\"comm\":\"updater\"", "\"exe\":\"" + copy + "\",\"exe_sha256\":\"" + expected + "\""},
				       std::chrono::seconds(10));
	::kill(loop, SIGKILL);
	::waitpid(loop, nullptr, 0);
	CHECK(by_content);

	// The copy's hash is known now: its next exec line says it.
	pid_t again = test::run_and_wait(copy, {"-c", "pass"});
	CHECK(test::find_event(guard, "exec", again, test::field_is("exe_sha256", expected)) != nullptr);

	guard.stop(SIGTERM);
}
