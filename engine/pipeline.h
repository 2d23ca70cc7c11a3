/* SPDX-License-Identifier: GPL-2.0-or-later */
// The hot path: one raw record in; the process table updated; the rules
// matched; the event line (unless alerts only) and one alert line per match
// out. Runs to completion per record on the thread that drains the ring;
// allocates nothing, takes no lock, throws nothing, makes no system call (the
// BatchWriter writes once per batch; a cgroup id first seen is looked up once,
// cgroup_cache.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "abi/guard_abi.h"
#include "engine/batch_writer.h"
#include "engine/cgroup_cache.h"
#include "engine/exe_hashes.h"
#include "engine/path_normalize.h"
#include "engine/process_table.h"
#include "engine/record.h"
#include "engine/rule_set.h"
#include "engine/task_context.h"

namespace guard {

struct PipelineOptions {
	bool alerts_only = false;           // write alert lines only, no event lines
	size_t process_capacity = 32768;    // process table entries
	// Where cgroup ids' paths come from (the agent: CgroupFs), or nullptr:
	// no cgroup fields (a replay's ids are another host's, or another boot's).
	CgroupPathSource *cgroup_paths = nullptr;
	// Hash executed files (exe_sha256, exe_hashes.h): the agent, on this
	// host's files. A replay's identities are another boot's: no.
	bool hash_executables = false;
	// kind_bit() of kinds written as alerts only (--file-events alerts,
	// --net-events alerts), besides alerts_only for every kind.
	uint32_t alerts_only_kinds = 0;
};

struct PipelineStats {
	uint64_t records = 0;
	uint64_t events_by_kind[GUARD_RECORD_KIND_MAX] = {};
	uint64_t decode_errors[static_cast<size_t>(DecodeError::count_)] = {};
	uint64_t alerts = 0;
	uint64_t matches_over_limit = 0; // matches past max_matches on one event: counted, not written
};

class Pipeline {
public:
	// boot_to_unix_ns: add to a CLOCK_BOOTTIME stamp to get Unix time.
	Pipeline(BatchWriter &out, int64_t boot_to_unix_ns, PipelineOptions options = {});

	void on_record(std::span<const uint8_t> bytes);

	// Installs a new rule set (call between records: the engine is one
	// thread, so the swap is atomic for every event) and returns the old one
	// (for the caller to free where it costs the loop nothing); its alert
	// counts are kept by rule id. nullptr: no rules.
	std::unique_ptr<RuleSet> set_rules(std::unique_ptr<RuleSet> rules);
	const RuleSet *rules() const { return rules_.get(); }

	// Between batches: resolves the rules' watched files again when an
	// event may have replaced one (engine/watched_files.h), and every
	// watched_files_period regardless (a mount over a watched file makes
	// no event guard sees). stat(2) calls: never per event. True when it
	// resolved them (the kill rules' tables are then resolved again too).
	bool refresh_watched_files(std::chrono::steady_clock::time_point now);
	static constexpr std::chrono::seconds watched_files_period{10};

	ProcessTable &processes() { return processes_; }
	const ProcessTable &processes() const { return processes_; }
	const PipelineStats &stats() const { return stats_; }
	const CgroupCache &cgroups() const { return cgroups_; }
	ExeHashes &exe_hashes() { return exe_hashes_; }
	const ExeHashes &exe_hashes() const { return exe_hashes_; }
	BatchWriter &output() { return out_; }
	int64_t boot_to_unix_ns() const { return boot_to_unix_ns_; }
	// The host's fields (host_identity.h) on every line from now on (call
	// before set_rules: alerts carry them with their rule's fields).
	void set_host_fields(std::string fields);
	const std::string &host_fields() const { return task_context_.host_fields; }

	// Alerts by rule id, over every rule set this pipeline has run. Calls
	// fn(std::string_view id, uint64_t count) once per id, in no set order;
	// allocates nothing; linear in the rules (100,000 of them too).
	template <class Fn>
	void for_each_alert_count(Fn &&fn) const;

private:
	const Process *update_processes(const Record &rec);
	void note_replaced_file(const Record &rec);
	void write_event(const Record &rec, const struct EventView &ev, const uint32_t *matches, size_t n);

	BatchWriter &out_;
	int64_t boot_to_unix_ns_;
	PipelineOptions options_;
	ProcessTable processes_;
	CgroupCache cgroups_;
	ExeHashes exe_hashes_;
	TaskContextCache task_context_;
	Record rec_; // the record at hand: decoded in place, so fields are not cleared per record (record.h)
	std::unique_ptr<PathScratch> path_scratch_; // canonical paths of the record at hand
	std::unique_ptr<RuleSet> rules_;
	std::vector<uint64_t> alert_counts_;                        // per rule of rules_
	// Per rule: the first rule with its id, whose count it adds to (the
	// rules one Sigma rule compiles to, one per record kind, share an id).
	std::vector<uint32_t> count_of_;
	std::vector<std::string> alert_rule_fields_;                // per rule of rules_ (alert_json.h)
	std::unordered_set<std::string_view> rule_ids_;             // of rules_
	std::unordered_map<std::string, uint64_t> retired_counts_;  // by id, over earlier sets
	PipelineStats stats_;
	std::chrono::steady_clock::time_point watched_files_resolved_{};
};

template <class Fn>
void Pipeline::for_each_alert_count(Fn &&fn) const
{
	if (rules_)
		for (size_t i = 0; i < rules_->rules.size(); i++) {
			if (count_of_[i] != i)
				continue;
			const std::string &id = rules_->rules[i].id;
			auto retired = retired_counts_.find(id);
			fn(std::string_view(id), alert_counts_[i] + (retired == retired_counts_.end() ? 0 : retired->second));
		}
	for (const auto &[id, n] : retired_counts_)
		if (!rule_ids_.contains(id))
			fn(std::string_view(id), n);
}

// CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns.
int64_t boot_to_unix_offset_ns();

} // namespace guard
