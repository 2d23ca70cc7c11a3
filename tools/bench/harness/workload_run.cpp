// SPDX-License-Identifier: GPL-2.0-or-later
#include "tools/bench/harness/workload_run.h"

#include <unistd.h>

#include <cstdio>

#include "base/error.h"

namespace bench {

Spawned start_workload(const Setup &setup, const WorkloadRequest &request)
{
	std::vector<std::string> argv{setup.workload, request.op, "--dir", setup.scratch};
	if (request.ops)
		argv.insert(argv.end(), {"--ops", std::to_string(request.ops)});
	else
		argv.insert(argv.end(), {"--seconds", std::to_string(request.seconds)});
	if (request.rate > 0)
		argv.insert(argv.end(), {"--rate", std::to_string(request.rate)});
	return spawn(argv, request.cpu, true, false);
}

WorkloadResult finish_workload(Spawned &started, const std::string &op)
{
	std::string text;
	char buf[512];
	for (ssize_t n; (n = ::read(started.out.get(), buf, sizeof(buf))) != 0;)
		if (n > 0)
			text.append(buf, static_cast<size_t>(n));
		else if (errno != EINTR)
			break;
	wait_success(started.pid, "workload " + op);
	WorkloadResult r;
	r.pid = started.pid;
	unsigned long long ops = 0, ns = 0;
	size_t at = text.find(" ops=");
	unsigned long long cpu = 0;
	if (at == std::string::npos || std::sscanf(text.c_str() + at, " ops=%llu ns=%llu ns_per_op=%lf cpu_ns=%llu cpu_ns_per_op=%lf",
						   &ops, &ns, &r.ns_per_op, &cpu, &r.cpu_ns_per_op) != 5)
		guard::fail("workload " + op + " printed no result: " + text);
	r.ops = ops;
	r.ns = ns;
	return r;
}

} // namespace bench
