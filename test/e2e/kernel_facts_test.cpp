// SPDX-License-Identifier: GPL-2.0-or-later
// Facts from the kernel, tried as an attacker would: every way of naming a
// file, and every argument rewritten from a second thread while the call
// runs, must still report what the kernel did (docs/schema.md, "Where each
// field comes from"). Each evasion is made for real by a helper in
// test/helpers/; nothing leaves the machine (connects run in an empty
// network namespace with documentation addresses on its own loopback).
#include <doctest/doctest.h>

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;
using test::alerted;
using test::field_is;

namespace {

// A fresh directory under parent, removed with everything in it.
struct TempDir {
	std::string path;
	explicit TempDir(const std::string &parent = "/tmp")
	{
		std::string tmpl = parent + "/guard-facts-XXXXXX";
		REQUIRE(::mkdtemp(tmpl.data()));
		path = tmpl;
	}
	~TempDir() { std::filesystem::remove_all(path); }
	std::string operator/(const std::string &name) const { return path + "/" + name; }
};

std::string canonical(const std::string &p) { return std::filesystem::canonical(p).string(); }

void copy_executable(const std::string &from, const std::string &to)
{
	std::filesystem::copy_file(from, to);
	::chmod(to.c_str(), 0755);
}

// The dynamic loader a binary asks for (its PT_INTERP), as it names it.
std::string interpreter_of(const std::string &binary)
{
	std::ifstream in(binary, std::ios::binary);
	Elf64_Ehdr eh;
	in.read(reinterpret_cast<char *>(&eh), sizeof(eh));
	for (int i = 0; in && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		in.seekg(static_cast<std::streamoff>(eh.e_phoff + i * eh.e_phentsize));
		in.read(reinterpret_cast<char *>(&ph), sizeof(ph));
		if (ph.p_type != PT_INTERP)
			continue;
		std::string path(ph.p_filesz, '\0');
		in.seekg(static_cast<std::streamoff>(ph.p_offset));
		in.read(path.data(), static_cast<std::streamsize>(path.size()));
		return path.c_str();
	}
	return "";
}

// Every output line of this type from pid, once pid's exit is in the output
// (records of a process come out in time order, its exit last).
std::vector<std::unique_ptr<test::Event>> events_of(test::GuardProcess &guard, const std::string &type, pid_t pid)
{
	REQUIRE(test::find_event(guard, "exit", pid, {}, std::chrono::seconds(10)));
	std::vector<std::unique_ptr<test::Event>> out;
	std::istringstream lines(guard.output_text());
	const std::string type_field = "\"type\":\"" + type + "\"";
	const std::string pid_field = "\"pid\":" + std::to_string(pid) + ",";
	for (std::string line; std::getline(lines, line);) {
		if (line.find(type_field) == std::string::npos || line.find(pid_field) == std::string::npos)
			continue;
		auto ev = std::make_unique<test::Event>();
		ev->line = line;
		REQUIRE(ev->parser.parse(ev->line).get(ev->doc) == simdjson::SUCCESS);
		out.push_back(std::move(ev));
	}
	return out;
}

} // namespace

