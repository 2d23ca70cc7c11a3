/* SPDX-License-Identifier: GPL-2.0-or-later */
// The agent's engine options (rules, output, health, process table) and the
// consumers the agent's ring loop feeds: the engine (guard), or a raw
// recorder (guard record FILE).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cli/signals.h"
#include "engine/health.h"
#include "engine/rule_set.h"

namespace CLI {
class App;
}

namespace guard {

struct EngineConfig {
	std::string rules_path;        // empty: the embedded default rules
	std::vector<std::string> sigma_paths; // Sigma rule files or directories, run with those rules
	bool allow_untrusted_rules = false; // read a rules file others could change (tests)
	bool allow_no_rules = false;        // run a rules file with no enabled rule
	bool alerts_only = false;
	std::string file_events = "all"; // "alerts": file records only when a rule may match (kern/prefilter.bpf.h)
	std::string net_events = "all";  // the same for network records
	bool enforce = false;          // arm the kill rules (kern/enforce.bpf.h)
	uint64_t rotate_bytes = 0;     // 0: no size rotation
	unsigned rotate_keep = 5;
	unsigned health_interval_s = 60; // 0: only at exit
	size_t process_capacity = 32768;
	bool host_fields = false;        // hostname and machine id on every line
	std::vector<std::string> syslog_urls; // forward every line there too (engine/forwarder.h)
	bool journald = false;                // and to journald
	size_t forward_queue_bytes = size_t(16) << 20; // each forwarder's queue
};

// --rules, --sigma, --allow-untrusted-rules, --allow-no-rules, --alerts-only,
// --file-events, --net-events, --enforce,
// --rotate-size, --rotate-keep, --health-interval, --process-table-size,
// --host-fields, --syslog, --journald, --forward-queue-size.
void add_engine_options(CLI::App &app, EngineConfig &config);

// kind_bit() of the kinds written as alerts only, which the kernel's
// prefilter may hold back: file and network kinds with --alerts-only,
// --file-events alerts, --net-events alerts.
uint32_t prefiltered_kinds(const EngineConfig &config);

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
	virtual void after_batch() = 0;                  // flush (a failing output is reported, kept, retried)
	// The output's pace (engine/output_pace.h): enough is buffered to write
	// before reading more records; the reader of stdout is behind (wait for
	// output_fd to take more rather than drain).
	virtual bool batch_full() const { return false; }
	virtual bool output_waits(std::chrono::steady_clock::time_point) const { return false; }
	virtual int output_fd() const { return -1; }
	virtual void on_hangup() {}                      // SIGHUP
	virtual void tick(std::chrono::steady_clock::time_point) {} // every turn of the loop (<= 10 ms)
	// At exit, after the last drain: the final health record, the stats
	// line. False when output was lost for good (the exit status says so).
	virtual bool finish() = 0;
	// SIGUSR1: the stats line on stderr.
	virtual void print_stats() = 0;
	virtual void set_health_sources(HealthSources) {}
	// Where the rules' kernel tables go (the kill rules, cli/kill_tables.h,
	// and the prefilter, cli/prefilter_tables.h): called at once with the
	// rules in use, and with each reload's before it is installed (a throw
	// keeps the old rules, in the kernel too: their tables are written again).
	virtual void set_kernel_tables(std::function<void(const RuleSet &)>) {}
};

// The engine: rules loaded (a bad file throws RulesFileError; a stop signal
// meanwhile throws StopRequested), output opened (output_path, else the
// rules file's "output", else stdout); start() seeds the process table from
// /proc.
std::unique_ptr<RecordConsumer> make_engine_consumer(const EngineConfig &config, const std::string &output_path,
						     AgentSignals &signals);

// guard record FILE: raw records to FILE (mode 0600) with the recording header.
std::unique_ptr<RecordConsumer> make_recorder(const std::string &path);

// "events=N drops=M ...": the cumulative counters (SIGUSR1 and exit).
struct AgentStats {
	uint64_t events = 0;        // records taken from the ring
	uint64_t drops = 0;         // records the kernel could not put in the ring
	uint64_t alerts = 0;
	uint64_t decode_errors = 0;
	uint64_t lost_lines = 0;    // output lines (or recorded frames) that could not be written
	uint64_t lost_bytes = 0;
	uint64_t reloads = 0;
	uint64_t reload_failures = 0;
};
std::string stats_line(const AgentStats &s);

} // namespace guard
