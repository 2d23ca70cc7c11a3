// SPDX-License-Identifier: GPL-2.0-or-later
// The engine alone: decode, enrich, match and format with the default rules,
// output to /dev/null, no kernel involved. guard records the raw records of
// every workload (`guard record FILE`, the same rings and programs as the
// live agent), then `guard replay FILE --stats --repeat N` runs them through
// the engine on one pinned CPU and prints "... <N> records/s on one core".
// --engine-command adds another benchmark printing "<N> records/s" (the
// engine's own tools/bench/engine_bench, over records built in memory).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/error.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/workload_run.h"

namespace bench {

namespace {

// Runs argv pinned to cpu; returns what it printed (stdout and stderr).
std::string run_pinned(const std::vector<std::string> &argv, int cpu)
{
	Spawned s = spawn(argv, cpu, true, false);
	std::string out;
	char buf[4096];
	for (ssize_t n; (n = ::read(s.out.get(), buf, sizeof(buf))) != 0;)
		if (n > 0)
			out.append(buf, static_cast<size_t>(n));
		else if (errno != EINTR)
			break;
	wait_success(s.pid, argv.at(0) + " " + argv.at(1));
	return out;
}

// "<N> records/s" in text, and the record count before " records in ".
bool parse_rate(const std::string &text, double &rate, double &records)
{
	size_t at = text.find(" records/s");
	if (at == std::string::npos)
		return false;
	size_t start = text.find_last_of(" \t\n", at - 1);
	rate = std::atof(text.c_str() + (start == std::string::npos ? 0 : start + 1));
	size_t in = text.find(" records in ");
	if (in != std::string::npos) {
		size_t s = text.find_last_of(" \t\n", in - 1);
		records = std::atof(text.c_str() + (s == std::string::npos ? 0 : s + 1));
	}
	return true;
}

} // namespace

EngineBench measure_engine(const Setup &setup, const Plan &plan)
{
	EngineBench e;
	std::string recording;
	{
		Agent recorder(AgentKind::guard, setup, AgentOutput::record);
		for (const std::string &op : plan.ops)
			run_workload(setup, {op, plan.engine_record_seconds, 0, 0, setup.workload_cpu});
		sleep_ms(300); // the last records reach the file
		recorder.stop();
		recording = setup.scratch + "/engine-recording.bin";
		std::rename(recorder.output_path().c_str(), recording.c_str());
	}
	// Once to count the records, then enough repeats for a few seconds' work.
	double rate = 0, records = 0;
	std::string once = run_pinned(
		{"/bin/sh", "-c", "exec " + setup.guard + " replay " + recording + " --stats -o /dev/null 2>&1"},
		setup.workload_cpu);
	if (!parse_rate(once, rate, records) || records <= 0)
		guard::fail("guard replay printed no \"<N> records/s\": " + once);
	e.recording_records = static_cast<uint64_t>(records);
	std::string repeat = std::to_string(static_cast<unsigned>(std::max(1.0, std::ceil(plan.engine_records / records))));
	e.replay.command = setup.guard + " replay RECORDING --stats --repeat " + repeat + " -o /dev/null";
	e.replay.output = run_pinned({"/bin/sh", "-c",
				      "exec " + setup.guard + " replay " + recording + " --stats --repeat " + repeat +
					      " -o /dev/null 2>&1"},
				     setup.workload_cpu);
	std::remove(recording.c_str());
	if (!parse_rate(e.replay.output, e.replay.records_per_s, records))
		guard::fail("guard replay printed no \"<N> records/s\": " + e.replay.output);
	e.replay.ran = true;
	std::fprintf(stderr, "bench: engine: guard replay %.0f records/s\n", e.replay.records_per_s);

	if (!plan.engine_command.empty()) {
		e.other.command = plan.engine_command;
		e.other.output = run_pinned({"/bin/sh", "-c", plan.engine_command + " 2>&1"}, setup.workload_cpu);
		if (!parse_rate(e.other.output, e.other.records_per_s, records))
			guard::fail("engine benchmark `" + e.other.command + "` printed no \"<N> records/s\": " + e.other.output);
		e.other.ran = true;
		std::fprintf(stderr, "bench: engine: %s %.0f records/s\n", e.other.command.c_str(), e.other.records_per_s);
	}
	return e;
}

} // namespace bench
