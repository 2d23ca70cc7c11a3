/* SPDX-License-Identifier: GPL-2.0-or-later */
// The health record: what the agent has seen and what it has lost, written
// every N seconds and at exit (docs/schema.md, "health"). The engine counts
// its own side; what lives elsewhere comes in through HealthSources, which
// the agent fills: kernel drops (per-CPU counters in BPF maps, one per ring),
// and each ring's fill.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "abi/guard_abi.h"
#include "engine/forwarder.h"
#include "engine/pipeline.h"

namespace guard {

// Counters the kernel side keeps: records it could not put in their ring
// (abi/guard_abi.h, guard_ring_of), by kind and by ring.
struct KernelDrops {
	bool available = false; // false: this build's BPF programs do not count drops
	uint64_t by_kind[GUARD_RECORD_KIND_MAX] = {};
	uint64_t by_ring[GUARD_RING_COUNT] = {};
	// Records the prefilter held back (kern/prefilter.bpf.h), by kind.
	uint64_t filtered_by_kind[GUARD_RECORD_KIND_MAX] = {};
};

// One ring's backlog when the health record is made.
struct RingFill {
	bool available = false;
	uint64_t pending_bytes = 0;
	uint64_t size_bytes = 0;
};

// A ring's name in the health record: "proc_net", "file".
std::string_view ring_name(uint32_t ring);

struct HealthSources {
	// Each is called once per health record; leave empty when unknown.
	std::function<void(KernelDrops &)> kernel_drops;
	std::function<void(RingFill (&)[GUARD_RING_COUNT])> ring_fill;
	std::string rules_source; // where the running rules came from
	uint64_t reloads = 0;
	uint64_t reload_failures = 0;
	uint64_t output_rotations = 0;
	std::string boot_id; // this boot's id (host_identity.h), or empty
	// The forwarders' counters (--syslog, --journald), when there are any.
	std::function<std::vector<ForwardStats>()> forwarding;
};

// Rules listed with their alert counts in one health record: each takes
// at most ~90 bytes (an id is at most 64), so they fit health_max_bytes.
constexpr size_t max_alert_counts_listed = 256;

// Room to reserve for a health line.
constexpr size_t health_max_bytes = 1 << 16;

// Writes one health line through the pipeline's writer. Reads the agent's
// CPU time (getrusage) and RSS (/proc/self/statm): once per interval, not
// per event.
void write_health(Pipeline &pipeline, const HealthSources &sources, int64_t uptime_ns, bool final);

} // namespace guard
