/* SPDX-License-Identifier: GPL-2.0-or-later */
// What each measurement found, kept as numbers until report.cpp turns them
// into the markdown table. One struct per measurement of issue 6.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tools/bench/harness/stats.h"

namespace bench {

// 1 + 2: each workload with no agent, the floor and guard, interleaved.
// One way of timing an op (the workload's CPU time, or wall clock).
struct Cost {
	Summary none_ns;        // ns per op, every no-agent run
	Summary floor_added_ns; // ns per op over the mean of the no-agent runs just before and after
	Summary guard_added_ns;
	double guard_over_floor = 0; // median guard added / median floor added
};

struct OverheadRow {
	std::string op;
	Cost cpu;  // the workload's CPU time per op: what the targets use
	Cost wall; // wall clock per op
	Summary guard_cpu_us_per_event; // agent CPU in the run / every line guard wrote in it
	Summary events_per_op;          // guard's lines for this workload's process / its ops
	uint64_t ops = 0, events = 0;   // totals over guard's runs
	std::optional<uint64_t> kernel_drops; // over guard's runs, every process's records
};

struct Overhead {
	int reps = 0;
	double seconds = 0;
	std::vector<OverheadRow> rows;
};

// 3: two workloads flat out with guard.
struct Throughput {
	std::vector<std::string> ops;
	double seconds = 0;
	uint64_t workload_ops = 0;
	uint64_t generated = 0; // events the workloads' syscalls must produce (calibrated per op)
	uint64_t written = 0;   // guard's lines for the workloads' processes
	uint64_t all_lines = 0; // every line guard wrote meanwhile (other processes too)
	bool drops_reported = false;      // guard has a kernel drop counter map
	bool user_drops_reported = false; // guard's health records count userspace drops
	uint64_t kernel_drops = 0, user_drops = 0;
	std::optional<uint64_t> proc_net_drops; // of kernel_drops, process and network records (guard of two rings)
	uint64_t output_bytes_dropped = 0;
	double cpu_s = 0, stat_cpu_s = 0; // schedstat and /proc/<pid>/stat utime+stime
	uint64_t rss_max = 0;
	uint64_t rss_max_bpf_maps = 0; // of it, mapped BPF maps (the rings, each twice)
	std::map<std::string, double> events_per_op; // calibration
};

// 5: syscall to line, read from guard's stdout through a pipe.
struct LatencyRow {
	std::string label;
	double rate = 0; // ops/s asked for; 0 flat out
	uint64_t samples = 0;
	double achieved_rate = 0;
	double p50_ms = 0, p99_ms = 0, max_ms = 0;
	// What the rate cost: the workload's CPU per open (its BPF programs,
	// the wakeups they ask for included), and the agent's CPU per line over
	// every line it wrote meanwhile (other processes' too).
	double workload_cpu_ns_per_op = 0;
	uint64_t lines = 0;
	double agent_us_per_line = 0;
	// How often the agent ran (its wakeups) and how long each waited for a
	// CPU once runnable: on a shared host, the part of a latency no wakeup
	// rule can remove.
	uint64_t agent_runs = 0;
	double agent_queue_us_per_run = 0;
};

// 6: start-up, size, idle memory.
struct Startup {
	Summary guard_reported_ms, guard_measured_ms, floor_reported_ms;
	size_t programs = 0;
	std::string attached_line;
	uint64_t binary_bytes = 0;
	uint64_t rss_idle = 0;
	uint64_t rss_idle_anon = 0, rss_idle_file = 0, rss_idle_bpf_maps = 0;
	uint64_t ring_bytes = 0;
};

// Per-program run time from kernel.bpf_stats_enabled (BPF_ENABLE_STATS).
struct ProgramTime {
	std::string op;      // the workload that ran
	std::string program; // bpf_prog_info.name
	uint64_t floor_runs = 0, guard_runs = 0;
	double floor_ns = 0, guard_ns = 0; // run_time_ns / run_cnt
	uint64_t ops = 0;                  // of guard's run
};

// 4: the engine alone: guard replay of a recording of the workloads, and the
// engine's own benchmark (tools/bench/engine_bench) when given.
struct EngineRun {
	bool ran = false;
	std::string command;
	std::string output; // what it printed
	double records_per_s = 0;
};

struct EngineBench {
	EngineRun replay;
	uint64_t recording_records = 0; // records guard recorded from the workloads
	EngineRun other;                // --engine-command
};

// Where guard's CPU goes, from perf.
struct Profile {
	bool ran = false;
	std::string skipped; // why not
	double seconds = 0;
	std::string agent_command, workload_command;
	std::string agent_top;    // perf report's hottest symbols in guard
	std::string workload_top; // ... in the open workload while guard runs
};

// Issue 15: the file alone, then the file and rsyslog over TCP in one run,
// at one rate of one workload (0: flat out).
struct ForwardRow {
	double rate = 0;
	uint64_t file_ops = 0, file_lines = 0, file_drops = 0; // the file alone
	double file_cpu_us_per_line = 0;
	uint64_t ops = 0, lines = 0, drops = 0; // file and syslog: the file's side
	double cpu_us_per_line = 0;
	uint64_t emitted = 0, sent = 0, dropped = 0; // the syslog side, guard's counts
	uint64_t received = 0;                       // lines rsyslog wrote
};

struct Forward {
	std::string skipped; // why not
	std::string op;
	double seconds = 0;
	std::vector<ForwardRow> rows;
};

struct Results {
	std::string machine, kernel, date, command;
	bool quick = false;
	Overhead overhead;
	Throughput throughput;
	std::vector<LatencyRow> latency;
	Startup startup;
	std::vector<ProgramTime> program_time;
	EngineBench engine;
	Profile profile;
	Forward forward;
	std::vector<std::string> stages; // the measurements that ran
	std::vector<std::string> notes; // what could not be measured, and why
};

} // namespace bench
