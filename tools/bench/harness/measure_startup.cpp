// SPDX-License-Identifier: GPL-2.0-or-later
// Start-up: from fork to guard's "attached N programs" line, as guard reports
// it (from its own main) and as seen from outside (fork to the line read);
// then, once, memory after a second of idling, beside the rings' size.
#include <sys/stat.h>

#include <cstdio>

#include "base/error.h"
#include "tools/bench/harness/measure.h"

namespace bench {

Startup measure_startup(const Setup &setup, const Plan &plan)
{
	Startup s;
	std::vector<double> reported, measured, floor_reported;
	for (int i = 0; i < plan.startups; i++) {
		Agent agent(AgentKind::guard, setup, AgentOutput::dev_null);
		reported.push_back(agent.reported_attach_ms());
		measured.push_back(agent.measured_ready_ms());
		if (i == 0) {
			s.programs = agent.programs();
			s.attached_line = agent.attached_line();
			sleep_ms(1000);
			s.rss_idle = agent.rss_bytes();
			RssParts parts = rss_parts(agent.pid());
			s.rss_idle_anon = parts.anon;
			s.rss_idle_file = parts.file;
			s.rss_idle_bpf_maps = parts.bpf_maps;
			s.ring_bytes = held_bpf(agent.pid()).ringbuf_bytes;
		}
		agent.stop();

		Agent floor(AgentKind::floor, setup);
		floor_reported.push_back(floor.reported_attach_ms());
		floor.stop();
	}
	s.guard_reported_ms = summarize(reported);
	s.guard_measured_ms = summarize(measured);
	s.floor_reported_ms = summarize(floor_reported);

	struct stat st {};
	if (::stat(setup.guard.c_str(), &st) != 0)
		guard::fail(guard::errno_message("stat " + setup.guard, errno));
	s.binary_bytes = static_cast<uint64_t>(st.st_size);
	std::fprintf(stderr, "bench: start-up: %.1f ms to attached (guard says %.1f), RSS idle %.1f MiB\n",
		     s.guard_measured_ms.median, s.guard_reported_ms.median, static_cast<double>(s.rss_idle) / 1048576);
	return s;
}

} // namespace bench
