// SPDX-License-Identifier: GPL-2.0-or-later
#include "tools/bench/harness/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace bench {

namespace {

constexpr const char *kBegin = "<!-- bench results begin -->";
constexpr const char *kEnd = "<!-- bench results end -->";

std::string num(double v, int decimals = 0)
{
	if (std::isnan(v) || std::isinf(v))
		return "n/a";
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return buf;
}

std::string range(const Summary &s, int decimals = 0)
{
	if (s.n == 0)
		return "n/a";
	return num(s.median, decimals) + " (" + num(s.min, decimals) + " .. " + num(s.max, decimals) + ")";
}

std::string mib(uint64_t bytes) { return num(static_cast<double>(bytes) / 1048576.0, 1) + " MiB"; }

// "met" or "missed by X" for a measured value against a ceiling.
std::string verdict_at_most(double measured, double limit, const std::string &unit)
{
	if (std::isnan(measured))
		return "not measured";
	if (measured <= limit)
		return "met";
	return "**missed** by " + num(measured - limit, measured - limit < 10 ? 2 : 0) + unit + " (" +
	       num(measured / limit, 1) + "x the target)";
}

std::string drops_text(const Throughput &t)
{
	return (t.drops_reported ? std::to_string(t.kernel_drops) + " dropped in the kernel (all processes" +
					   (t.proc_net_drops ? "; of them " + std::to_string(*t.proc_net_drops) +
								       " process and network records"
							     : std::string()) +
					   ")"
				 : std::string("no kernel drop counter in guard")) +
	       (t.user_drops_reported ? ", " + std::to_string(t.user_drops) + " in userspace (decode errors), " +
					std::to_string(t.output_bytes_dropped) + " output bytes unwritten"
				      : ", userspace drops not reported by guard");
}

const OverheadRow *row_of(const Overhead &o, const std::string &op)
{
	for (const OverheadRow &row : o.rows)
		if (row.op == op)
			return &row;
	return nullptr;
}

void ratio_targets(std::ostringstream &md, const Overhead &o, const std::vector<std::string> &ops, double limit,
		   const std::string &what)
{
	for (const std::string &op : ops)
		if (const OverheadRow *found = row_of(o, op)) {
			const Cost *row = &found->cpu;
			// A floor that adds nothing measurable leaves no ratio to take.
			bool floor_seen = row->floor_added_ns.median > 0;
			md << "| " << what << " (" << op << "): guard's added cost <= " << num(limit, 1)
			   << "x the floor's | " << (floor_seen ? num(row->guard_over_floor, 2) + "x" : "no ratio")
			   << " (guard +" << num(row->guard_added_ns.median) << " ns, floor +"
			   << num(row->floor_added_ns.median) << " ns of CPU per op) | "
			   << (floor_seen ? verdict_at_most(row->guard_over_floor, limit, "x")
					  : "not measurable: the floor's cost is within noise")
			   << " |\n";
		}
}

void throughput_targets(std::ostringstream &md, const Throughput &t)
{
	uint64_t lost = t.generated > t.written ? t.generated - t.written : 0;
	md << "| 0 events lost over " << num(t.seconds) << " s flat out, default rings | " << lost << " of " << t.generated
	   << " missing from the output; " << drops_text(t) << " | "
	   << (t.generated == 0 ? "not measured" : lost == 0 ? "met" : "**missed** by " + std::to_string(lost) + " events")
	   << " |\n";

	double us_per_event = t.all_lines ? t.cpu_s * 1e6 / static_cast<double>(t.all_lines) : NAN;
	md << "| agent CPU <= 0.2 us per event | " << num(us_per_event, 3) << " us (throughput run) | "
	   << verdict_at_most(us_per_event, 0.2, " us") << " |\n";
}

void targets(std::ostringstream &md, const Results &r)
{
	const Throughput &t = r.throughput;
	auto ran = [&](const char *stage) { return std::find(r.stages.begin(), r.stages.end(), stage) != r.stages.end(); };
	md << "### Targets (issue 6)\n\n| target | measured | verdict |\n|---|---|---|\n";
	ratio_targets(md, r.overhead, {"open", "open_missing"}, 1.5, "openat");
	ratio_targets(md, r.overhead, {"exec"}, 1.2, "exec");
	ratio_targets(md, r.overhead, {"connect4", "connect6"}, 1.2, "connect");
	if (ran("throughput"))
		throughput_targets(md, t);
	if (ran("engine")) {
		const EngineBench &e = r.engine;
		md << "| engine replay >= 10 M records/s/core | " << num(e.replay.records_per_s / 1e6, 2)
		   << " M/s (guard replay of the workloads' recording)";
		if (e.other.ran)
			md << "; " << num(e.other.records_per_s / 1e6, 2) << " M/s (`" << e.other.command << "`)";
		md << " | "
		   << (e.replay.records_per_s >= 10e6
			       ? "met"
			       : "**missed** by " + num((10e6 - e.replay.records_per_s) / 1e6, 2) + " M/s (" +
					 num(10e6 / e.replay.records_per_s, 1) + "x short)")
		   << " |\n";
	}
	for (const LatencyRow &l : r.latency) {
		// A quiet host's events wake the agent at once (issue 18).
		double limit = l.rate > 0 && l.rate <= 100 ? 2 : 20;
		md << "| latency p99 < " << num(limit) << " ms, " << l.label << " | " << num(l.p99_ms, 2) << " ms | "
		   << verdict_at_most(l.p99_ms, limit, " ms") << " |\n";
	}
	if (ran("startup"))
		md << "| start to attached < 50 ms | " << num(r.startup.guard_measured_ms.median, 1) << " ms | "
		   << verdict_at_most(r.startup.guard_measured_ms.median, 50, " ms") << " |\n";
	if (!ran("startup") || !ran("throughput")) {
		md << "\n";
		return;
	}
	// VmRSS counts a ring's data pages twice (the kernel maps them twice
	// in a row so that a wrapping record reads contiguously): the memory
	// the rings really take is their size, counted once here.
	uint64_t limit = r.startup.ring_bytes + (uint64_t(8) << 20);
	uint64_t rss = std::max(r.startup.rss_idle, t.rss_max);
	uint64_t mapped = rss == t.rss_max ? t.rss_max_bpf_maps : r.startup.rss_idle_bpf_maps;
	uint64_t real = rss - std::min(rss, mapped) + r.startup.ring_bytes;
	md << "| RSS <= rings + 8 MiB (" << mib(limit) << ") | VmRSS " << mib(rss) << " (idle " << mib(r.startup.rss_idle)
	   << ", flat out " << mib(t.rss_max) << "), of which BPF map mappings " << mib(mapped) << "; with the rings counted once: "
	   << mib(real) << " | "
	   << verdict_at_most(static_cast<double>(real) / 1048576.0, static_cast<double>(limit) / 1048576.0, " MiB")
	   << " |\n\n";
}

void overhead(std::ostringstream &md, const Overhead &o)
{
	md << "### Cost per operation\n\n"
	   << o.reps << " interleaved repetitions of " << num(o.seconds, 1)
	   << " s per workload; median (min .. max). The workload's CPU time per op (its own and its children's, "
	      "user + system: BPF programs run in its context); \"+ns\" is over the mean of the no-agent runs just "
	      "before and after. Guard's CPU per event is its CPU time in the run over every line it wrote meanwhile.\n\n"
	   << "| workload | no agent, ns/op | floor, +ns/op | guard, +ns/op | guard / floor | guard CPU, us/event | "
	      "events written / ops | kernel drops |\n|---|---|---|---|---|---|---|---|\n";
	for (const OverheadRow &row : o.rows)
		md << "| " << row.op << " | " << range(row.cpu.none_ns) << " | " << range(row.cpu.floor_added_ns) << " | "
		   << range(row.cpu.guard_added_ns) << " | " << num(row.cpu.guard_over_floor, 2) << " | "
		   << range(row.guard_cpu_us_per_event, 3) << " | " << row.events << " / " << row.ops << " = "
		   << num(row.events_per_op.median, 3) << " | "
		   << (row.kernel_drops ? std::to_string(*row.kernel_drops) : std::string("n/a")) << " |\n";
	md << "\nThe same runs in wall-clock time per op (includes time the workload waited for its CPU while "
	      "other processes used it):\n\n"
	   << "| workload | no agent, ns/op | floor, +ns/op | guard, +ns/op | guard / floor |\n|---|---|---|---|---|\n";
	for (const OverheadRow &row : o.rows)
		md << "| " << row.op << " | " << range(row.wall.none_ns) << " | " << range(row.wall.floor_added_ns) << " | "
		   << range(row.wall.guard_added_ns) << " | " << num(row.wall.guard_over_floor, 2) << " |\n";
	md << "\n";
}

void throughput(std::ostringstream &md, const Throughput &t)
{
	md << "### Throughput\n\nWorkloads ";
	for (size_t i = 0; i < t.ops.size(); i++)
		md << (i ? " and " : "") << t.ops[i] << " (" << num(t.events_per_op.at(t.ops[i]), 2) << " events/op)";
	md << " flat out for " << num(t.seconds) << " s, one per CPU, guard unpinned.\n\n"
	   << "| ops | events generated | events written | dropped | generated - written | "
	      "events/s written | agent CPU s per M events | agent RSS max |\n|---|---|---|---|---|---|---|---|\n"
	   << "| " << t.workload_ops << " | " << t.generated << " | " << t.written << " | "
	   << drops_text(t) << " | " << static_cast<int64_t>(t.generated - t.written) << " | "
	   << num(static_cast<double>(t.written) / t.seconds) << " | "
	   << num(t.all_lines ? t.cpu_s * 1e6 / static_cast<double>(t.all_lines) : NAN, 3) << " (" << num(t.cpu_s, 2)
	   << " s for " << t.all_lines << " lines; utime+stime " << num(t.stat_cpu_s, 2) << " s) | " << mib(t.rss_max)
	   << " |\n\n";
}

void latency(std::ostringstream &md, const std::vector<LatencyRow> &rows)
{
	md << "### Latency, syscall to line read from guard's stdout\n\n"
	   << "| load | achieved opens/s | lines | p50 | p99 | max | workload CPU ns/op | agent CPU us/line (all lines) "
	      "| agent runs, wait for a CPU per run |\n|---|---|---|---|---|---|---|---|---|\n";
	for (const LatencyRow &l : rows)
		md << "| " << l.label << " | " << num(l.achieved_rate) << " | " << l.samples << " | " << num(l.p50_ms, 3)
		   << " ms | " << num(l.p99_ms, 3) << " ms | " << num(l.max_ms, 3) << " ms | "
		   << num(l.workload_cpu_ns_per_op) << " | " << num(l.agent_us_per_line, 3) << " (" << l.lines << ") | "
		   << l.agent_runs << ", " << num(l.agent_queue_us_per_run) << " us |\n";
	md << "\n";
}

void startup(std::ostringstream &md, const Startup &s)
{
	md << "### Start-up and memory\n\n"
	   << "| guard start to attached (seen from outside) | as guard reports it | floor, as it reports it | "
	      "programs | binary | RSS idle | rings |\n|---|---|---|---|---|---|---|\n"
	   << "| " << range(s.guard_measured_ms, 1) << " ms | " << range(s.guard_reported_ms) << " ms | "
	   << range(s.floor_reported_ms) << " ms | " << s.programs << " | " << mib(s.binary_bytes) << " | "
	   << mib(s.rss_idle) << " (BPF map mappings " << mib(s.rss_idle_bpf_maps) << ", other file-backed "
	   << mib(s.rss_idle_file - std::min(s.rss_idle_file, s.rss_idle_bpf_maps)) << ", anon " << mib(s.rss_idle_anon)
	   << ") | " << mib(s.ring_bytes) << " |\n\n"
	   << "`" << s.attached_line << "`\n\n";
}

void program_time(std::ostringstream &md, const std::vector<ProgramTime> &rows)
{
	md << "### BPF program run time (kernel.bpf_stats_enabled)\n\n"
	   << "Programs that ran at least once per 2 ops of the workload (the others ran for other processes). "
	      "\"all\" sums runs per op x ns per run over every program: the kernel-side time guard adds per op, "
	      "beside the floor's.\n\n"
	   << "| workload | program | runs per op | floor, ns/run | guard, ns/run |\n|---|---|---|---|---|\n";
	for (size_t i = 0; i < rows.size();) {
		const std::string &op = rows[i].op;
		double floor_per_op = 0, guard_per_op = 0;
		for (; i < rows.size() && rows[i].op == op; i++) {
			const ProgramTime &t = rows[i];
			double runs_per_op = t.ops ? static_cast<double>(t.guard_runs) / static_cast<double>(t.ops) : 0;
			guard_per_op += runs_per_op * t.guard_ns;
			floor_per_op += runs_per_op * t.floor_ns;
			if (runs_per_op >= 0.5)
				md << "| " << t.op << " | " << t.program << " | " << num(runs_per_op, 2) << " | "
				   << num(t.floor_ns) << " | " << num(t.guard_ns) << " |\n";
		}
		md << "| " << op << " | **all, ns per op** | | **" << num(floor_per_op) << "** | **" << num(guard_per_op)
		   << "** |\n";
	}
	md << "\n";
}

} // namespace

