/* SPDX-License-Identifier: GPL-2.0-or-later */
// The measurements of issue 6, one function each, in the order the report
// shows them. Each starts and stops its own agents and leaves nothing running.
#pragma once

#include <string>
#include <vector>

#include "tools/bench/harness/agent.h"
#include "tools/bench/harness/results.h"

namespace bench {

struct Plan {
	std::vector<std::string> ops{"open", "open_missing", "exec", "connect4", "connect6", "rename", "unlink"};
	int reps = 5;            // interleaved repetitions of no agent / floor / guard
	double seconds = 1;      // each workload run
	std::vector<std::string> throughput_ops{"open", "open_missing"};
	double throughput_seconds = 30;
	double latency_low_seconds = 10; // at 100 events/s
	double latency_max_seconds = 5;  // flat out
	int startups = 5;
	double profile_seconds = 5; // perf record of guard
	double engine_record_seconds = 0.3; // per workload, recorded for the engine's replay
	double engine_records = 10e6;       // replayed in all (the recording, repeated)
	std::string engine_command; // empty: none found
	std::string forward_op = "open";                           // one file_open line per op
	std::vector<double> forward_rates{20000, 50000, 100000, 0}; // ops/s; 0: flat out
	double forward_seconds = 5;
};

Overhead measure_overhead(const Setup &setup, const Plan &plan);
Throughput measure_throughput(const Setup &setup, const Plan &plan);
std::vector<LatencyRow> measure_latency(const Setup &setup, const Plan &plan);
Startup measure_startup(const Setup &setup, const Plan &plan);
std::vector<ProgramTime> measure_program_time(const Setup &setup, const Plan &plan);
EngineBench measure_engine(const Setup &setup, const Plan &plan);
Profile measure_profile(const Setup &setup, const Plan &plan);
Forward measure_forward(const Setup &setup, const Plan &plan);

// Waits until guard's output file has stopped growing (the agent has caught
// up with what the workload caused); returns its size.
uint64_t settle(const Agent &agent);

} // namespace bench
