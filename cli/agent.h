// The running agent: guard's BPF object loaded and attached, the ring drained
// into the engine until SIGINT or SIGTERM. Wiring only; every step's work is
// done by loader/ and engine/.
#pragma once

#include <chrono>
#include <string>

namespace guard {

struct AgentOptions {
	std::string output_path; // empty: stdout
	std::chrono::steady_clock::time_point started;
};

// Returns the process exit status. Set-up errors are printed with context.
int run_agent(const AgentOptions &options);

} // namespace guard
