// SPDX-License-Identifier: GPL-2.0-or-later
// Where the kernel-side time goes: with BPF run-time statistics on (what
// `sysctl kernel.bpf_stats_enabled=1` turns on; here through BPF_ENABLE_STATS,
// which turns them off again when its fd closes, even if we crash), each
// program's bpf_prog_info.run_time_ns / run_cnt over one run of each
// workload, for the floor's empty programs and for guard's. The statistics
// add two clock reads per run, so this pass is separate from the overhead one.
#include <cstdio>
#include <map>

#include "tools/bench/harness/bpf_query.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/workload_run.h"

namespace bench {

namespace {

// program name -> (runs, ns) over one run of op, for one agent.
using Usage = std::map<std::string, std::pair<uint64_t, uint64_t>>;

std::map<std::string, Usage> usage_per_op(const Setup &setup, const Plan &plan, AgentKind kind,
					  std::map<std::string, uint64_t> &ops_done)
{
	Agent agent(kind, setup);
	std::vector<uint32_t> ids = held_bpf(agent.pid()).prog_ids;
	std::map<std::string, Usage> per_op;
	for (const std::string &op : plan.ops) {
		auto before = program_counters(ids);
		WorkloadResult r = run_workload(setup, {op, plan.seconds, 0, 0, setup.workload_cpu});
		auto after = program_counters(ids);
		ops_done[op] = r.ops;
		for (auto &[id, c] : after) {
			uint64_t runs = c.run_cnt - before[id].run_cnt;
			if (runs)
				per_op[op][c.name] = {runs, c.run_time_ns - before[id].run_time_ns};
		}
	}
	agent.stop();
	return per_op;
}

} // namespace

std::vector<ProgramTime> measure_program_time(const Setup &setup, const Plan &plan)
{
	guard::Fd stats = enable_run_time_stats();
	std::map<std::string, uint64_t> floor_ops, guard_ops;
	auto floor = usage_per_op(setup, plan, AgentKind::floor, floor_ops);
	auto guard_usage = usage_per_op(setup, plan, AgentKind::guard, guard_ops);

	std::vector<ProgramTime> rows;
	for (const std::string &op : plan.ops) {
		for (const auto &[name, g] : guard_usage[op]) {
			ProgramTime t;
			t.op = op;
			t.program = name;
			t.guard_runs = g.first;
			t.guard_ns = static_cast<double>(g.second) / static_cast<double>(g.first);
			t.ops = guard_ops[op];
			if (auto f = floor[op].find(name); f != floor[op].end() && f->second.first) {
				t.floor_runs = f->second.first;
				t.floor_ns = static_cast<double>(f->second.second) / static_cast<double>(f->second.first);
			}
			rows.push_back(t);
		}
	}
	return rows;
}

} // namespace bench
