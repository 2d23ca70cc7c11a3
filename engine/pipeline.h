// The hot path: one raw record in, one JSON line out. Runs to completion per
// record on the thread that drains the ring; allocates nothing, takes no lock,
// makes no system call (the BatchWriter writes once per batch).
#pragma once

#include <cstdint>
#include <span>

#include "abi/guard_abi.h"
#include "engine/batch_writer.h"
#include "engine/record.h"

namespace guard {

struct PipelineStats {
	uint64_t records = 0;
	uint64_t events_by_kind[GUARD_RECORD_KIND_MAX] = {};
	uint64_t decode_errors[static_cast<size_t>(DecodeError::count_)] = {};
};

class Pipeline {
public:
	// boot_to_unix_ns: add to a CLOCK_BOOTTIME stamp to get Unix time.
	Pipeline(BatchWriter &out, int64_t boot_to_unix_ns) : out_(out), boot_to_unix_ns_(boot_to_unix_ns) {}

	void on_record(std::span<const uint8_t> bytes);
	const PipelineStats &stats() const { return stats_; }

private:
	BatchWriter &out_;
	int64_t boot_to_unix_ns_;
	PipelineStats stats_;
};

// CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns.
int64_t boot_to_unix_offset_ns();

} // namespace guard
