// SPDX-License-Identifier: GPL-2.0-or-later
// Where the time goes: `perf record` (software clock: this machine's VM
// exposes no hardware counters) of the agent while open_missing runs flat
// out, with callers; then of the open workload while guard runs, where
// guard's programs and the kernel's tracepoint dispatch show by symbol.
// Optional: skipped, with a note, when perf is not installed.
#include <sys/wait.h>

#include <cstdio>

#include "base/error.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/workload_run.h"

namespace bench {

namespace {

std::string run_capture(const std::string &command)
{
	std::string out;
	FILE *p = ::popen(command.c_str(), "r");
	if (!p)
		guard::fail(guard::errno_message("run " + command, errno));
	char buf[4096];
	while (std::fgets(buf, sizeof(buf), p))
		out += buf;
	if (::pclose(p) != 0)
		guard::fail("`" + command + "` failed: " + out);
	return out;
}

// perf record of pid for seconds, then the report's lines (not its comment
// header), at most 40.
std::string perf_top(const Setup &setup, pid_t pid, double seconds, const std::string &report_command)
{
	std::string data = setup.scratch + "/perf.data";
	Spawned perf = spawn({"/bin/sh", "-c",
			      "exec perf record -q -e cpu-clock -F 4000 -g -p " + std::to_string(pid) + " -o " + data +
				      " -- sleep " + std::to_string(seconds) + " >/dev/null 2>&1"},
			     kAnyCpu, false, false);
	wait_success(perf.pid, "perf record");
	std::string report = run_capture(report_command + " -i " + data + " 2>/dev/null");
	std::remove(data.c_str());
	std::remove((data + ".old").c_str());
	std::string top;
	size_t kept = 0;
	size_t start = 0;
	for (size_t nl; (nl = report.find('\n', start)) != std::string::npos && kept < 40; start = nl + 1) {
		std::string line = report.substr(start, nl - start);
		if (line.empty() || line[0] == '#' || line.find_first_not_of(" |-") == std::string::npos)
			continue;
		top += line + "\n";
		kept++;
	}
	return top;
}

} // namespace

Profile measure_profile(const Setup &setup, const Plan &plan)
{
	Profile prof;
	if (std::system("command -v perf >/dev/null 2>&1") != 0) {
		prof.skipped = "perf is not installed (Debian: linux-perf)";
		return prof;
	}
	prof.seconds = plan.profile_seconds;
	prof.agent_command = "perf report --no-children --sort sym --stdio -g caller,0.5,callee,function,percent --percent-limit 2";
	prof.workload_command = "perf report --no-children --sort sym --stdio -g none --percent-limit 1";
	Agent agent(AgentKind::guard, setup);
	// The agent, while open_missing keeps it busy; then the open workload
	// itself, where guard's programs run.
	Spawned w = start_workload(setup, {"open_missing", plan.profile_seconds + 1, 0, 0, setup.workload_cpu});
	sleep_ms(500);
	prof.agent_top = perf_top(setup, agent.pid(), plan.profile_seconds, prof.agent_command);
	finish_workload(w, "open_missing");
	w = start_workload(setup, {"open", plan.profile_seconds + 1, 0, 0, setup.workload_cpu});
	sleep_ms(500);
	prof.workload_top = perf_top(setup, w.pid, plan.profile_seconds, prof.workload_command);
	finish_workload(w, "open");
	agent.stop();
	prof.ran = true;
	return prof;
}

} // namespace bench
