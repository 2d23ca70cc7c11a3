// The running agent: guard's BPF object loaded and attached, the ring drained
// into the engine until SIGINT or SIGTERM. Wiring only; every step's work is
// done by loader/ and engine/.
#pragma once

#include <chrono>
#include <string>

#include "cli/engine_options.h"

namespace guard {

struct AgentOptions {
	std::string output_path; // empty: the rules file's "output", else stdout
	EngineConfig engine;
	std::string record_path; // guard record FILE: raw records there instead of the engine
	std::chrono::steady_clock::time_point started;
};

// Returns the process exit status (2 for a bad rules file). Set-up errors
// are printed with context.
int run_agent(const AgentOptions &options);

} // namespace guard
