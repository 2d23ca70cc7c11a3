/* SPDX-License-Identifier: GPL-2.0-or-later */
// The running agent: guard's BPF object loaded and attached, its two rings
// drained into the engine until SIGINT or SIGTERM. Wiring only; every step's
// work is done by loader/ and engine/.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/agent_rings.h"
#include "cli/engine_options.h"

namespace guard {

struct AgentOptions {
	std::string output_path; // empty: the rules file's "output", else stdout
	EngineConfig engine;
	std::string record_path; // guard record FILE: raw records there instead of the engine
	std::chrono::steady_clock::time_point started;
	// Each ring's size in pages (powers of two), by GUARD_RING_*: the
	// process-and-network ring 256 pages (1 MiB with 4 KiB pages), the file
	// ring 1024 (4 MiB). docs/schema.md says why.
	RingPages ring_pages{{256, 1024}};
	// Event families not to load at all ("process", "file", "network", "io_uring",
	// "privilege").
	std::vector<std::string> disabled_families;
};

// Returns the process exit status (2 for a bad rules file). Set-up errors
// are printed with context.
int run_agent(const AgentOptions &options);

} // namespace guard
