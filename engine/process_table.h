/* SPDX-License-Identifier: GPL-2.0-or-later */
// What the engine knows of every live (and recently exited) process: its
// parent, comm and executable, so each event can name its parent and an alert
// can show its ancestry. Keyed by tgid.
//
// Fixed capacity, chosen at start: entries live in one array and never move;
// an open-addressing index (linear probing, backward-shift deletion, no
// tombstones) maps tgid -> entry. Two intrusive lists order the entries by
// age, one for live processes and one for exited ones, so eviction is O(1):
// the oldest exited process goes first, then the oldest live one. Nothing
// here allocates after construction, and construction touches nothing: the
// arrays are zero pages (zeroed_array.h) that become resident as entries are
// first used, so an idle agent does not pay for the full capacity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "abi/guard_abi.h"
#include "engine/exe_identity.h"
#include "engine/zeroed_array.h"

namespace guard {

struct Process {
	static constexpr size_t exe_max = 256; // longer paths keep their first bytes
	// The command line (NUL-separated arguments), for its children's events
	// (parent_cmdline, Sigma's ParentCommandLine): longer ones keep their
	// first bytes.
	static constexpr size_t cmdline_max = 512;

	uint32_t pid = 0;
	uint32_t ppid = 0;
	bool exited = false;
	uint8_t comm_len = 0;
	uint16_t exe_len = 0;
	uint16_t cmdline_len = 0;
	// comm and exe need no escaping in JSON (json_plain): they are written
	// for many events (parent_comm, parent_exe, ancestry), checked once here.
	bool comm_plain = true;
	bool exe_plain = true;
	// The identity of the file it runs (the exec record's, or stat of
	// /proc/PID/exe when seeded): the key of its exe_sha256 (exe_hashes.h).
	ExeIdentity exe_id;
	char comm[GUARD_COMM_LEN] = {};
	char exe[exe_max] = {};
	char cmdline[cmdline_max] = {};

	std::string_view comm_view() const { return {comm, comm_len}; }
	std::string_view exe_view() const { return {exe, exe_len}; }
	std::string_view cmdline_view() const { return {cmdline, cmdline_len}; }
	void set_comm(std::string_view s);
	void set_exe(std::string_view s);
	void set_cmdline(std::string_view s); // without a last NUL
};

struct ProcessTableStats {
	uint64_t inserts = 0;
	uint64_t evictions = 0;        // entries dropped to make room
	uint64_t evicted_live = 0;     // of which the process was still running
};

class ProcessTable {
public:
	static constexpr size_t max_ancestry = 8;

	explicit ProcessTable(size_t capacity);

	// The entry for pid, or nullptr.
	const Process *find(uint32_t pid) const;

	// The entry for pid, created (evicting if full) when missing. A new entry
	// has only its pid set; a re-used pid's stale entry is reset.
	Process &upsert(uint32_t pid);

	// The process ended: it stays findable (late events, children's
	// ancestry) but is first in line for eviction.
	void mark_exited(uint32_t pid);

	// Parent, grandparent, ... of pid, up to max_ancestry, stopping at pid 0,
	// at an unknown parent or at a loop. Returns how many were written.
	size_t ancestry(uint32_t pid, const Process *out[max_ancestry]) const;

	size_t size() const { return size_; }
	size_t capacity() const { return capacity_; }
	const ProcessTableStats &stats() const { return stats_; }

	// Seeds the table from /proc (start-up only: this allocates and reads
	// files). Returns how many processes were read.
	size_t seed_from_proc(const char *proc_root = "/proc");

private:
	static constexpr uint32_t none = UINT32_MAX;
	struct Links {
		uint32_t prev = none, next = none;
	};
	struct List {
		uint32_t head = none, tail = none; // head is the oldest
	};

	// Index slots hold entry + 1, so that a zero page is an empty index.
	static constexpr uint32_t empty_slot = 0;

	size_t slot_of(uint32_t pid) const { return (pid * 0x9E3779B1u) & index_mask_; }
	uint32_t find_index(uint32_t pid) const; // entry index or none
	void index_insert(uint32_t pid, uint32_t entry);
	void index_erase(uint32_t pid);
	void list_push(List &l, uint32_t e);
	void list_unlink(List &l, uint32_t e);
	uint32_t evict_one(); // returns the entry it freed

	size_t capacity_;
	size_t size_ = 0;
	size_t index_mask_;
	ZeroedArray<Process> entries_; // constructed when taken into use
	ZeroedArray<Links> links_;     // written by list_push before any read
	ZeroedArray<uint32_t> index_;  // entry + 1 per slot, or empty_slot
	uint32_t never_used_ = 0;      // entries from here on have never been used
	List live_, exited_;
	ProcessTableStats stats_;
};

} // namespace guard
