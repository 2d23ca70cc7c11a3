// SPDX-License-Identifier: GPL-2.0-or-later
// Throughput: two workloads flat out, one on each CPU, with guard free to run
// on either (it competes with them, as on a busy host), for 30 s. Every event
// the workloads caused must be either in guard's output or counted as dropped.
//
// How many events a workload causes is measured first, at a rate low enough
// that nothing can be lost: a run of N ops and one of N + 1000 give the
// events per op (the difference / 1000) and the fixed events of starting and
// ending the process (its exec, the loader's opens, its exit).
#include <sys/wait.h>

#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "tools/bench/harness/event_lines.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/workload_run.h"

namespace bench {

namespace {

struct EventModel {
	double per_op = 0;
	double fixed = 0;
	uint64_t expected(uint64_t ops) const { return static_cast<uint64_t>(std::llround(per_op * static_cast<double>(ops) + fixed)); }
};

EventModel calibrate(const Setup &setup, const std::string &op)
{
	Agent agent(AgentKind::guard, setup);
	WorkloadResult small = run_workload(setup, {op, 0, 2000, 200, setup.workload_cpu});
	WorkloadResult large = run_workload(setup, {op, 0, 2000, 1200, setup.workload_cpu});
	settle(agent);
	agent.stop();
	EventCounts counts = count_events(agent.output_path());
	double a = static_cast<double>(counts.of(static_cast<uint32_t>(small.pid)));
	double b = static_cast<double>(counts.of(static_cast<uint32_t>(large.pid)));
	EventModel m;
	m.per_op = (b - a) / static_cast<double>(large.ops - small.ops);
	m.fixed = a - m.per_op * static_cast<double>(small.ops);
	if (std::fabs(m.per_op - std::round(m.per_op)) > 1e-9 || std::fabs(m.fixed - std::round(m.fixed)) > 1e-9)
		std::fprintf(stderr, "bench: warning: %s causes %.3f events per op + %.3f: not whole numbers\n", op.c_str(),
			     m.per_op, m.fixed);
	return m;
}

} // namespace

Throughput measure_throughput(const Setup &setup, const Plan &plan)
{
	Throughput t;
	t.ops = plan.throughput_ops;
	t.seconds = plan.throughput_seconds;
	std::vector<EventModel> models;
	for (const std::string &op : plan.throughput_ops) {
		models.push_back(calibrate(setup, op));
		t.events_per_op[op] = models.back().per_op;
	}

	Agent agent(AgentKind::guard, setup, AgentOutput::file, kAnyCpu);
	uint64_t cpu_before = agent.cpu_ns(), stat_before = stat_cpu_ns(agent.pid());
	std::vector<Spawned> running;
	for (size_t i = 0; i < plan.throughput_ops.size(); i++)
		running.push_back(start_workload(setup, {plan.throughput_ops[i], plan.throughput_seconds, 0, 0,
							 static_cast<int>(i % 2)}));
	// Sample memory while they run; a workload's exit is noticed by its pipe closing.
	for (int waited_ms = 0; waited_ms < static_cast<int>(plan.throughput_seconds * 1000) + 500; waited_ms += 250) {
		if (uint64_t rss = agent.rss_bytes(); rss > t.rss_max) {
			t.rss_max = rss;
			t.rss_max_bpf_maps = rss_parts(agent.pid()).bpf_maps;
		}
		sleep_ms(250);
	}
	std::vector<WorkloadResult> results;
	for (size_t i = 0; i < running.size(); i++)
		results.push_back(finish_workload(running[i], plan.throughput_ops[i]));
	settle(agent);
	std::optional<uint64_t> kernel_drops = agent.kernel_drops();
	t.proc_net_drops = agent.kernel_drops("proc_net_drops");
	t.cpu_s = static_cast<double>(agent.cpu_ns() - cpu_before) / 1e9;
	t.stat_cpu_s = static_cast<double>(stat_cpu_ns(agent.pid()) - stat_before) / 1e9;
	agent.stop();

	EventCounts counts = count_events(agent.output_path());
	t.all_lines = counts.lines;
	for (size_t i = 0; i < results.size(); i++) {
		t.workload_ops += results[i].ops;
		t.generated += models[i].expected(results[i].ops);
		t.written += counts.of(static_cast<uint32_t>(results[i].pid));
	}
	// The kernel's count is read from guard's map; userspace drops only
	// guard itself can report, in its health records.
	t.drops_reported = kernel_drops.has_value();
	t.kernel_drops = kernel_drops.value_or(0);
	t.user_drops_reported = counts.drops.reported;
	t.user_drops = counts.drops.user;
	t.output_bytes_dropped = counts.drops.output_bytes;
	std::fprintf(stderr, "bench: throughput: %llu ops, %llu events generated, %llu written, %.2f s agent CPU\n",
		     static_cast<unsigned long long>(t.workload_ops), static_cast<unsigned long long>(t.generated),
		     static_cast<unsigned long long>(t.written), t.cpu_s);
	return t;
}

} // namespace bench
