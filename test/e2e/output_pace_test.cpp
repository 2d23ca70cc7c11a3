// SPDX-License-Identifier: GPL-2.0-or-later
// stdout a pipe whose reader falls behind (engine/output_pace.h): the
// records wait in the rings while it catches up, and every line arrives.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "test/support/e2e_support.h"
#include "test/support/exec.h"
#include "test/support/temp_dir.h"

using namespace guard;
using namespace std::chrono_literals;

namespace {

size_t count(const std::string &s, const std::string &needle)
{
	size_t n = 0;
	for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + needle.size()))
		n++;
	return n;
}

// guard with stdout a pipe the test reads when it chooses to.
struct GuardOnPipe {
	pid_t pid = -1;
	int out = -1;
	std::string err_path, text;

	explicit GuardOnPipe(const std::string &dir) : err_path(dir + "/stderr")
	{
		int fds[2];
		REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
		pid = ::fork();
		if (pid == 0) {
			::dup2(fds[1], STDOUT_FILENO);
			int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			::dup2(e, STDERR_FILENO);
			test::exec_or_die({GUARD_BINARY});
		}
		::close(fds[1]);
		out = fds[0];
	}
	~GuardOnPipe()
	{
		if (pid > 0) {
			::kill(pid, SIGKILL);
			::waitpid(pid, nullptr, 0);
		}
		::close(out);
	}
	std::string err() const { return test::read_text(err_path); }
	// Reads what arrives until done() or the time is up (false).
	template <class Done> bool read_until(Done done, std::chrono::milliseconds limit)
	{
		auto until = std::chrono::steady_clock::now() + limit;
		char buf[1 << 16];
		while (!done()) {
			if (std::chrono::steady_clock::now() >= until)
				return false;
			struct pollfd p {out, POLLIN, 0};
			if (::poll(&p, 1, 20) <= 0)
				continue;
			ssize_t n = ::read(out, buf, sizeof(buf));
			if (n <= 0)
				return done();
			text.append(buf, static_cast<size_t>(n));
		}
		return true;
	}
	// SIGTERM, then everything to the end of the pipe: the exit status.
	int stop()
	{
		::kill(pid, SIGTERM);
		read_until([] { return false; }, 5s);
		int status = 0;
		::waitpid(pid, &status, 0);
		pid = -1;
		return status;
	}
};

} // namespace

TEST_CASE("stdout a pipe whose reader pauses in a burst: the records wait in the rings and every line arrives")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-pace");
	GuardOnPipe guard(dir.path);
	REQUIRE(guard.read_until([&] { return guard.err().find("guard: attached ") != std::string::npos; }, 10s));
	// 8,000 opens while the test does not read, and half a second after:
	// about 3 MB of lines (the pipe holds 64 KiB, guard's buffer 1 MiB),
	// about 2 MB of records (the file ring holds 4 MiB).
	std::vector<std::string> args;
	for (int i = 0; i < 8000; i++)
		args.insert(args.end(), {"openat", "-", "/etc/hostname", "0", "0"});
	std::string burst = "\"pid\":" + std::to_string(test::run_helper("file_ops", args).pid) + ",";
	std::this_thread::sleep_for(500ms);
	INFO("stderr: " << guard.err());
	CHECK(guard.read_until([&] { return count(guard.text, burst) >= 8000; }, 20s));
	CHECK(guard.stop() == 0);
	CHECK(count(guard.text, burst) >= 8000);
	// Nothing lost, and nothing said: a reader behind is not a fault.
	size_t health = guard.text.rfind("{\"type\":\"health\"");
	REQUIRE(health != std::string::npos);
	CHECK(guard.text.find("\"final\":true", health) != std::string::npos);
	CHECK(guard.text.find("\"output_lines\":0,", health) != std::string::npos);
	CHECK(guard.err().find("Resource temporarily unavailable") == std::string::npos);
}
