/* SPDX-License-Identifier: GPL-2.0-or-later */
// The agents compared: none, the floor (guard's tracepoints with empty
// programs, tools/bench/floor.cpp) and guard itself. Starting one waits for
// its "attached N programs (...) in X ms" line; stopping it sends SIGINT and
// requires a clean exit, so a run where the agent failed is never reported.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tools/bench/harness/child.h"

namespace bench {

enum class AgentKind { none, floor, guard };
const char *agent_name(AgentKind kind);

// Where the programs are and how to run them.
struct Setup {
	std::string guard = "./guard";
	std::vector<std::string> guard_args; // extra arguments for guard
	std::vector<std::string> disabled;   // families off, for guard and the floor alike (--disable)
	std::string floor = "build/tools/guard-floor";
	std::string workload = "build/tools/guard-workload";
	std::string object = "build/kern/guard.bpf.o";
	std::string scratch = "build/bench"; // workload files and guard's output
	int workload_cpu = 0;
	int agent_cpu = 1;
};

// Where guard writes its events; record: raw records (guard record FILE).
enum class AgentOutput { file, pipe, dev_null, record };

class Agent {
public:
	// kind none starts nothing and every query answers zero.
	Agent(AgentKind kind, const Setup &setup, AgentOutput output = AgentOutput::file, int cpu = -2);
	~Agent();
	Agent(const Agent &) = delete;
	Agent &operator=(const Agent &) = delete;

	AgentKind kind() const { return kind_; }
	pid_t pid() const { return pid_; }
	bool running() const { return pid_ > 0; }
	const std::string &attached_line() const { return attached_; }
	double reported_attach_ms() const { return reported_ms_; } // what the agent printed
	double measured_ready_ms() const { return measured_ms_; }  // fork to that line, seen by us
	size_t programs() const { return programs_; }
	// What it printed on stderr; all of it once stop() returned.
	const std::string &stderr_text() const { return stderr_text_; }

	const std::string &output_path() const { return output_path_; } // AgentOutput::file and record
	int output_fd() const { return out_.get(); }                     // AgentOutput::pipe (non-blocking)

	uint64_t cpu_ns() const;
	SchedStat sched_stat() const; // zeros when nothing runs
	uint64_t rss_bytes() const;
	// Records the kernel side could not put into their ring, all kinds, all
	// CPUs, read from guard's per-CPU drop maps (not from guard's own
	// reports): "proc_net_drops" and "file_drops", one per ring, or "drops"
	// in a guard of one ring; nothing when the agent has none.
	std::optional<uint64_t> kernel_drops() const;
	// The same from one drop map, by name.
	std::optional<uint64_t> kernel_drops(const std::string &map) const;

	// SIGINT, then waits; throws when the agent does not exit with status 0.
	void stop();

private:
	AgentKind kind_;
	pid_t pid_ = -1;
	guard::Fd out_, err_;
	std::string stderr_text_;
	std::string attached_;
	std::string output_path_;
	double reported_ms_ = 0, measured_ms_ = 0;
	size_t programs_ = 0;
};

} // namespace bench
