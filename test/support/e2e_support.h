/* SPDX-License-Identifier: GPL-2.0-or-later */
// Running the real guard binary against the real kernel, for end-to-end tests:
// start it, wait for its "attached" line, find lines in its output, stop it.
// Everything it starts it stops, and every temp file it makes it removes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "test/support/exec.h"

namespace guard::test {

bool running_as_root();

class GuardProcess {
public:
	// Starts GUARD_BINARY with args, output to a temp file (unless args
	// name an --output of their own). With a launcher, runs launcher...
	// GUARD_BINARY --output FILE args... instead (unshare -p -f ..., say):
	// pid() is then the launcher's.
	explicit GuardProcess(std::vector<std::string> args = {}, std::vector<std::string> launcher = {});
	~GuardProcess();

	// Waits for "guard: attached ..." on stderr; returns that line, or "" when
	// guard exited or the time ran out (stderr_text() then says why).
	std::string wait_attached(std::chrono::milliseconds timeout = std::chrono::seconds(10));

	// The first output line for which match(line) holds, waiting up to timeout.
	std::optional<std::string> find_line(const std::function<bool(const std::string &)> &match,
					     std::chrono::milliseconds timeout = std::chrono::seconds(3));

	// Sends sig and waits; returns the wait status.
	int stop(int sig);
	// Sends sig without waiting.
	void signal(int sig);
	// Where stop() and signal() send signals when not to pid(): to guard
	// itself, behind a launcher that does not pass them on.
	void send_signals_to(pid_t pid) { signal_pid_ = pid; }
	// Sends sig and waits at most limit: the wait status, or -1 when guard
	// was still running (it is then killed). elapsed: how long it took.
	int stop_within(int sig, std::chrono::milliseconds limit, std::chrono::milliseconds &elapsed);
	// Whether guard still runs.
	bool running();
	// Waits until stderr holds needle; false when the time ran out.
	bool wait_stderr(const std::string &needle, std::chrono::milliseconds timeout = std::chrono::seconds(5));

	pid_t pid() const { return pid_; }
	const std::string &stderr_text() const { return stderr_; }
	const std::string &output_path() const { return output_path_; }
	std::string output_text() const;

private:
	void read_stderr(std::chrono::milliseconds timeout);

	pid_t pid_ = -1;
	pid_t signal_pid_ = -1;
	int stderr_fd_ = -1;
	std::string stderr_;
	std::string dir_;
	std::string output_path_;
};

// A run of one of our test/helpers programs: its pid, its stdout, its status.
struct HelperRun {
	pid_t pid = -1;
	std::string out;
	int status = -1;
};

// Runs GUARD_HELPERS_DIR/<name> with args and waits for it. With
// empty_netns, it runs in a new, empty network namespace (unshare -n, which
// execs the helper in the same process, so the pid is the helper's): any
// connect there fails at once and no packet can leave the machine.
HelperRun run_helper(const std::string &name, const std::vector<std::string> &args, bool empty_netns = false);

// The value of "key=<value>" in a helper's output, or "".
std::string helper_value(const std::string &out, const std::string &key);

// fork + execv(path, argv) and waitpid: returns the child's pid.
pid_t run_and_wait(const std::string &path, const std::vector<std::string> &args = {});

// Ids of the BPF programs a process holds open, from /proc/<pid>/fdinfo
// ("prog_id:" lines): exact even when other guards run at the same time.
std::vector<uint32_t> programs_held_by(pid_t pid);

// Ids of every BPF program loaded on the machine.
std::vector<uint32_t> loaded_program_ids();

// Whether / is a mount point of this mount namespace, not a chroot's
// directory (there a new mount namespace cannot make / private, so a test
// must not mount: its mounts could propagate to the host's).
bool root_is_mount_point();

} // namespace guard::test
