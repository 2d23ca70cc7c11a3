// The engine alone: decode, match and format of recorded records with the
// default rules, output to /dev/null, no kernel involved. The engine's own
// benchmark does the work; the harness runs it and takes the number from its
// line "... <N> records/s ...".
#include <cstdio>
#include <cstdlib>

#include "loader/error.h"
#include "tools/bench/harness/measure.h"

namespace bench {

EngineBench measure_engine(const Plan &plan)
{
	EngineBench e;
	if (plan.engine_command.empty())
		return e;
	e.command = plan.engine_command;
	FILE *p = ::popen((plan.engine_command + " 2>&1").c_str(), "r");
	if (!p)
		guard::fail(guard::errno_message("run " + plan.engine_command, errno));
	char buf[4096];
	while (std::fgets(buf, sizeof(buf), p))
		e.output += buf;
	int status = ::pclose(p);
	if (status != 0)
		guard::fail("engine benchmark `" + plan.engine_command + "` failed: " + e.output);
	size_t at = e.output.find(" records/s");
	if (at == std::string::npos)
		guard::fail("engine benchmark printed no \"<N> records/s\": " + e.output);
	size_t start = e.output.find_last_of(" \t\n", at - 1);
	e.records_per_s = std::atof(e.output.c_str() + (start == std::string::npos ? 0 : start + 1));
	e.ran = true;
	std::fprintf(stderr, "bench: engine: %.0f records/s\n", e.records_per_s);
	return e;
}

} // namespace bench
