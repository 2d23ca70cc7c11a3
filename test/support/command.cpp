// SPDX-License-Identifier: GPL-2.0-or-later
#include "test/support/command.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace guard::test {

int CommandResult::exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

namespace {

[[noreturn]] void exec_in_child(const Command &c, int out, int err)
{
	::dup2(out, STDOUT_FILENO);
	::dup2(err, STDERR_FILENO);
	int null = ::open("/dev/null", O_RDONLY);
	::dup2(null, STDIN_FILENO);
	if (!c.cwd.empty() && ::chdir(c.cwd.c_str()) != 0)
		_exit(126);
	for (const std::string &e : c.env) {
		size_t eq = e.find('=');
		if (eq == std::string::npos)
			::unsetenv(e.c_str());
		else
			::setenv(e.substr(0, eq).c_str(), e.c_str() + eq + 1, 1);
	}
	if (c.as_user && (::setgroups(0, nullptr) != 0 || ::setgid(c.gid) != 0 || ::setuid(c.uid) != 0))
		_exit(126);
	std::vector<char *> argv;
	for (const std::string &a : c.argv)
		argv.push_back(const_cast<char *>(a.c_str()));
	argv.push_back(nullptr);
	::execvp(argv[0], argv.data());
	_exit(127);
}

} // namespace

CommandResult run_command(const Command &c)
{
	int out[2], err[2];
	if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
		throw std::runtime_error("pipe failed");
	pid_t pid = ::fork();
	if (pid == 0)
		exec_in_child(c, out[1], err[1]);
	::close(out[1]);
	::close(err[1]);
	CommandResult r;
	struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	std::string *texts[2] = {&r.out, &r.err};
	auto deadline = std::chrono::steady_clock::now() + c.timeout;
	int open_fds = 2;
	while (open_fds > 0) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
		if (left.count() <= 0 || ::poll(fds, 2, static_cast<int>(left.count())) <= 0) {
			::kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			char buf[65536];
			ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
			if (n > 0) {
				texts[i]->append(buf, static_cast<size_t>(n));
			} else {
				::close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (const struct pollfd &p : fds)
		if (p.fd >= 0)
			::close(p.fd);
	::waitpid(pid, &r.status, 0);
	return r;
}

Spawned::Spawned(const Command &c, bool read_stdout_meanwhile)
{
	int out[2], err[2];
	if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
		throw std::runtime_error("pipe failed");
	pid_ = ::fork();
	if (pid_ == 0) {
		::setpgid(0, 0);
		exec_in_child(c, out[1], err[1]);
	}
	::setpgid(pid_, pid_); // also here: a signal to the group may come before the child ran
	::close(out[1]);
	::close(err[1]);
	out_ = out[0];
	err_ = err[0];
	if (read_stdout_meanwhile)
		out_reader_ = std::thread([this] {
			char buf[65536];
			ssize_t n;
			while ((n = ::read(out_, buf, sizeof(buf))) > 0)
				out_text_.append(buf, static_cast<size_t>(n));
		});
}

Spawned::~Spawned()
{
	if (pid_ > 0) { // still running (or unreaped): its whole group goes
		::kill(-pid_, SIGKILL);
		::waitpid(pid_, nullptr, 0);
	}
	if (out_reader_.joinable())
		out_reader_.join(); // EOF once every process of the group has gone
	for (int fd : {out_, err_})
		if (fd >= 0)
			::close(fd);
}

void Spawned::read_stderr(int timeout_ms)
{
	struct pollfd p {err_, POLLIN, 0};
	if (err_ < 0 || ::poll(&p, 1, timeout_ms) <= 0)
		return;
	char buf[4096];
	ssize_t n = ::read(err_, buf, sizeof(buf));
	if (n > 0) {
		err_text_.append(buf, static_cast<size_t>(n));
	} else {
		::close(err_);
		err_ = -1;
	}
}

bool Spawned::wait_stderr(const std::string &needle, std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	while (err_text_.find(needle) == std::string::npos && err_ >= 0 && std::chrono::steady_clock::now() < deadline)
		read_stderr(100);
	return err_text_.find(needle) != std::string::npos;
}

void Spawned::close_stdout()
{
	::close(out_);
	out_ = -1;
}

int Spawned::stop(int signal, bool group)
{
	int status = -1;
	if (pid_ <= 0)
		return status;
	::kill(group ? -pid_ : pid_, signal);
	::waitpid(pid_, &status, 0);
	pid_ = -1;
	return status;
}

int Spawned::wait_exit(std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	int status = -1;
	while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
		if (::waitpid(pid_, &status, WNOHANG) == pid_) {
			pid_ = -1;
			return status;
		}
		read_stderr(20);
	}
	return -1;
}

std::string Spawned::read_stdout()
{
	if (out_reader_.joinable())
		out_reader_.join();
	return out_text_;
}

const std::string &Spawned::stderr_text()
{
	while (err_ >= 0) {
		size_t before = err_text_.size();
		read_stderr(0);
		if (err_text_.size() == before)
			break;
	}
	return err_text_;
}

Command make_command(const std::vector<std::string> &targets)
{
	Command c;
	c.argv = {"make", "--no-print-directory"};
	c.argv.insert(c.argv.end(), targets.begin(), targets.end());
	if (std::string(GUARD_MAKE_VARS) != "")
		c.argv.push_back(GUARD_MAKE_VARS);
	c.cwd = GUARD_SOURCE_DIR;
	c.env = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"};
	return c;
}

ScratchDir::ScratchDir(const std::string &prefix)
{
	std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
	if (!::mkdtemp(tmpl.data()))
		throw std::runtime_error("mkdtemp failed");
	path = tmpl;
	::chmod(path.c_str(), 0755);
}

ScratchDir::~ScratchDir() { std::filesystem::remove_all(path); }

std::string read_text(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

} // namespace guard::test
