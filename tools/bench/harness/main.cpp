// SPDX-License-Identifier: GPL-2.0-or-later
// guard-bench: what guard costs the host and how well it keeps up, measured
// side by side with no agent and with the floor (guard's tracepoints, empty
// programs). Run by `make bench` as root; see docs/benchmarks.md.
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <ctime>
#include <fstream>

#include "base/error.h"
#include "tools/bench/harness/measure.h"
#include "tools/bench/harness/report.h"

namespace {

std::string machine_description()
{
	std::ifstream cpu("/proc/cpuinfo"), mem("/proc/meminfo");
	std::string model = "unknown CPU", line;
	while (std::getline(cpu, line))
		if (line.rfind("model name", 0) == 0) {
			model = line.substr(line.find(':') + 2);
			break;
		}
	unsigned long long mem_kib = 0;
	while (std::getline(mem, line))
		if (std::sscanf(line.c_str(), "MemTotal: %llu kB", &mem_kib) == 1)
			break;
	return model + ", " + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + " CPUs, " +
	       std::to_string((mem_kib + 524288) / 1048576) + " GiB";
}

std::string utc_now()
{
	char buf[64];
	std::time_t now = std::time(nullptr);
	std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
	return buf;
}

} // namespace

int main(int argc, char **argv)
{
	bench::Setup setup;
	bench::Plan plan;
	bool quick = false;
	std::string docs, command;
	std::vector<std::string> stages{"startup", "overhead", "throughput", "latency", "programs", "profile", "engine",
					 "forward"};
	std::vector<std::string> notes;

	CLI::App app{"guard-bench: guard's cost and capacity against no agent and an empty-program floor (root)."};
	app.add_option("--guard", setup.guard, "guard binary")->capture_default_str();
	app.add_option("--guard-arg", setup.guard_args, "extra argument for guard (repeatable)");
	app.add_option("--disable", setup.disabled, "event family off in guard and the floor alike (repeatable)");
	app.add_option("--floor", setup.floor, "guard-floor binary")->capture_default_str();
	app.add_option("--workload", setup.workload, "guard-workload binary")->capture_default_str();
	app.add_option("--object", setup.object, "guard's BPF object, for the floor")->capture_default_str();
	app.add_option("--scratch", setup.scratch, "directory for workload files and guard's output")->capture_default_str();
	app.add_option("--workload-cpu", setup.workload_cpu, "CPU the workloads run on")->capture_default_str();
	app.add_option("--agent-cpu", setup.agent_cpu, "CPU the agent (and this harness) run on")->capture_default_str();
	app.add_flag("--quick", quick, "short runs, for iterating on the harness");
	app.add_option("--reps", plan.reps, "interleaved repetitions")->capture_default_str();
	app.add_option("--seconds", plan.seconds, "seconds per workload run")->capture_default_str();
	app.add_option("--ops", plan.ops, "workloads to compare")->capture_default_str();
	app.add_option("--throughput-seconds", plan.throughput_seconds)->capture_default_str();
	app.add_option("--stages", stages, "which measurements")->capture_default_str();
	app.add_option("--engine-command", plan.engine_command, "the engine's replay benchmark (prints \"<N> records/s\")");
	app.add_option("--note", notes, "a line for the report's \"Not measured\" section (repeatable)");
	app.add_option("--docs", docs, "also write the results into this markdown file, between its markers");
	app.add_option("--command", command, "the command to show in the report (default: this one)");
	CLI11_PARSE(app, argc, argv);

	if (quick) {
		plan.reps = 2;
		plan.seconds = 0.3;
		plan.throughput_seconds = 3;
		plan.latency_low_seconds = 2;
		plan.latency_max_seconds = 1;
		plan.startups = 2;
		plan.profile_seconds = 2;
		plan.engine_records = 1e6;
		plan.forward_seconds = 1;
	}
	if (command.empty())
		for (int i = 0; i < argc; i++)
			command += (i ? " " : "") + std::string(argv[i]);
	auto wanted = [&](const char *stage) { return std::find(stages.begin(), stages.end(), stage) != stages.end(); };

	if (::geteuid() != 0) {
		std::fprintf(stderr, "guard-bench: must run as root (it loads BPF programs)\n");
		return 1;
	}
	try {
		::mkdir(setup.scratch.c_str(), 0700);
		bench::pin_self(setup.agent_cpu);

		bench::Results r;
		struct utsname u {};
		::uname(&u);
		r.machine = machine_description();
		r.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
		r.date = utc_now();
		r.command = command;
		r.quick = quick;
		r.notes = notes;
		r.stages = stages;
		if (wanted("startup"))
			r.startup = bench::measure_startup(setup, plan);
		if (wanted("overhead"))
			r.overhead = bench::measure_overhead(setup, plan);
		if (wanted("throughput"))
			r.throughput = bench::measure_throughput(setup, plan);
		if (wanted("latency"))
			r.latency = bench::measure_latency(setup, plan);
		if (wanted("programs"))
			r.program_time = bench::measure_program_time(setup, plan);
		if (wanted("profile"))
			r.profile = bench::measure_profile(setup, plan);
		if (wanted("engine"))
			r.engine = bench::measure_engine(setup, plan);
		if (wanted("forward"))
			r.forward = bench::measure_forward(setup, plan);
		if (!r.forward.skipped.empty())
			r.notes.push_back("forward: " + r.forward.skipped);
		if (!r.profile.skipped.empty())
			r.notes.push_back("profile: " + r.profile.skipped);

		std::string report = bench::markdown_report(r);
		std::fputs(report.c_str(), stdout);
		std::ofstream(setup.scratch + "/results.md") << report;
		if (!docs.empty())
			bench::write_into_doc(docs, report);
		return 0;
	} catch (const guard::Error &e) {
		std::fprintf(stderr, "guard-bench: %s\n", e.what());
		return 1;
	}
}
