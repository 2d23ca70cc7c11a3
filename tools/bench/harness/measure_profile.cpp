// Where guard's own CPU goes: `perf record` of the agent (software clock:
// this machine's VM exposes no hardware counters) while open_missing runs
// flat out, then `perf report` of the hottest symbols with their callers.
// Optional: skipped, with a note, when perf is not installed.
#include <sys/wait.h>

#include <cstdio>

#include "loader/error.h"
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

} // namespace

Profile measure_profile(const Setup &setup, const Plan &plan)
{
	Profile prof;
	if (std::system("command -v perf >/dev/null 2>&1") != 0) {
		prof.skipped = "perf is not installed (Debian: linux-perf)";
		return prof;
	}
	prof.seconds = plan.profile_seconds;
	std::string data = setup.scratch + "/perf.data";
	Agent agent(AgentKind::guard, setup);
	Spawned w = start_workload(setup, {"open_missing", plan.profile_seconds + 1, 0, 0, setup.workload_cpu});
	sleep_ms(500);
	std::string seconds = std::to_string(plan.profile_seconds);
	Spawned perf = spawn({"/bin/sh", "-c",
			      "exec perf record -q -e cpu-clock -F 4000 -g -p " + std::to_string(agent.pid()) + " -o " + data +
				      " -- sleep " + seconds + " >/dev/null 2>&1"},
			     kAnyCpu, false, false);
	wait_success(perf.pid, "perf record");
	finish_workload(w, "open_missing");
	agent.stop();
	prof.command = "perf report --no-children --sort sym --stdio -g caller,0.5,callee,function,percent --percent-limit 2";
	std::string report = run_capture(prof.command + " -i " + data + " 2>/dev/null");
	std::remove(data.c_str());
	std::remove((data + ".old").c_str());
	// Keep the symbol lines and their call chains, not perf's comment header; at most 40 lines.
	size_t kept = 0;
	size_t start = 0;
	for (size_t nl; (nl = report.find('\n', start)) != std::string::npos && kept < 40; start = nl + 1) {
		std::string line = report.substr(start, nl - start);
		if (line.empty() || line[0] == '#' || line.find_first_not_of(" |-") == std::string::npos)
			continue;
		prof.top += line + "\n";
		kept++;
	}
	prof.ran = true;
	return prof;
}

} // namespace bench
