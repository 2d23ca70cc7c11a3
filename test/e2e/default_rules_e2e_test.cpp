// SPDX-License-Identifier: GPL-2.0-or-later
// The built-in rules added for issue 19 on real attacker procedures, one
// agent for all of them (each check waits for its alert and moves on): a
// script run from /tmp by sh, a payload decoded into sh, setuid bits,
// history tampering with rm, ln and a shell redirection, a private key read
// by cat, an exec from "..." and from a dot directory, a program named sshd
// run from /tmp, tar and cp of a .ssh directory into /tmp, and sh with its
// standard streams on a loopback TCP connection and on a socketpair. Everything
// happens in temporary directories that are removed afterwards.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "base/fd.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/temp_dir.h"

using namespace guard;
using test::alerted;

namespace {

// Forks, runs act in the child (its return value is the exit status), waits.
template <class Act>
pid_t in_child(Act act)
{
	pid_t pid = ::fork();
	if (pid == 0)
		_exit(act());
	::waitpid(pid, nullptr, 0);
	return pid;
}

// Runs sh -c 'exit 0' with stdin and stdout on sock; waits.
pid_t shell_on(int sock)
{
	return in_child([&] {
		if (::dup2(sock, 0) < 0 || ::dup2(sock, 1) < 0)
			return 1;
		::execl("/bin/sh", "sh", "-c", "exit 0", static_cast<char *>(nullptr));
		return 127;
	});
}

} // namespace

TEST_CASE("the default rules on real procedures: script from /tmp, decode and run, setuid, history, keys, masquerading, staging")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-rules");
	test::TempDir hidden(".guard-rules");
	test::GuardProcess guard; // the built-in rules
	REQUIRE(!guard.wait_attached().empty());
	INFO("output: " << guard.output_text());

	// SCRIPT_FROM_TMP: sh running a script kept in /tmp.
	std::string script = dir.write("x.sh", "exit 0\n");
	pid_t sh = test::run_and_wait("/bin/sh", {script});
	CHECK(alerted(guard, sh, "SCRIPT_FROM_TMP", "\"attack\":[\"T1059.004\",\"T1059.006\"]"));

	// DECODE_AND_RUN: "exit 0" decoded and piped into sh.
	pid_t decoded = test::run_and_wait("/bin/sh", {"-c", "echo ZXhpdCAw | base64 -d | sh"});
	CHECK(alerted(guard, decoded, "DECODE_AND_RUN", "\"attack\":[\"T1140\",\"T1059.004\"]"));

	// SETUID_BIT_SET and SETUID_FILE_CREATED.
	std::string plain = dir.write("f", "x");
	pid_t chmodder = in_child([&] { return ::chmod(plain.c_str(), 04755) == 0 ? 0 : 1; });
	CHECK(alerted(guard, chmodder, "SETUID_BIT_SET", "\"attack\":[\"T1548.001\"]"));
	std::string made = dir.path + "/g";
	pid_t creator = in_child([&] { return ::open(made.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 02755) >= 0 ? 0 : 1; });
	CHECK(alerted(guard, creator, "SETUID_FILE_CREATED"));

	// History: emptied by a shell redirection, removed by rm, replaced by a
	// link to /dev/null by ln -sf (a link under a temporary name renamed over it).
	std::string history = dir.write(".bash_history", "id\n");
	pid_t emptied = test::run_and_wait("/bin/sh", {"-c", ": > " + history});
	CHECK(alerted(guard, emptied, "HISTORY_TRUNCATED", "\"attack\":[\"T1070.003\"]"));
	pid_t removed = test::run_and_wait("/bin/rm", {history});
	CHECK(alerted(guard, removed, "HISTORY_REMOVED"));
	dir.write(".bash_history", "id\n");
	pid_t linked = test::run_and_wait("/bin/ln", {"-sf", "/dev/null", history});
	CHECK(alerted(guard, linked, "HISTORY_REMOVED"));

	// CREDENTIAL_FILE_READ: cat of a private key.
	std::filesystem::create_directories(dir.path + "/home/.ssh");
	std::string key = dir.write("home/.ssh/id_ed25519", ""); // cat prints nothing
	pid_t cat = test::run_and_wait("/bin/cat", {key});
	CHECK(alerted(guard, cat, "CREDENTIAL_FILE_READ", "\"attack\":[\"T1552.004\",\"T1552.001\"]"));

	// MASQUERADING_DIR_EXEC: a program run from "..." and from a dot directory in /tmp.
	std::filesystem::create_directories(dir.path + "/...");
	for (const std::string &copy : {dir.path + "/.../true", hidden.path + "/true"}) {
		std::filesystem::copy_file("/bin/true", copy);
		pid_t ran = test::run_and_wait(copy);
		CHECK(alerted(guard, ran, "MASQUERADING_DIR_EXEC", "\"attack\":[\"T1564.001\",\"T1036.005\"]"));
	}

	// MASQUERADING_NAME: a program run under a system daemon's name from /tmp.
	std::string sshd = dir.path + "/sshd";
	std::filesystem::copy_file("/bin/true", sshd);
	pid_t fake = test::run_and_wait(sshd);
	CHECK(alerted(guard, fake, "MASQUERADING_NAME", "\"attack\":[\"T1036.004\",\"T1036.005\"]"));

	// ARCHIVE_TO_TMP: tar and cp of a .ssh directory into /tmp.
	pid_t tar = test::run_and_wait("/bin/tar", {"cf", dir.path + "/k.tar", "-C", dir.path + "/home", ".ssh"});
	CHECK(alerted(guard, tar, "ARCHIVE_TO_TMP", "\"attack\":[\"T1560.001\",\"T1074.001\"]"));
	pid_t cp = test::run_and_wait("/bin/cp", {"-r", dir.path + "/home/.ssh", dir.path + "/staged"});
	CHECK(alerted(guard, cp, "ARCHIVE_TO_TMP"));

	// REVERSE_SHELL: sh with stdin and stdout on a loopback TCP connection to
	// a listener of this test; with them on a socketpair, stdio_socket only.
	Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	sockaddr_in addr{};
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(addr);
	REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr *>(&addr), len) == 0);
	REQUIRE(::listen(listener.get(), 1) == 0);
	REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr *>(&addr), &len) == 0);
	Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr *>(&addr), len) == 0);
	pid_t reverse = shell_on(client.get());
	CHECK(alerted(guard, reverse, "REVERSE_SHELL", "\"attack\":[\"T1059.004\",\"T1095\"]"));
	CHECK(alerted(guard, reverse, "REVERSE_SHELL", "\"stdio_inet\":true"));
	int pair[2];
	REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
	Fd left(pair[0]), right(pair[1]);
	pid_t local = shell_on(left.get());
	CHECK(guard.find_line([&](const std::string &l) {
		return l.find("\"type\":\"exec\"") != std::string::npos && l.find("\"pid\":" + std::to_string(local) + ",") != std::string::npos &&
		       l.find("\"stdio_socket\":true") != std::string::npos && l.find("stdio_inet") == std::string::npos;
	}));
}