TEST_CASE("exec: a relative name, a symlink, /proc/self/cwd and a #! script report the file the kernel ran")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	TempDir tmp;                // a temporary directory: EXEC_FROM_TMP watches it
	TempDir elsewhere("/run");  // not one: only a link to /tmp lives there
	std::string x = tmp / "x";
	copy_executable("/bin/true", x);
	struct stat x_st;
	REQUIRE(::stat(x.c_str(), &x_st) == 0);
	std::filesystem::create_symlink(x, elsewhere / "y");
	std::ofstream(tmp / "s.sh") << "#!/bin/sh\nexit 0\n";
	::chmod((tmp / "s.sh").c_str(), 0755);

	auto relative = test::run_helper("proc_ops", {"exec-in", tmp.path, "./x"});
	auto linked = test::run_helper("proc_ops", {"exec-in", "/", elsewhere / "y"});
	auto via_proc = test::run_helper("proc_ops", {"exec-in", tmp.path, "/proc/self/cwd/x"});
	auto script = test::run_helper("proc_ops", {"exec-in", tmp.path, "./s.sh"});
	INFO("output: " << guard.output_text());

	// Each helper execs twice (it is exec'd itself, then execs the name):
	// the second exec is found by the name it was given.
	struct Case {
		pid_t pid;
		std::string given;
	};
	for (const Case &c : {Case{relative.pid, "./x"}, Case{linked.pid, elsewhere / "y"},
			      Case{via_proc.pid, "/proc/self/cwd/x"}}) {
		CAPTURE(c.given);
		auto ev = test::find_event(guard, "exec", c.pid, field_is("path_given", c.given));
		REQUIRE(ev);
		CHECK(ev->str("path") == x);
		CHECK(ev->num("ino") == int64_t(x_st.st_ino));
		CHECK_FALSE(ev->has("interpreter"));
		CHECK(alerted(guard, c.pid, "EXEC_FROM_TMP"));
	}
	auto rel = test::find_event(guard, "exec", relative.pid, field_is("path_given", "./x"));
	CHECK(rel->str("cwd") == tmp.path);

	// A script: the kernel runs its interpreter; path is the script, made
	// absolute against the exec's cwd, and the interpreter is beside it.
	auto sh = test::find_event(guard, "exec", script.pid, field_is("path_given", "./s.sh"));
	REQUIRE(sh);
	CHECK(sh->str("path") == tmp / "s.sh");
	CHECK(sh->str("path_given") == "./s.sh");
	CHECK(sh->str("interpreter") == canonical("/bin/sh"));
	CHECK(alerted(guard, script.pid, "EXEC_FROM_TMP"));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("exec through the dynamic loader names the program it runs")
{
	REQUIRE(test::running_as_root());
	std::string loader = interpreter_of("/bin/true");
	REQUIRE(!loader.empty());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	TempDir tmp;
	copy_executable("/bin/true", tmp / "x");

	auto run = test::run_helper("proc_ops", {"exec-in", tmp.path, loader, "--argv0", "innocent", "./x"});
	REQUIRE(WIFEXITED(run.status));
	CHECK(WEXITSTATUS(run.status) == 0); // it ran
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "exec", run.pid, field_is("path_given", loader));
	REQUIRE(ev);
	CHECK(ev->str("path") == tmp / "x");
	CHECK(ev->str("interpreter") == canonical(loader));
	CHECK(ev->str("path_given") == loader);
	CHECK(alerted(guard, run.pid, "EXEC_FROM_TMP"));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("SHADOW_READ: through a symlink, /proc/self/root, a dirfd, openat2, a bind mount and a hard link")
{
	REQUIRE(test::running_as_root());
	struct stat shadow;
	REQUIRE(::stat("/etc/shadow", &shadow) == 0);
	// A hard link must be on /etc/shadow's file system: the first of these
	// places that is.
	std::string same_fs;
	for (const char *dir : {"/var/tmp", "/tmp", "/root", "/etc"}) {
		struct stat st;
		if (::stat(dir, &st) == 0 && st.st_dev == shadow.st_dev) {
			same_fs = dir;
			break;
		}
	}
	REQUIRE(!same_fs.empty());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	TempDir tmp;
	TempDir linkdir(same_fs);
	std::filesystem::create_symlink("/etc/shadow", tmp / "s");
	std::filesystem::create_directory(tmp / "etc");
	REQUIRE(::link("/etc/shadow", (linkdir / "h").c_str()) == 0);

	struct Case {
		const char *what;
		std::vector<std::string> ops;
		std::string reported; // the path the kernel's walk gives
	};
	std::vector<Case> cases{
		{"symlink", {"open", tmp / "s", "0", "0"}, "/etc/shadow"},
		{"/proc/self/root", {"open", "/proc/self/root/etc/shadow", "0", "0"}, "/etc/shadow"},
		{"dirfd", {"openat", "/etc", "shadow", "0", "0"}, "/etc/shadow"},
		{"openat2", {"openat2", "-", "/etc/../etc/./shadow", "0", "0"}, "/etc/shadow"},
		{"bind mount", {"unshare-mount", "bind", "/etc", tmp / "etc", "open", tmp / "etc/shadow", "0", "0"},
		 tmp / "etc/shadow"},
		{"hard link", {"open", linkdir / "h", "0", "0"}, linkdir / "h"},
	};
	for (const Case &c : cases) {
		CAPTURE(c.what);
		auto run = test::run_helper("file_ops", c.ops);
		INFO("helper: " << run.out);
		INFO("output: " << guard.output_text());
		auto ev = test::find_event(guard, "file_open", run.pid, field_is("path", c.reported));
		REQUIRE(ev);
		CHECK(ev->flag("ok"));
		CHECK(ev->num("ino") == int64_t(shadow.st_ino));
		CHECK(ev->num("dev") == int64_t(shadow.st_dev));
		CHECK(ev->str("rule") == "SHADOW_READ");
		CHECK(alerted(guard, run.pid, "SHADOW_READ"));
	}
	::unlink((linkdir / "h").c_str());
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("a failed open reports the path read at enter, flagged as the caller's")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	// Unprivileged, /etc/shadow is refused: an attempt, with the name the
	// caller gave (the kernel keeps no object for a failed open).
	auto run = test::run_helper("proc_ops", {"exec-in", "/", "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
						 "--clear-groups", GUARD_HELPERS_DIR "/file_ops", "openat", "-",
						 "/etc/shadow", "0", "0"});
	INFO("helper: " << run.out);
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "file_open", run.pid, field_is("path", "/etc/shadow"));
	REQUIRE(ev);
	CHECK(ev->str("error") == "EACCES");
	CHECK(ev->flag("path_from_user"));
	CHECK_FALSE(ev->has("ino"));
	CHECK(ev->str("rule") == "SHADOW_READ");
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("a path on a page not in memory at enter is read at exit: path_given kept, flagged, both ways")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	// Succeeds: the file from the kernel, the caller's name read at exit.
	auto ok = test::run_helper("file_ops", {"openat-unfaulted", "-", "/etc/../etc/shadow", "0", "0"});
	// Fails: the name read at exit is all there is.
	auto refused = test::run_helper("file_ops", {"openat-unfaulted", "-", "/etc/../nonexistent", "0", "0"});
	INFO("helpers: " << ok.out << refused.out);
	INFO("output: " << guard.output_text());
	auto opened = test::find_event(guard, "file_open", ok.pid, field_is("path", "/etc/shadow"));
	REQUIRE(opened);
	CHECK(opened->str("path_given") == "/etc/../etc/shadow");
	CHECK(opened->flag("read_at_exit"));
	CHECK(opened->str("rule") == "SHADOW_READ");
	auto missing = test::find_event(guard, "file_open", refused.pid, field_is("path", "/nonexistent"));
	REQUIRE(missing);
	CHECK(missing->str("error") == "ENOENT");
	CHECK(missing->flag("read_at_exit"));
	CHECK(missing->flag("path_from_user"));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("connect: a sockaddr rewritten while the call waits is reported as the kernel used it")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	for (int i = 0; i < 5; i++) {
		CAPTURE(i);
		auto run = test::run_helper("race_ops", {"connect-wait"}, true);
		INFO("helper: " << run.out);
		INFO("output: " << guard.output_text());
		// The rewrite landed while the kernel waited on the SYN.
		REQUIRE(test::helper_value(run.out, "buffer_now") == "203.0.113.5:80");
		// Four connects fill the listener's queue, the fifth waits: all
		// went to 192.0.2.1:4444, and the socket says so.
		auto connects = events_of(guard, "net_connect", run.pid);
		REQUIRE(connects.size() == 5);
		for (auto &ev : connects) {
			CHECK(ev->str("addr") == "192.0.2.1");
			CHECK(ev->num("port") == 4444);
			CHECK_FALSE(ev->has("addr_from_user"));
			CHECK(ev->line.find("203.0.113.5") == std::string::npos);
		}
		CHECK(connects.back()->str("error") == "EINPROGRESS");
	}
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("connect: a sockaddr flipped from another thread is the socket's peer every time, and a race is an alert")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	const int n = 4000;
	auto run = test::run_helper("race_ops", {"connect-flip", std::to_string(n)}, true);
	REQUIRE(WIFEXITED(run.status));
	REQUIRE(WEXITSTATUS(run.status) == 0);
	std::vector<std::string> peers; // in order, as getpeername() gave them
	std::istringstream out(run.out);
	for (std::string word, index, addr; out >> word >> index >> addr;)
		peers.push_back(addr);
	REQUIRE(peers.size() == size_t(n));

	// The helper's connects are its net_connect events to port 4444, in
	// the order it made them (the listeners' binds are not connects).
	std::vector<std::unique_ptr<test::Event>> connects;
	for (auto &ev : events_of(guard, "net_connect", run.pid))
		if (ev->num("port") == 4444)
			connects.push_back(std::move(ev));
	REQUIRE(connects.size() == size_t(n));
	size_t raced = 0;
	for (int i = 0; i < n; i++) {
		CAPTURE(i);
		CHECK(connects[i]->str("addr") == peers[i]);
		if (connects[i]->flag("raced")) {
			raced++;
			CHECK(connects[i]->str("addr_given") != peers[i]);
			CHECK(connects[i]->str("rule") == "SOCKADDR_RACE");
		}
	}
	// The flip is fast against the microseconds between the copy guard
	// takes at enter and the kernel's own: some connects were raced.
	MESSAGE("raced connects: " << raced << " of " << n);
	CHECK(raced > 0);
	CHECK(alerted(guard, run.pid, "SOCKADDR_RACE"));
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("open: a path flipped between /etc/shadow and /etc/shadow- alerts exactly the real opens of /etc/shadow")
{
	REQUIRE(test::running_as_root());
	// The decoy must exist (Debian keeps it; a minimal root may not).
	bool made_decoy = false;
	if (::access("/etc/shadow-", F_OK) != 0) {
		std::filesystem::copy_file("/etc/shadow", "/etc/shadow-");
		made_decoy = true;
	}
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	auto run = test::run_helper("race_ops", {"open-flip", "3000"});
	INFO("helper: " << run.out);
	int real = std::stoi(test::helper_value(run.out, "real"));
	int decoy = std::stoi(test::helper_value(run.out, "decoy"));
	REQUIRE(real > 0);
	REQUIRE(decoy > 0);

	int shadow_events = 0, decoy_events = 0, alerts = 0;
	for (auto &ev : events_of(guard, "file_open", run.pid)) {
		std::string_view path = ev->str("path");
		shadow_events += path == "/etc/shadow";
		decoy_events += path == "/etc/shadow-";
		alerts += ev->has("rule");
	}
	CHECK(shadow_events == real);
	CHECK(decoy_events == decoy);
	CHECK(alerts == real);
	if (made_decoy)
		::unlink("/etc/shadow-");
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("a file a rule names, replaced by a rename onto it, is matched by its new identity")
{
	REQUIRE(test::running_as_root());
	TempDir tmp;
	std::string watched = tmp / "secret";
	std::ofstream(watched) << "old";
	std::ofstream(tmp / "rules.json")
		<< R"({"version": 1, "rules": [{"id": "SECRET", "severity": "high", "events": ["file_open"],
		      "match": {"field": "path", "equals": ")"
		<< watched << R"("}}]})";
	test::GuardProcess guard({"--rules", tmp / "rules.json"});
	REQUIRE(!guard.wait_attached().empty());

	// A new file takes the watched name; then a hard link to it is opened.
	std::ofstream(tmp / "new") << "new";
	auto run = test::run_helper("file_ops", {"rename", tmp / "new", watched, "link", watched, tmp / "other-name"});
	INFO("helper: " << run.out);
	// The rename is seen, the identities resolved again between batches.
	REQUIRE(test::find_event(guard, "file_rename", run.pid));
	std::this_thread::sleep_for(std::chrono::milliseconds(100));
	auto open = test::run_helper("file_ops", {"open", tmp / "other-name", "0", "0"});
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "file_open", open.pid, field_is("path", tmp / "other-name"));
	REQUIRE(ev);
	CHECK(ev->str("rule") == "SECRET");
	CHECK(guard.stop(SIGTERM) == 0);
}
