/* SPDX-License-Identifier: GPL-2.0-or-later */
// Running a command as a person would from a shell, for the tests of guard's
// command line, Makefile and packages: its argv, working directory, extra
// environment and, optionally, another user; what it printed and how it ended.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace guard::test {

struct Command {
	Command() = default;
	Command(std::vector<std::string> words) : argv(std::move(words)) {} // run_command({{"ls", "-l"}})

	std::vector<std::string> argv; // argv[0] found on PATH
	std::string cwd;               // "": the test's
	std::vector<std::string> env;  // "NAME=value" set, "NAME" removed
	bool as_user = false;          // run as uid/gid (no supplementary groups)
	uid_t uid = 0;
	gid_t gid = 0;
	std::chrono::seconds timeout{300}; // then SIGKILL
};

struct CommandResult {
	int status = -1; // as waitpid says
	std::string out, err;
	// The exit code, or -1 when killed by a signal.
	int exit_code() const;
};

CommandResult run_command(const Command &command);

// A command left running, in a process group of its own, stdout and stderr
// to pipes; killed (the whole group) if still running at the end. Its
// stdout is read as it comes (a full pipe would stop a busy guard), unless
// the test means to close it.
class Spawned {
public:
	explicit Spawned(const Command &command, bool read_stdout_meanwhile = true);
	~Spawned();
	Spawned(const Spawned &) = delete;
	Spawned &operator=(const Spawned &) = delete;

	pid_t pid() const { return pid_; }
	// Reads stderr until it holds needle (true) or the time is up or it ends.
	bool wait_stderr(const std::string &needle, std::chrono::milliseconds timeout);
	// Closes our end of its stdout, as `| head` does once it has its lines
	// (only when not read meanwhile).
	void close_stdout();
	// signal to the process (group: true, to all of it), then its wait status.
	int stop(int signal, bool group = false);
	// The wait status once it has ended by itself, or -1 at the timeout.
	int wait_exit(std::chrono::milliseconds timeout);
	std::string read_stdout(); // all of it: call once it has ended
	const std::string &stderr_text(); // all read so far, and whatever is waiting

private:
	void read_stderr(int timeout_ms);
	pid_t pid_ = -1;
	int out_ = -1, err_ = -1;
	std::string err_text_, out_text_;
	std::thread out_reader_;
};

// The make variables of this build (SAN=1 or nothing), for running make
// targets of the tree under test, with make's own recursion variables unset.
Command make_command(const std::vector<std::string> &targets);

// A directory under /tmp (mode 0755, so other users may enter it), removed
// with everything in it at the end.
struct ScratchDir {
	std::string path;
	explicit ScratchDir(const std::string &prefix = "guard-test");
	~ScratchDir();
	ScratchDir(const ScratchDir &) = delete;
	ScratchDir &operator=(const ScratchDir &) = delete;
};

std::string read_text(const std::string &path);

} // namespace guard::test
