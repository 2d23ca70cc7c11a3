// guard: a Linux endpoint detection agent. main() reads the command line and
// hands over to the agent; the work is in loader/, engine/ and rules/.
#include <CLI/CLI.hpp>

#include <chrono>

#include "cli/agent.h"

#ifndef GUARD_VERSION
#define GUARD_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
	guard::AgentOptions options;
	options.started = std::chrono::steady_clock::now();

	CLI::App app{"guard: watches executions on this host from the kernel with eBPF and writes one JSON "
		     "object per line."};
	app.set_version_flag("--version", "guard " GUARD_VERSION);
	app.add_option("-o,--output", options.output_path, "Write events to FILE (mode 0600, appended) instead of stdout")
		->option_text("FILE");
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		// --help and --version exit 0; a bad command line exits 2, as usage errors do.
		return app.exit(e) == 0 ? 0 : 2;
	}

	return guard::run_agent(options);
}
