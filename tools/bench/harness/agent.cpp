// SPDX-License-Identifier: GPL-2.0-or-later
#include "tools/bench/harness/agent.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "base/error.h"
#include "tools/bench/harness/bpf_query.h"

namespace bench {

const char *agent_name(AgentKind kind)
{
	switch (kind) {
	case AgentKind::none:
		return "no agent";
	case AgentKind::floor:
		return "floor";
	case AgentKind::guard:
		return "guard";
	}
	return "?";
}

Agent::Agent(AgentKind kind, const Setup &setup, AgentOutput output, int cpu) : kind_(kind)
{
	if (kind == AgentKind::none)
		return;
	if (cpu == -2)
		cpu = setup.agent_cpu;
	std::vector<std::string> argv;
	std::string needle;
	if (kind == AgentKind::floor) {
		argv = {setup.floor, "--object", setup.object};
		for (const std::string &family : setup.disabled)
			argv.insert(argv.end(), {"--disable", family});
		needle = "guard-floor: attached ";
	} else {
		// guard's own options before the record subcommand, which takes none of them.
		argv = {setup.guard};
		for (const std::string &family : setup.disabled)
			argv.insert(argv.end(), {"--disable", family});
		argv.insert(argv.end(), setup.guard_args.begin(), setup.guard_args.end());
		if (output == AgentOutput::file) {
			output_path_ = setup.scratch + "/guard-events.jsonl";
			std::remove(output_path_.c_str());
			argv.insert(argv.end(), {"--output", output_path_});
		} else if (output == AgentOutput::dev_null) {
			argv.insert(argv.end(), {"--output", "/dev/null"});
		} else if (output == AgentOutput::record) {
			output_path_ = setup.scratch + "/guard-records.bin";
			std::remove(output_path_.c_str());
			argv.insert(argv.end(), {"record", output_path_});
		}
		needle = "guard: attached ";
	}

	uint64_t forked = monotonic_ns();
	Spawned s = spawn(argv, cpu, kind == AgentKind::guard && output == AgentOutput::pipe, true);
	pid_ = s.pid;
	out_ = std::move(s.out);
	err_ = std::move(s.err);
	attached_ = guard::with_context(std::string("start ") + agent_name(kind), [&] {
		return read_line_containing(err_.get(), stderr_text_, needle, std::chrono::seconds(30));
	});
	measured_ms_ = static_cast<double>(monotonic_ns() - forked) / 1e6;
	std::sscanf(attached_.c_str() + attached_.find(needle) + needle.size(), "%zu", &programs_);
	if (size_t in = attached_.rfind(" in "); in != std::string::npos)
		reported_ms_ = std::atof(attached_.c_str() + in + 4);
	if (out_.valid())
		::fcntl(out_.get(), F_SETFL, O_NONBLOCK);
	::fcntl(err_.get(), F_SETFL, O_NONBLOCK);
}

Agent::~Agent()
{
	if (pid_ > 0) {
		::kill(pid_, SIGKILL);
		::waitpid(pid_, nullptr, 0);
	}
	if (!output_path_.empty())
		std::remove(output_path_.c_str());
}

uint64_t Agent::cpu_ns() const { return pid_ > 0 ? bench::cpu_ns(pid_) : 0; }
SchedStat Agent::sched_stat() const { return pid_ > 0 ? bench::sched_stat(pid_) : SchedStat {}; }

uint64_t Agent::rss_bytes() const { return pid_ > 0 ? bench::rss_bytes(pid_) : 0; }

std::optional<uint64_t> Agent::kernel_drops(const std::string &map) const
{
	if (pid_ <= 0)
		return std::nullopt;
	guard::Fd drops = map_held_by(pid_, map);
	if (!drops.valid())
		return std::nullopt;
	return sum_percpu_counters(drops.get());
}

std::optional<uint64_t> Agent::kernel_drops() const
{
	std::optional<uint64_t> total;
	for (const char *map : {"proc_net_drops", "file_drops", "drops"})
		if (std::optional<uint64_t> n = kernel_drops(map))
			total = total.value_or(0) + *n;
	return total;
}

void Agent::stop()
{
	if (pid_ <= 0)
		return;
	::kill(pid_, SIGINT);
	pid_t pid = pid_;
	pid_ = -1;
	// guard flushes its last lines at exit: take them, or a full pipe would
	// keep it from exiting.
	if (out_.valid()) {
		::fcntl(out_.get(), F_SETFL, 0);
		char buf[65536];
		while (::read(out_.get(), buf, sizeof(buf)) > 0) {
		}
	}
	try {
		wait_success(pid, std::string("stop ") + agent_name(kind_));
		read_available(err_.get(), stderr_text_);
	} catch (const guard::Error &e) {
		read_available(err_.get(), stderr_text_);
		throw guard::Error(std::string(e.what()) + "; its stderr: " + stderr_text_);
	}
}

} // namespace bench
