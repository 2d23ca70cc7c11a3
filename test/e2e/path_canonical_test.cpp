// SPDX-License-Identifier: GPL-2.0-or-later
// Spelling a path another way must not hide the file from the rules: opens of
// /etc/shadow through "/tmp/../etc/shadow" and through "../etc/shadow" from
// /usr raise SHADOW_READ with the path of the file the kernel opened, and
// keep the spelling the process used.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "test/support/e2e_support.h"

using namespace guard;

namespace {

// Opens path from dir in a child; returns the child's pid.
pid_t open_from(const char *dir, const char *path)
{
	pid_t pid = ::fork();
	if (pid == 0) {
		if (::chdir(dir) != 0)
			_exit(2);
		int fd = ::open(path, O_RDONLY | O_CLOEXEC);
		_exit(fd >= 0 ? 0 : 1);
	}
	int status = 0;
	::waitpid(pid, &status, 0);
	REQUIRE(WEXITSTATUS(status) == 0);
	return pid;
}

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("SHADOW_READ sees through .. in absolute and relative paths")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	struct Case {
		const char *dir, *path, *given;
	};
	for (Case c : {Case{"/", "/tmp/../etc/shadow", "/tmp/../etc/shadow"}, Case{"/usr", "../etc/shadow", "../etc/shadow"}}) {
		CAPTURE(c.path);
		pid_t pid = open_from(c.dir, c.path);
		std::string pid_field = "\"pid\":" + std::to_string(pid) + ",";
		auto alert = guard.find_line([&](const std::string &l) {
			return has(l, "\"type\":\"alert\"") && has(l, pid_field) && has(l, "\"rule\":\"SHADOW_READ\"");
		});
		auto event = guard.find_line([&](const std::string &l) {
			return has(l, "\"type\":\"file_open\"") && has(l, pid_field) && has(l, "shadow");
		});
		INFO("output: " << guard.output_text());
		REQUIRE(alert);
		REQUIRE(event);
		CHECK(has(*event, "\"path\":\"/etc/shadow\",\"path_given\":\"" + std::string(c.given) + "\""));
		CHECK(has(*alert, "\"path\":\"/etc/shadow\",\"path_given\":\"" + std::string(c.given) + "\""));
	}
	CHECK(guard.stop(SIGTERM) == 0);
}