std::string rate_text(double rate) { return rate > 0 ? num(rate) + " ops/s" : "flat out"; }

// Issue 15's question: at the highest rate the file keeps up with, does the
// syslog path lose nothing?
void forward(std::ostringstream &md, const Forward &f)
{
	md << "### Forwarding to rsyslog over TCP (issue 15)\n\nWorkload " << f.op << " for " << num(f.seconds)
	   << " s per rate; each rate twice: guard writing to a file alone, then to the file and, in the same run, to a "
	      "local rsyslogd (imtcp to omfile) with `--syslog tcp://127.0.0.1:PORT`. Agent CPU counts every thread "
	      "(the forwarder has its own) and every line guard wrote (other processes' too).\n\n"
	   << "| rate | file alone: ops, lines, drops | file alone: agent CPU us/line | file + syslog: ops, lines, "
	      "drops | file + syslog: agent CPU us/line | syslog emitted | sent | dropped | rsyslog wrote |\n"
	      "|---|---|---|---|---|---|---|---|---|\n";
	const ForwardRow *best = nullptr;
	for (const ForwardRow &r : f.rows) {
		md << "| " << rate_text(r.rate) << " | " << r.file_ops << ", " << r.file_lines << ", " << r.file_drops << " | "
		   << num(r.file_cpu_us_per_line, 3) << " | " << r.ops << ", " << r.lines << ", " << r.drops << " | "
		   << num(r.cpu_us_per_line, 3) << " | " << r.emitted << " | " << r.sent << " | " << r.dropped << " | "
		   << r.received << " |\n";
		if (r.file_drops == 0 && r.file_lines >= r.file_ops)
			best = &r;
	}
	md << "\n";
	if (!best) {
		md << "The file path lost events at every rate measured.\n\n";
		return;
	}
	bool lossless = best->dropped == 0 && best->received == best->emitted && best->drops == 0;
	md << "Highest rate the file kept up with: " << rate_text(best->rate) << ". The syslog path there: "
	   << (lossless ? "no loss (every emitted line written by rsyslog)"
			: "emitted " + std::to_string(best->emitted) + ", dropped " + std::to_string(best->dropped) +
				  " (counted), rsyslog wrote " + std::to_string(best->received))
	   << "; forwarding cost "
	   << num(best->cpu_us_per_line - best->file_cpu_us_per_line, 3) << " us of agent CPU per line.\n\n";
}

