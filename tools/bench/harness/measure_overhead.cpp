// SPDX-License-Identifier: GPL-2.0-or-later
// Overhead: each workload with no agent, the floor and guard, in blocks
//
//   none, floor, none, guard, none, floor, none, guard, ..., none
//
// so that every agent run has a no-agent run of the same workload just
// before and just after it, and its added cost is taken against their mean:
// a machine whose speed drifts (other work, thermal, caches) shifts the
// baseline with it. The workload runs on one CPU and the agent on the other.
#include <sys/stat.h>

#include <cstdio>

#include "tools/bench/harness/event_lines.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/workload_run.h"

namespace bench {

namespace {

struct Run {
	WorkloadResult result;
	uint64_t agent_cpu_ns = 0;
	uint64_t out_from = 0, out_to = 0; // guard's output written during the run
	uint64_t lines = 0, events = 0;    // all of guard's lines in the run; those of the workload
	std::optional<uint64_t> drops;     // kernel drops during the run
};

uint64_t file_size(const std::string &path)
{
	struct stat st {};
	return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// One block: an agent started, every workload run once, the agent stopped.
std::vector<Run> run_block(const Setup &setup, const Plan &plan, AgentKind kind)
{
	Agent agent(kind, setup);
	std::vector<Run> runs;
	for (const std::string &op : plan.ops) {
		Run run;
		run.out_from = kind == AgentKind::guard ? settle(agent) : 0;
		uint64_t cpu_before = agent.cpu_ns();
		std::optional<uint64_t> drops_before = agent.kernel_drops();
		run.result = run_workload(setup, {op, plan.seconds, 0, 0, setup.workload_cpu});
		run.out_to = kind == AgentKind::guard ? settle(agent) : 0;
		run.agent_cpu_ns = agent.cpu_ns() - cpu_before;
		if (std::optional<uint64_t> drops_after = agent.kernel_drops(); drops_after && drops_before)
			run.drops = *drops_after - *drops_before;
		runs.push_back(run);
	}
	agent.stop();
	if (kind == AgentKind::guard) {
		EventCounts all = count_events(agent.output_path());
		for (Run &run : runs) {
			run.lines = count_events(agent.output_path(), run.out_from, run.out_to).lines;
			run.events = all.of(static_cast<uint32_t>(run.result.pid));
		}
	}
	std::fprintf(stderr, "bench: overhead block %-8s:", agent_name(kind));
	for (size_t i = 0; i < runs.size(); i++)
		std::fprintf(stderr, " %s %.0f", plan.ops[i].c_str(), runs[i].result.cpu_ns_per_op);
	std::fprintf(stderr, " CPU ns/op\n");
	return runs;
}

// Added ns per op of each agent run against the no-agent runs around it.
Cost cost_of(const std::vector<AgentKind> &order, const std::vector<std::vector<Run>> &blocks, size_t w,
	     double WorkloadResult::*metric)
{
	std::vector<double> none, floor_added, guard_added;
	for (size_t b = 0; b < order.size(); b++) {
		double v = blocks[b][w].result.*metric;
		if (order[b] == AgentKind::none) {
			none.push_back(v);
			continue;
		}
		double baseline = (blocks[b - 1][w].result.*metric + blocks[b + 1][w].result.*metric) / 2;
		(order[b] == AgentKind::floor ? floor_added : guard_added).push_back(v - baseline);
	}
	Cost c;
	c.none_ns = summarize(none);
	c.floor_added_ns = summarize(floor_added);
	c.guard_added_ns = summarize(guard_added);
	c.guard_over_floor = c.guard_added_ns.median / c.floor_added_ns.median;
	return c;
}

} // namespace

Overhead measure_overhead(const Setup &setup, const Plan &plan)
{
	std::vector<AgentKind> order;
	for (int r = 0; r < plan.reps; r++)
		order.insert(order.end(), {AgentKind::none, AgentKind::floor, AgentKind::none, AgentKind::guard});
	order.push_back(AgentKind::none);

	std::vector<std::vector<Run>> blocks;
	for (AgentKind kind : order)
		blocks.push_back(run_block(setup, plan, kind));

	Overhead o;
	o.reps = plan.reps;
	o.seconds = plan.seconds;
	for (size_t w = 0; w < plan.ops.size(); w++) {
		OverheadRow row;
		row.op = plan.ops[w];
		row.cpu = cost_of(order, blocks, w, &WorkloadResult::cpu_ns_per_op);
		row.wall = cost_of(order, blocks, w, &WorkloadResult::ns_per_op);
		std::vector<double> cpu_per_event, events_per_op;
		for (size_t b = 0; b < order.size(); b++) {
			if (order[b] != AgentKind::guard)
				continue;
			const Run &run = blocks[b][w];
			if (run.lines)
				cpu_per_event.push_back(static_cast<double>(run.agent_cpu_ns) / 1e3 / static_cast<double>(run.lines));
			if (run.result.ops)
				events_per_op.push_back(static_cast<double>(run.events) / static_cast<double>(run.result.ops));
			row.ops += run.result.ops;
			row.events += run.events;
			if (run.drops)
				row.kernel_drops = row.kernel_drops.value_or(0) + *run.drops;
		}
		row.guard_cpu_us_per_event = summarize(cpu_per_event);
		row.events_per_op = summarize(events_per_op);
		o.rows.push_back(row);
	}
	return o;
}

uint64_t settle(const Agent &agent)
{
	// Other processes' events keep the file growing a little, so "stopped
	// growing" means: 100 ms after the workload ended (guard drains on every
	// wakeup), then no growth for 20 ms, or 2 s at most (an agent behind).
	sleep_ms(100);
	uint64_t size = file_size(agent.output_path());
	int stable_ms = 0;
	for (int waited = 0; stable_ms < 20 && waited < 2000; waited += 10) {
		sleep_ms(10);
		uint64_t now = file_size(agent.output_path());
		stable_ms = now == size ? stable_ms + 10 : 0;
		size = now;
	}
	return size;
}

} // namespace bench

