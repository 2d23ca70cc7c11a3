/* SPDX-License-Identifier: GPL-2.0-or-later */
// Running tools/bench/workload.c: one op in a loop, pinned, for a time or at
// a rate, and what it reports (ops done, ns taken).
#pragma once

#include <sys/types.h>

#include <string>

#include "tools/bench/harness/agent.h"

namespace bench {

struct WorkloadRequest {
	std::string op;
	double seconds = 1;
	double rate = 0; // ops per second; 0: flat out
	uint64_t ops = 0; // when set: exactly this many, seconds ignored
	int cpu = 0;
};

struct WorkloadResult {
	pid_t pid = -1;
	uint64_t ops = 0;
	uint64_t ns = 0;
	double ns_per_op = 0;     // wall clock
	double cpu_ns_per_op = 0; // the workload's CPU time (with its children's)
};

// Started, not waited for: the caller may read an agent meanwhile.
Spawned start_workload(const Setup &setup, const WorkloadRequest &request);
// Waits for it and parses its line; throws when it failed.
WorkloadResult finish_workload(Spawned &started, const std::string &op);

inline WorkloadResult run_workload(const Setup &setup, const WorkloadRequest &request)
{
	Spawned s = start_workload(setup, request);
	return finish_workload(s, request.op);
}

} // namespace bench
