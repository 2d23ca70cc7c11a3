// SPDX-License-Identifier: GPL-2.0-or-later
// Forwarding (issue 15): guard writing to a file and, in the same run, to a
// real rsyslog over TCP (--syslog), at rising rates of one workload; beside
// it the same rates with the file alone. Per rate: the agent's CPU per line
// (every thread: the forwarder has its own), whether the file kept up (no
// drop, kernel or userspace), and the syslog path's emitted, sent, dropped
// and what rsyslog wrote. rsyslogd is started here, on a loopback port with
// a config of its own in the scratch directory, unpinned (it competes with
// guard and the workload, as a local relay would).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "tools/bench/harness/event_lines.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/workload_run.h"

namespace bench {

namespace {

constexpr const char *kRsyslogd = "/usr/sbin/rsyslogd";

uint16_t free_tcp_port()
{
	guard::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	struct sockaddr_in a {};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (::bind(fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0 ||
	    ::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&a), &len) != 0)
		guard::fail(guard::errno_message("find a free port", errno));
	return ntohs(a.sin_port);
}

bool listening(uint16_t port)
{
	guard::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	struct sockaddr_in a {};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	return ::connect(fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0;
}

// rsyslogd in the foreground, writing each message's MSG (guard's line) to
// received.jsonl; stopped (SIGTERM) and its files removed by the destructor.
struct Rsyslog {
	std::string dir, received;
	uint16_t port = free_tcp_port();
	pid_t pid = -1;

	// Absolute paths: rsyslogd works from /.
	explicit Rsyslog(const std::string &scratch)
		: dir(std::filesystem::absolute(scratch + "/rsyslog").string()), received(dir + "/received.jsonl")
	{
		std::filesystem::remove_all(dir);
		std::filesystem::create_directories(dir + "/work");
		std::ofstream(dir + "/rsyslog.conf")
			<< "global(workDirectory=\"" << dir << "/work\" maxMessageSize=\"1m\")\n"
			<< "module(load=\"imtcp\")\n"
			<< "template(name=\"json\" type=\"string\" string=\"%msg%\\n\")\n"
			<< "ruleset(name=\"guard\") { action(type=\"omfile\" file=\"" << received << "\" template=\"json\") }\n"
			<< "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << port << "\" ruleset=\"guard\")\n";
		Spawned s = spawn({kRsyslogd, "-n", "-f", dir + "/rsyslog.conf", "-i", dir + "/rsyslogd.pid"}, kAnyCpu, false,
				  false);
		pid = s.pid;
		for (int i = 0; i < 500 && !listening(port); i++)
			sleep_ms(10);
		if (!listening(port))
			guard::fail("rsyslogd did not listen on 127.0.0.1:" + std::to_string(port));
	}
	~Rsyslog()
	{
		if (pid > 0) {
			::kill(pid, SIGTERM);
			::waitpid(pid, nullptr, 0);
		}
		std::error_code ec;
		std::filesystem::remove_all(dir, ec);
	}
	uint64_t lines() const { return std::filesystem::exists(received) ? count_events(received).lines : 0; }
	// Until rsyslog's file stops growing (it has written what it got).
	void settle() const
	{
		uint64_t last = UINT64_MAX;
		for (int i = 0; i < 300; i++) {
			std::error_code ec;
			uint64_t size = std::filesystem::file_size(received, ec);
			if (!ec && size == last)
				return;
			last = ec ? UINT64_MAX - 1 : size;
			sleep_ms(200);
		}
	}
};

// Every thread's CPU time: the forwarder runs beside the ring consumer.
uint64_t process_cpu_ns(pid_t pid)
{
	uint64_t total = 0;
	for (const auto &task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
		std::ifstream in(task.path() / "schedstat");
		uint64_t ns = 0;
		in >> ns;
		total += ns;
	}
	return total;
}

// "guard: syslog URL: emitted=E sent=S dropped=D" from guard's exit summary.
void read_forward_counts(const std::string &stderr_text, ForwardRow &row)
{
	size_t at = stderr_text.find(": emitted=");
	if (at == std::string::npos)
		guard::fail("guard printed no forwarding summary: " + stderr_text);
	unsigned long long e = 0, s = 0, d = 0;
	std::sscanf(stderr_text.c_str() + at, ": emitted=%llu sent=%llu dropped=%llu", &e, &s, &d);
	row.emitted = e;
	row.sent = s;
	row.dropped = d;
}

struct RunFacts {
	uint64_t ops = 0, lines = 0, cpu_ns = 0, kernel_drops = 0, user_drops = 0;
};

RunFacts run_at(Setup setup, const Plan &plan, double rate, const std::string &syslog_url, ForwardRow *row)
{
	if (!syslog_url.empty())
		setup.guard_args.insert(setup.guard_args.end(), {"--syslog", syslog_url});
	Agent agent(AgentKind::guard, setup, AgentOutput::file);
	uint64_t cpu_before = process_cpu_ns(agent.pid());
	WorkloadResult w = run_workload(setup, {plan.forward_op, plan.forward_seconds, rate, 0, setup.workload_cpu});
	settle(agent);
	RunFacts f;
	f.ops = w.ops;
	f.cpu_ns = process_cpu_ns(agent.pid()) - cpu_before;
	f.kernel_drops = agent.kernel_drops().value_or(0);
	agent.stop();
	EventCounts counts = count_events(agent.output_path());
	f.lines = counts.lines;
	f.user_drops = counts.drops.user + counts.drops.output_bytes;
	if (row)
		read_forward_counts(agent.stderr_text(), *row);
	return f;
}

} // namespace

Forward measure_forward(const Setup &setup, const Plan &plan)
{
	Forward fw;
	fw.op = plan.forward_op;
	fw.seconds = plan.forward_seconds;
	if (::access(kRsyslogd, X_OK) != 0) {
		fw.skipped = std::string(kRsyslogd) + " is not installed (make deps installs rsyslog for make test)";
		return fw;
	}
	for (double rate : plan.forward_rates) {
		ForwardRow row;
		row.rate = rate;
		RunFacts file_only = run_at(setup, plan, rate, "", nullptr);
		Rsyslog rsyslog(setup.scratch);
		RunFacts both = run_at(setup, plan, rate, "tcp://127.0.0.1:" + std::to_string(rsyslog.port), &row);
		rsyslog.settle();
		row.received = rsyslog.lines();
		row.file_ops = file_only.ops;
		row.file_lines = file_only.lines;
		row.file_drops = file_only.kernel_drops + file_only.user_drops;
		row.file_cpu_us_per_line = file_only.lines ? file_only.cpu_ns / 1e3 / static_cast<double>(file_only.lines) : 0;
		row.ops = both.ops;
		row.lines = both.lines;
		row.drops = both.kernel_drops + both.user_drops;
		row.cpu_us_per_line = both.lines ? both.cpu_ns / 1e3 / static_cast<double>(both.lines) : 0;
		std::fprintf(stderr,
			     "bench: forward at %.0f ops/s: file alone %llu lines, %.3f us/line; with syslog %llu lines, "
			     "%.3f us/line, emitted %llu sent %llu dropped %llu received %llu\n",
			     rate, static_cast<unsigned long long>(row.file_lines), row.file_cpu_us_per_line,
			     static_cast<unsigned long long>(row.lines), row.cpu_us_per_line,
			     static_cast<unsigned long long>(row.emitted), static_cast<unsigned long long>(row.sent),
			     static_cast<unsigned long long>(row.dropped), static_cast<unsigned long long>(row.received));
		fw.rows.push_back(row);
	}
	return fw;
}

} // namespace bench
