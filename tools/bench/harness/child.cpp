// SPDX-License-Identifier: GPL-2.0-or-later
#include "tools/bench/harness/child.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace bench {

using guard::fail;

namespace {

void set_affinity(pid_t pid, int cpu)
{
	if (cpu == kAnyCpu)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (::sched_setaffinity(pid, sizeof(set), &set) != 0)
		fail(guard::errno_message("pin to CPU " + std::to_string(cpu), errno));
}

std::string read_text(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		fail("read " + path + ": " + std::strerror(errno));
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

} // namespace

Spawned spawn(const std::vector<std::string> &argv, int cpu, bool pipe_stdout, bool pipe_stderr)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	if ((pipe_stdout && ::pipe2(out, O_CLOEXEC) != 0) || (pipe_stderr && ::pipe2(err, O_CLOEXEC) != 0))
		fail(guard::errno_message("pipe", errno));
	std::vector<char *> args;
	for (const std::string &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);

	pid_t pid = ::fork();
	if (pid < 0)
		fail(guard::errno_message("fork " + argv.at(0), errno));
	if (pid == 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		if (cpu != kAnyCpu) {
			CPU_SET(cpu, &set);
		} else {
			for (int c = 0; c < CPU_SETSIZE; c++)
				CPU_SET(c, &set);
		}
		::sched_setaffinity(0, sizeof(set), &set);
		if (pipe_stdout)
			::dup2(out[1], STDOUT_FILENO);
		if (pipe_stderr)
			::dup2(err[1], STDERR_FILENO);
		::execv(args[0], args.data());
		_exit(127);
	}
	Spawned s;
	s.pid = pid;
	if (pipe_stdout) {
		::close(out[1]);
		s.out = guard::Fd(out[0]);
	}
	if (pipe_stderr) {
		::close(err[1]);
		s.err = guard::Fd(err[0]);
	}
	return s;
}

void pin_self(int cpu) { set_affinity(0, cpu); }

std::string read_line_containing(int fd, std::string &text, std::string_view needle,
				 std::chrono::milliseconds timeout)
{
	auto deadline = std::chrono::steady_clock::now() + timeout;
	for (;;) {
		if (size_t at = text.find(needle); at != std::string::npos) {
			size_t end = text.find('\n', at);
			if (end != std::string::npos) {
				size_t begin = text.rfind('\n', at);
				begin = begin == std::string::npos ? 0 : begin + 1;
				return text.substr(begin, end - begin);
			}
		}
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
		if (left.count() <= 0)
			fail("timed out waiting for \"" + std::string(needle) + "\"; read so far: " + text);
		struct pollfd p {fd, POLLIN, 0};
		if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
			continue;
		char buf[4096];
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n <= 0)
			fail("exited before \"" + std::string(needle) + "\": " + text);
		text.append(buf, static_cast<size_t>(n));
	}
}

void read_available(int fd, std::string &text)
{
	char buf[4096];
	for (;;) {
		struct pollfd p {fd, POLLIN, 0};
		if (::poll(&p, 1, 0) <= 0)
			return;
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		text.append(buf, static_cast<size_t>(n));
	}
}

int wait_success(pid_t pid, std::string_view what)
{
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail(guard::errno_message("waitpid " + std::string(what), errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail(std::string(what) + " failed: " +
		     (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
					: "signal " + std::to_string(WTERMSIG(status))));
	return status;
}

uint64_t cpu_ns(pid_t pid)
{
	return std::stoull(read_text("/proc/" + std::to_string(pid) + "/schedstat"));
}

SchedStat sched_stat(pid_t pid)
{
	std::istringstream fields(read_text("/proc/" + std::to_string(pid) + "/schedstat"));
	SchedStat s;
	if (!(fields >> s.cpu_ns >> s.wait_ns >> s.runs))
		fail("/proc/" + std::to_string(pid) + "/schedstat: expected three numbers");
	return s;
}

uint64_t stat_cpu_ns(pid_t pid)
{
	// Fields after the ")" that ends comm: state is field 3, utime 14, stime 15.
	std::string s = read_text("/proc/" + std::to_string(pid) + "/stat");
	std::istringstream rest(s.substr(s.rfind(')') + 2));
	std::string field;
	uint64_t utime = 0, stime = 0;
	for (int i = 3; i <= 15 && rest >> field; i++) {
		if (i == 14)
			utime = std::stoull(field);
		if (i == 15)
			stime = std::stoull(field);
	}
	return (utime + stime) * (1000000000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK)));
}

uint64_t rss_bytes(pid_t pid)
{
	std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/status"));
	for (std::string line; std::getline(in, line);)
		if (line.rfind("VmRSS:", 0) == 0)
			return std::stoull(line.substr(6)) * 1024;
	fail("no VmRSS for pid " + std::to_string(pid));
}

RssParts rss_parts(pid_t pid)
{
	RssParts parts;
	std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/status"));
	for (std::string line; std::getline(in, line);) {
		if (line.rfind("RssAnon:", 0) == 0)
			parts.anon = std::stoull(line.substr(8)) * 1024;
		else if (line.rfind("RssFile:", 0) == 0)
			parts.file = std::stoull(line.substr(8)) * 1024;
		else if (line.rfind("RssShmem:", 0) == 0)
			parts.shmem = std::stoull(line.substr(9)) * 1024;
	}
	std::istringstream smaps(read_text("/proc/" + std::to_string(pid) + "/smaps"));
	bool bpf_map = false;
	for (std::string line; std::getline(smaps, line);) {
		// A mapping's header line ends with its name; its fields follow.
		if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < line.find(' '))
			bpf_map = line.ends_with("anon_inode:bpf-map");
		else if (bpf_map && line.rfind("Rss:", 0) == 0)
			parts.bpf_maps += std::stoull(line.substr(4)) * 1024;
	}
	return parts;
}

HeldBpf held_bpf(pid_t pid)
{
	HeldBpf held;
	std::set<uint32_t> rings; // a map held through two fds counts once
	for (const auto &entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo")) {
		std::ifstream in(entry.path());
		uint32_t map_type = 0, map_id = 0;
		uint64_t max_entries = 0;
		for (std::string line; std::getline(in, line);) {
			if (line.rfind("prog_id:", 0) == 0)
				held.prog_ids.push_back(static_cast<uint32_t>(std::stoul(line.substr(8))));
			else if (line.rfind("map_type:", 0) == 0)
				map_type = static_cast<uint32_t>(std::stoul(line.substr(9)));
			else if (line.rfind("map_id:", 0) == 0)
				map_id = static_cast<uint32_t>(std::stoul(line.substr(7)));
			else if (line.rfind("max_entries:", 0) == 0)
				max_entries = std::stoull(line.substr(12));
		}
		if (map_type == BPF_MAP_TYPE_RINGBUF && rings.insert(map_id).second)
			held.ringbuf_bytes += max_entries;
	}
	std::sort(held.prog_ids.begin(), held.prog_ids.end());
	held.prog_ids.erase(std::unique(held.prog_ids.begin(), held.prog_ids.end()), held.prog_ids.end());
	return held;
}

uint64_t boottime_ns()
{
	struct timespec ts;
	::clock_gettime(CLOCK_BOOTTIME, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t monotonic_ns()
{
	struct timespec ts;
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void sleep_ms(int ms)
{
	struct timespec ts {ms / 1000, (ms % 1000) * 1000000L};
	while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

} // namespace bench
