// SPDX-License-Identifier: GPL-2.0-or-later
// The agent's two rings (kern/common.bpf.h): process and network records in
// "proc_net_events", file records in "file_events", each with its own size,
// wakeup threshold and drop counters. Before load they are sized; after, they
// are read as one stream in time order (loader/ring_merge.h), and report
// their fill and drops for the health record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "abi/guard_abi.h"
#include "engine/health.h"
#include "loader/collection.h"
#include "loader/object_spec.h"
#include "loader/ring_merge.h"
#include "loader/ring_view.h"

namespace guard {

// Each ring's size in pages, by GUARD_RING_*.
struct RingPages {
	uint32_t pages[GUARD_RING_COUNT];
};

// Before Collection::load: each ring's size, and the wakeup rules' knobs
// (kern/common.bpf.h): the kernel wakes the agent as a sixteenth of a ring
// fills, and for a record in a quiet ring.
void size_rings(const RingPages &sizes, ObjectSpec &spec, LoadOptions &load);

// The merge key: the record header's boot_ns. A record with no whole header
// (which the decoder refuses) goes first.
inline uint64_t record_boot_ns(std::span<const uint8_t> record)
{
	uint64_t boot_ns = 0;
	if (record.size() >= sizeof(struct guard_header))
		std::memcpy(&boot_ns, record.data() + offsetof(struct guard_header, boot_ns), sizeof(boot_ns));
	return boot_ns;
}

class AgentRings {
public:
	// Maps both rings of a loaded collection.
	explicit AgentRings(const Collection &objects);

	int fd(uint32_t ring) const { return rings_[ring].fd(); }

	// Hands the records of both rings to fn(std::span<const uint8_t>), the
	// earlier boot_ns first, until both are empty, a batch is full, or
	// enough(records so far) says to stop (so that a flood still lets the
	// agent look at signals and the clock).
	template <class Fn, class Enough>
	size_t drain(Fn &&fn, Enough &&enough)
	{
		return drain_merged(rings_[GUARD_RING_PROC_NET], rings_[GUARD_RING_FILE], record_boot_ns, fn, kBatchRecords,
				    enough);
	}

	// Bytes both rings hold.
	uint64_t pending_bytes() const;

	// A ring still holds a sixteenth of itself: the kernel woke us as the
	// backlog crossed that mark and will not again while it stays above.
	bool behind() const;

	// For the health record.
	void fill(RingFill (&out)[GUARD_RING_COUNT]) const;
	void read_drops(KernelDrops &out) const;

	static constexpr size_t kBatchRecords = 1 << 16;

private:
	const Collection &objects_;
	RingView rings_[GUARD_RING_COUNT];
};

// The records the kernel side could not put into their ring (it was full):
// kern/common.bpf.h counts them per CPU and kind in each ring's drop map
// ("proc_net_drops", "file_drops"); summed by kind and by ring. A few
// hundred system calls: for the health timer. Throws Error.
void read_kernel_drops(const Collection &objects, KernelDrops &out);

} // namespace guard
