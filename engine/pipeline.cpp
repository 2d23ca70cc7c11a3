// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/pipeline.h"

#include <fcntl.h>
#include <time.h>

#include <cstring>

#include "engine/alert_json.h"
#include "engine/event_fields.h"
#include "engine/event_json.h"

namespace guard {

Pipeline::Pipeline(BatchWriter &out, int64_t boot_to_unix_ns, PipelineOptions options)
	: out_(out), boot_to_unix_ns_(boot_to_unix_ns), options_(options), processes_(options.process_capacity),
	  cgroups_(options.cgroup_paths), exe_hashes_(options.hash_executables), path_scratch_(std::make_unique<PathScratch>())
{
	task_context_.cgroups = &cgroups_;
}

void Pipeline::set_host_fields(std::string fields) { task_context_.host_fields = std::move(fields); }

std::unique_ptr<RuleSet> Pipeline::set_rules(std::unique_ptr<RuleSet> rules)
{
	if (rules_)
		for (size_t i = 0; i < rules_->rules.size(); i++)
			if (alert_counts_[i])
				retired_counts_[rules_->rules[i].id] += alert_counts_[i];
	std::swap(rules_, rules);
	alert_counts_.assign(rules_ ? rules_->rules.size() : 0, 0);
	alert_rule_fields_.clear();
	rule_ids_.clear();
	count_of_.clear();
	std::unordered_map<std::string_view, uint32_t> first_with_id;
	if (rules_)
		for (const Rule &r : rules_->rules) {
			// The host's fields ride with the rule's, made once here.
			alert_rule_fields_.push_back(alert_rule_fields(r) +
						     (host_fields().empty() ? "" : "," + host_fields()));
			rule_ids_.insert(r.id);
			count_of_.push_back(first_with_id.try_emplace(r.id, uint32_t(count_of_.size())).first->second);
		}
	return rules;
}

// Fork, exec and exit keep the table current; any other event names a
// process we may not have seen (started before us, or evicted): it gets an
// entry from its header. Returns the event's process.
const Process *Pipeline::update_processes(const Record &rec)
{
	const struct guard_header &h = rec.header;
	Process &self = processes_.upsert(h.pid);
	if (h.ppid != 0)
		self.ppid = h.ppid;
	if (self.comm_len == 0 || h.kind == GUARD_RECORD_EXEC)
		self.set_comm(std::string_view(h.comm, strnlen(h.comm, sizeof(h.comm))));
	switch (h.kind) {
	case GUARD_RECORD_EXEC:
		self.set_exe(rec.exe.empty() ? rec.path : rec.exe);
		self.set_cmdline(rec.argv);
		self.exe_id = {rec.dev, rec.ino, rec.ctime_ns};
		return &self;
	case GUARD_RECORD_FORK: {
		if (rec.child_pid == h.pid || rec.child_pid == 0)
			return &self;
		// Copy first: inserting the child may evict the parent's entry.
		Process parent = self;
		Process &child = processes_.upsert(rec.child_pid);
		child.ppid = h.pid;
		child.set_comm(parent.comm_view());
		child.set_exe(parent.exe_view());
		child.set_cmdline(parent.cmdline_view());
		child.exe_id = parent.exe_id;
		return processes_.find(h.pid);
	}
	default: return &self;
	}
}

// A successful call that can change which file a watched path names: a
// rename, link or symlink onto it, an unlink of it, a create at it.
void Pipeline::note_replaced_file(const Record &rec)
{
	WatchedFiles &watched = rules_->watched_files;
	switch (rec.header.kind) {
	case GUARD_RECORD_FILE_RENAME:
		watched.stale |= watched.names(rec.path) || watched.names(rec.path2);
		break;
	case GUARD_RECORD_FILE_LINK:
		watched.stale |= watched.names(rec.path2);
		break;
	case GUARD_RECORD_FILE_UNLINK:
	case GUARD_RECORD_FILE_SYMLINK:
		watched.stale |= watched.names(rec.path);
		break;
	case GUARD_RECORD_FILE_OPEN:
		watched.stale |= (rec.open_flags & O_CREAT) && watched.names(rec.path);
		break;
	default:
		break;
	}
}

bool Pipeline::refresh_watched_files(std::chrono::steady_clock::time_point now)
{
	if (!rules_ || rules_->watched_files.empty())
		return false;
	if (rules_->watched_files.stale || now - watched_files_resolved_ >= watched_files_period) {
		rules_->watched_files.resolve();
		watched_files_resolved_ = now;
		return true;
	}
	return false;
}

void Pipeline::write_event(const Record &rec, const EventView &ev, const uint32_t *matches, size_t n)
{
	std::string_view rule, severity;
	if (n > 0) {
		// The event names its most severe match (the first such in the file).
		const Rule *top = &rules_->rules[matches[0]];
		for (size_t i = 1; i < n; i++)
			if (rules_->rules[matches[i]].severity > top->severity)
				top = &rules_->rules[matches[i]];
		rule = top->id;
		severity = severity_name(top->severity);
	}
	out_.commit(write_event_line(out_.reserve(event_line_max_bytes), rec, boot_to_unix_ns_, task_context_, ev.parent,
				     rule, severity));
}

void Pipeline::on_record(std::span<const uint8_t> bytes)
{
	stats_.records++;
	Record &rec = rec_;
	DecodeError err = decode_record(bytes, rec);
	if (err != DecodeError::none) {
		stats_.decode_errors[static_cast<size_t>(err)]++;
		return;
	}
	normalize_record_paths(rec, *path_scratch_);
	const struct guard_header &h = rec.header;
	stats_.events_by_kind[h.kind]++;

	EventView ev;
	ev.rec = &rec;
	ev.self = update_processes(rec);
	ev.parent = h.ppid ? processes_.find(h.ppid) : nullptr;
	ev.cgroup = cgroups_.lookup(h.cgroup_id);
	ev.exe_hashes = &exe_hashes_;
	if (h.kind == GUARD_RECORD_EXEC)
		rec.exe_sha256 = exe_sha256(ev);
	const Process *ancestors[ProcessTable::max_ancestry];
	bool have_ancestry = false;
	auto load_ancestry = [&] {
		if (!have_ancestry) {
			ev.ancestors = ancestors;
			ev.ancestor_count = processes_.ancestry(h.pid, ancestors);
			have_ancestry = true;
		}
	};

	uint32_t matches[max_matches];
	size_t n = 0;
	if (rules_ && !rules_->watched_files.empty() && record_family(h.kind) == RecordFamily::file && rec.result >= 0)
		note_replaced_file(rec);
	if (rules_) {
		if (rules_->needs_ancestry && (h.kind == GUARD_RECORD_EXEC || h.kind == GUARD_RECORD_EXEC_FAILED))
			load_ancestry();
		n = match_event(*rules_, ev, matches, stats_.matches_over_limit);
	}

	if (!options_.alerts_only && !(options_.alerts_only_kinds & kind_bit(h.kind)))
		write_event(rec, ev, matches, n);
	if (n > 0) {
		load_ancestry();
		for (size_t i = 0; i < n; i++) {
			const char *action = alert_action(rules_->rules[matches[i]], h);
			out_.commit(write_alert_line(out_.reserve(alert_max_bytes), alert_rule_fields_[matches[i]], action, ev,
						     boot_to_unix_ns_));
			alert_counts_[count_of_[matches[i]]]++;
			stats_.alerts++;
		}
	}
	if (h.kind == GUARD_RECORD_EXIT)
		processes_.mark_exited(h.pid);
}

int64_t boot_to_unix_offset_ns()
{
	struct timespec real, boot;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (int64_t(real.tv_sec) - boot.tv_sec) * 1000000000 + (int64_t(real.tv_nsec) - boot.tv_nsec);
}

} // namespace guard
