// SPDX-License-Identifier: GPL-2.0-or-later
#include "test/support/e2e_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "loader/bpf_syscall.h"
#include "test/support/exec.h"
#include "test/support/temp_dir.h"

namespace guard::test {

bool running_as_root() { return ::geteuid() == 0; }

GuardProcess::GuardProcess(std::vector<std::string> args, std::vector<std::string> launcher)
{
	char tmpl[] = "/tmp/guard-e2e-XXXXXX";
	if (!::mkdtemp(tmpl))
		throw std::runtime_error("mkdtemp failed");
	dir_ = tmpl;
	output_path_ = dir_ + "/events.jsonl";

	int err[2];
	if (::pipe2(err, O_CLOEXEC) != 0)
		throw std::runtime_error("pipe failed");
	std::vector<std::string> argv_s = std::move(launcher);
	argv_s.push_back(GUARD_BINARY);
	auto own = std::find(args.begin(), args.end(), "--output");
	if (own != args.end() && own + 1 != args.end())
		output_path_ = *(own + 1);
	else
		argv_s.insert(argv_s.end(), {"--output", output_path_});
	argv_s.insert(argv_s.end(), args.begin(), args.end());
	pid_t parent = ::getpid();
	pid_ = ::fork();
	if (pid_ == 0) {
		// Should the test die without running its destructors (a signal,
		// a pipe closed on its output), guard goes with it.
		::prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (::getppid() != parent)
			_exit(127);
		::dup2(err[1], STDERR_FILENO);
		exec_or_die(argv_s);
	}
	::close(err[1]);
	stderr_fd_ = err[0];
}

GuardProcess::~GuardProcess()
{
	// SIGTERM first: guard detaches its programs in parallel and is gone in
	// about 100 ms, where the kernel, closing a killed process's perf
	// events one by one, takes seconds. SIGKILL if it has not ended by then.
	if (pid_ > 0) {
		std::chrono::milliseconds elapsed;
		stop_within(SIGTERM, std::chrono::seconds(3), elapsed);
	}
	if (stderr_fd_ >= 0)
		::close(stderr_fd_);
	std::remove(output_path_.c_str());
	::rmdir(dir_.c_str());
}

void GuardProcess::read_stderr(std::chrono::milliseconds timeout)
{
	struct pollfd p {stderr_fd_, POLLIN, 0};
	if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
		return;
	char buf[4096];
	ssize_t n = ::read(stderr_fd_, buf, sizeof(buf));
	if (n > 0)
		stderr_.append(buf, static_cast<size_t>(n));
	else
		std::this_thread::sleep_for(timeout); // EOF: guard exited
}

std::string GuardProcess::wait_attached(std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	while (std::chrono::steady_clock::now() < deadline) {
		size_t at = stderr_.find("guard: attached ");
		if (at != std::string::npos && stderr_.find('\n', at) != std::string::npos)
			return stderr_.substr(at, stderr_.find('\n', at) - at);
		if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
			pid_ = -1;
			read_stderr(std::chrono::milliseconds(10));
			return "";
		}
		read_stderr(std::chrono::milliseconds(50));
	}
	return "";
}

std::string GuardProcess::output_text() const
{
	std::ifstream in(output_path_);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

std::optional<std::string> GuardProcess::find_line(const std::function<bool(const std::string &)> &match,
						   std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	do {
		std::istringstream lines(output_text());
		for (std::string line; std::getline(lines, line);)
			if (match(line))
				return line;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	} while (std::chrono::steady_clock::now() < deadline);
	return std::nullopt;
}

void GuardProcess::signal(int sig)
{
	if (pid_ > 0)
		::kill(signal_pid_ > 0 ? signal_pid_ : pid_, sig);
}

int GuardProcess::stop(int sig)
{
	int status = -1;
	if (pid_ > 0) {
		signal(sig);
		::waitpid(pid_, &status, 0);
		pid_ = -1;
	}
	read_stderr(std::chrono::milliseconds(10));
	return status;
}

int GuardProcess::stop_within(int sig, std::chrono::milliseconds limit, std::chrono::milliseconds &elapsed)
{
	int status = -1;
	auto start = std::chrono::steady_clock::now();
	::kill(pid_, sig);
	while (::waitpid(pid_, &status, WNOHANG) == 0) {
		elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
		if (elapsed > limit) {
			::kill(pid_, SIGKILL);
			::waitpid(pid_, nullptr, 0);
			pid_ = -1;
			return -1;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(2));
	}
	elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
	pid_ = -1;
	read_stderr(std::chrono::milliseconds(10));
	return status;
}

bool GuardProcess::running()
{
	if (pid_ <= 0)
		return false;
	if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
		pid_ = -1;
		return false;
	}
	return true;
}