std::string markdown_report(const Results &r)
{
	std::ostringstream md;
	md << "## Results" << (r.quick ? " (quick mode: short runs, for iterating, not for quoting)" : "") << "\n\n"
	   << "- machine: " << r.machine << "\n- kernel: " << r.kernel << "\n- date: " << r.date << "\n- command: `"
	   << r.command << "`\n\n";
	auto ran = [&](const char *stage) { return std::find(r.stages.begin(), r.stages.end(), stage) != r.stages.end(); };
	targets(md, r);
	if (ran("overhead"))
		overhead(md, r.overhead);
	if (ran("throughput"))
		throughput(md, r.throughput);
	if (ran("latency"))
		latency(md, r.latency);
	if (ran("startup"))
		startup(md, r.startup);
	if (ran("programs"))
		program_time(md, r.program_time);
	if (r.profile.ran) {
		md << "### Where guard's CPU goes (perf, open_missing flat out, " << num(r.profile.seconds) << " s)\n\n`"
		   << r.profile.agent_command << "`\n\n```\n" << r.profile.agent_top << "```\n\n";
		md << "### Where the open workload's CPU goes with guard running (perf, " << num(r.profile.seconds)
		   << " s)\n\n"
		   << "`pvm_irq_enable` collects the samples taken while interrupts were off (this VM's paravirtual "
		      "interrupt flag), mostly at syscall entry and exit.\n\n`"
		   << r.profile.workload_command << "`\n\n```\n" << r.profile.workload_top << "```\n\n";
	}
	if (ran("engine")) {
		md << "### Engine alone\n\nA recording of " << r.engine.recording_records
		   << " records (`guard record` while every workload ran), replayed on one pinned CPU with the default "
		      "rules, output to /dev/null:\n\n`"
		   << r.engine.replay.command << "`\n\n```\n" << r.engine.replay.output << "```\n\n";
		if (r.engine.other.ran)
			md << "The engine's own benchmark:\n\n`" << r.engine.other.command << "`\n\n```\n"
			   << r.engine.other.output << "```\n\n";
	}
	if (ran("forward") && r.forward.skipped.empty())
		forward(md, r.forward);
	if (!r.notes.empty()) {
		md << "### Not measured\n\n";
		for (const std::string &n : r.notes)
			md << "- " << n << "\n";
		md << "\n";
	}
	return md.str();
}

void write_into_doc(const std::string &path, const std::string &report)
{
	std::string doc;
	{
		std::ifstream in(path);
		std::stringstream ss;
		ss << in.rdbuf();
		doc = ss.str();
	}
	size_t begin = doc.find(kBegin), end = doc.find(kEnd);
	std::string block = std::string(kBegin) + "\n" + report + kEnd;
	if (begin == std::string::npos || end == std::string::npos || end < begin)
		doc += "\n" + block + "\n";
	else
		doc.replace(begin, end + std::string(kEnd).size() - begin, block);
	std::ofstream out(path, std::ios::trunc);
	out << doc;
	if (!out)
		guard::fail("write " + path);
}

} // namespace bench
