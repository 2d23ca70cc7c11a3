/* SPDX-License-Identifier: GPL-2.0-or-later */
// The agent's engine options (rules, output, health, process table) and the
// consumers the agent's ring loop feeds: the engine (guard), or a raw
// recorder (guard record FILE).
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "engine/health.h"

namespace guard {

struct EngineConfig {
	std::string rules_path;        // empty: the embedded default rules
	bool alerts_only = false;
	uint64_t rotate_bytes = 0;     // 0: no size rotation
	unsigned rotate_keep = 5;
	unsigned health_interval_s = 60; // 0: only at exit
	size_t process_capacity = 32768;
};

// --rules, --alerts-only, --rotate-size, --rotate-keep, --health-interval, --process-table-size.
void add_engine_options(CLI::App &app, EngineConfig &config);

// Thrown by a consumer whose output is standard output when its reader went
// away (guard | head): the agent stops quietly and exits 0, as a filter does.
struct OutputClosed {};

// What the agent's ring loop hands records to. Everything but on_record runs
// between batches.
class RecordConsumer {
public:
	virtual ~RecordConsumer() = default;
	virtual void start() {}                          // programs attached, records about to flow
	virtual void on_record(std::span<const uint8_t> record) = 0;
	virtual void after_batch() = 0;                  // flush; throws guard::Error when output fails
	virtual void on_hangup() {}                      // SIGHUP
	virtual void tick(std::chrono::steady_clock::time_point) {} // about once a second
	virtual void finish() = 0;                       // at exit, after the last drain
	virtual void set_health_sources(HealthSources) {}
};

// The engine: rules loaded (a bad file throws RulesFileError), output opened
// (output_path, else the rules file's "output", else stdout); start() seeds
// the process table from /proc.
std::unique_ptr<RecordConsumer> make_engine_consumer(const EngineConfig &config, const std::string &output_path);

// guard record FILE: raw records to FILE (mode 0600) with the recording header.
std::unique_ptr<RecordConsumer> make_recorder(const std::string &path);

} // namespace guard
