// SPDX-License-Identifier: GPL-2.0-or-later
// Latency from a syscall to its line: guard writes to a pipe we read; each
// chunk read is stamped with CLOCK_BOOTTIME on arrival, and a line's latency
// is that stamp minus its boot_ns (bpf_ktime_get_boot_ns() in the program,
// the same clock). It includes the ring wakeup, decode, match, format, the
// batched write and the pipe: everything up to a reader having the line.
#include <poll.h>
#include <sys/wait.h>

#include <cinttypes>
#include <cstdio>

#include "tools/bench/harness/event_lines.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/workload_run.h"

namespace bench {

namespace {

// Takes every complete line in `pending`, keeping an unfinished one; counts
// the event lines of every process in `lines`.
void take_lines(std::string &pending, uint64_t arrived, uint32_t pid, std::vector<double> &latencies_ms,
		uint64_t &lines)
{
	size_t start = 0;
	for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
		LineFacts f;
		std::string_view line(pending.data() + start, nl - start);
		if (!line_facts(line, f) || f.health)
			continue;
		lines++;
		if (f.pid == pid && f.boot_ns && f.boot_ns <= arrived)
			latencies_ms.push_back(static_cast<double>(arrived - f.boot_ns) / 1e6);
	}
	pending.erase(0, start);
}

LatencyRow measure_at(const Setup &setup, Agent &agent, const std::string &label, double rate, double seconds)
{
	std::string pending;
	std::vector<double> latencies;
	uint64_t lines = 0;
	char buf[1 << 16];
	auto read_for = [&](int quiet_ms, uint32_t pid) {
		// Until nothing arrived for quiet_ms.
		for (;;) {
			struct pollfd p {agent.output_fd(), POLLIN, 0};
			if (::poll(&p, 1, quiet_ms) <= 0)
				return;
			ssize_t n = ::read(agent.output_fd(), buf, sizeof(buf));
			uint64_t arrived = boottime_ns();
			if (n <= 0)
				return;
			pending.append(buf, static_cast<size_t>(n));
			take_lines(pending, arrived, pid, latencies, lines);
		}
	};
	read_for(50, 0); // what came before is not ours
	lines = 0;
	SchedStat agent_before = agent.sched_stat();

	Spawned w = start_workload(setup, {"open", seconds, rate, 0, setup.workload_cpu});
	uint32_t pid = static_cast<uint32_t>(w.pid);
	// The workload's pid is known before it runs, so every one of its lines counts.
	for (;;) {
		read_for(20, pid);
		siginfo_t info {};
		// WNOWAIT: only look; finish_workload() reaps it and reads its result.
		if (::waitid(P_PID, static_cast<id_t>(w.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == w.pid)
			break;
	}
	read_for(300, pid);
	SchedStat agent_after = agent.sched_stat();
	WorkloadResult r = finish_workload(w, "open");

	LatencyRow row;
	row.label = label;
	row.rate = rate;
	row.samples = latencies.size();
	row.achieved_rate = static_cast<double>(r.ops) / (static_cast<double>(r.ns) / 1e9);
	row.p50_ms = quantile(latencies, 0.50);
	row.p99_ms = quantile(latencies, 0.99);
	row.max_ms = quantile(latencies, 1.0);
	row.workload_cpu_ns_per_op = r.cpu_ns_per_op;
	row.lines = lines;
	row.agent_us_per_line =
		lines ? static_cast<double>(agent_after.cpu_ns - agent_before.cpu_ns) / 1e3 / static_cast<double>(lines) : 0;
	row.agent_runs = agent_after.runs - agent_before.runs;
	row.agent_queue_us_per_run =
		row.agent_runs ? static_cast<double>(agent_after.wait_ns - agent_before.wait_ns) / 1e3 /
					 static_cast<double>(row.agent_runs)
			       : 0;
	std::fprintf(stderr,
		     "bench: latency %s: %zu lines, p50 %.3f ms, p99 %.3f ms; workload %.0f CPU ns/op, agent %.3f us/line "
		     "over %" PRIu64 " lines, %" PRIu64 " runs waiting %.0f us each for a CPU\n",
		     label.c_str(), latencies.size(), row.p50_ms, row.p99_ms, row.workload_cpu_ns_per_op,
		     row.agent_us_per_line, lines, row.agent_runs, row.agent_queue_us_per_run);
	return row;
}

} // namespace

std::vector<LatencyRow> measure_latency(const Setup &setup, const Plan &plan)
{
	Agent agent(AgentKind::guard, setup, AgentOutput::pipe);
	std::vector<LatencyRow> rows;
	rows.push_back(measure_at(setup, agent, "100 opens/s", 100, plan.latency_low_seconds));
	rows.push_back(measure_at(setup, agent, "opens flat out", 0, plan.latency_max_seconds));
	agent.stop();
	return rows;
}

} // namespace bench