bool GuardProcess::wait_stderr(const std::string &needle, std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	while (stderr_.find(needle) == std::string::npos) {
		if (std::chrono::steady_clock::now() >= deadline)
			return false;
		read_stderr(std::chrono::milliseconds(20));
	}
	return true;
}

pid_t run_and_wait(const std::string &path, const std::vector<std::string> &args)
{
	pid_t pid = ::fork();
	if (pid == 0) {
		std::vector<std::string> argv_s{path};
		argv_s.insert(argv_s.end(), args.begin(), args.end());
		exec_or_die(argv_s);
	}
	::waitpid(pid, nullptr, 0);
	return pid;
}

HelperRun run_helper(const std::string &name, const std::vector<std::string> &args, bool empty_netns)
{
	std::vector<std::string> argv_s;
	if (empty_netns)
		argv_s = {"/usr/bin/unshare", "--net"};
	argv_s.push_back(std::string(GUARD_HELPERS_DIR) + "/" + name);
	argv_s.insert(argv_s.end(), args.begin(), args.end());

	int out[2];
	if (::pipe2(out, O_CLOEXEC) != 0)
		throw std::runtime_error("pipe failed");
	HelperRun run;
	run.pid = ::fork();
	if (run.pid == 0) {
		::dup2(out[1], STDOUT_FILENO);
		// Only 0, 1 and 2: the helpers print the fds their calls return,
		// which must not depend on what the test's own parent left open.
		::close_range(3, ~0U, 0);
		exec_or_die(argv_s);
	}
	::close(out[1]);
	char buf[4096];
	ssize_t n;
	while ((n = ::read(out[0], buf, sizeof(buf))) > 0)
		run.out.append(buf, static_cast<size_t>(n));
	::close(out[0]);
	::waitpid(run.pid, &run.status, 0);
	return run;
}

std::string helper_value(const std::string &out, const std::string &key)
{
	std::string needle = key + "=";
	size_t at = 0;
	while ((at = out.find(needle, at)) != std::string::npos) {
		if (at == 0 || out[at - 1] == '\n' || out[at - 1] == ' ') {
			size_t start = at + needle.size();
			size_t end = out.find_first_of(" \n", start);
			return out.substr(start, end == std::string::npos ? std::string::npos : end - start);
		}
		at += needle.size();
	}
	return "";
}

std::vector<uint32_t> programs_held_by(pid_t pid)
{
	std::vector<uint32_t> ids;
	std::string dir = "/proc/" + std::to_string(pid) + "/fdinfo";
	for (const auto &entry : std::filesystem::directory_iterator(dir)) {
		std::ifstream in(entry.path());
		for (std::string line; std::getline(in, line);)
			if (line.rfind("prog_id:", 0) == 0)
				ids.push_back(static_cast<uint32_t>(std::stoul(line.substr(8))));
	}
	std::sort(ids.begin(), ids.end());
	ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
	return ids;
}

std::vector<uint32_t> loaded_program_ids()
{
	std::vector<uint32_t> ids;
	for (const KernelProgram &p : bpf_loaded_programs())
		ids.push_back(p.id);
	return ids;
}

bool root_is_mount_point()
{
	std::istringstream mounts(read_text("/proc/self/mountinfo"));
	for (std::string line; std::getline(mounts, line);) {
		std::istringstream fields(line);
		std::string id, parent, dev, root, mount_point;
		if (fields >> id >> parent >> dev >> root >> mount_point && mount_point == "/")
			return true;
	}
	return false;
}

} // namespace guard::test
