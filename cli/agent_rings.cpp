// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/agent_rings.h"

#include <unistd.h>

#include "base/error.h"
#include "cli/agent_wait.h"
#include "loader/per_cpu_map.h"

namespace guard {

namespace {

// By GUARD_RING_*: the ring, its drop counters, its wakeup knob.
constexpr const char *kRingMaps[GUARD_RING_COUNT] = {"proc_net_events", "file_events"};
constexpr const char *kDropMaps[GUARD_RING_COUNT] = {"proc_net_drops", "file_drops"};
constexpr const char *kWakeupKnobs[GUARD_RING_COUNT] = {"guard_proc_net_wakeup_bytes", "guard_file_wakeup_bytes"};

uint64_t wakeup_bytes(uint64_t ring_bytes) { return ring_bytes / 16; }

// A ring is quiet while less than this waits in it (a dozen file records):
// a flood passes it again within a fraction of AgentWait::kQuietWakeupMs
// after each drain, so the quiet rule never wakes the agent for a flood's
// records (kern/common.bpf.h).
constexpr uint64_t kQuietBytes = 4096;

RingView map_ring(const Collection &objects, uint32_t ring)
{
	const Map &map = objects.map(kRingMaps[ring]);
	return RingView(map.fd.get(), map.spec.max_entries);
}

} // namespace

void size_rings(const RingPages &sizes, ObjectSpec &spec, LoadOptions &load)
{
	for (uint32_t ring = 0; ring < GUARD_RING_COUNT; ring++) {
		uint32_t bytes = sizes.pages[ring] * static_cast<uint32_t>(::getpagesize());
		load.max_entries[kRingMaps[ring]] = bytes;
		spec.set_global(kWakeupKnobs[ring], wakeup_bytes(bytes));
	}
	spec.set_global("guard_quiet_bytes", kQuietBytes);
	spec.set_global("guard_quiet_ns", static_cast<uint64_t>(AgentWait::kQuietWakeupMs) * 1000000);
}

AgentRings::AgentRings(const Collection &objects)
	: objects_(objects), rings_{map_ring(objects, GUARD_RING_PROC_NET), map_ring(objects, GUARD_RING_FILE)}
{
}

bool AgentRings::behind() const
{
	for (const RingView &ring : rings_)
		if (ring.pending_bytes() >= wakeup_bytes(ring.size()))
			return true;
	return false;
}

uint64_t AgentRings::pending_bytes() const
{
	uint64_t bytes = 0;
	for (const RingView &ring : rings_)
		bytes += ring.pending_bytes();
	return bytes;
}

void AgentRings::fill(RingFill (&out)[GUARD_RING_COUNT]) const
{
	for (uint32_t ring = 0; ring < GUARD_RING_COUNT; ring++)
		out[ring] = {true, rings_[ring].pending_bytes(), rings_[ring].size()};
}

void AgentRings::read_drops(KernelDrops &out) const
{
	read_kernel_drops(objects_, out);
}

void read_kernel_drops(const Collection &objects, KernelDrops &out)
{
	out = KernelDrops{};
	for (uint32_t ring = 0; ring < GUARD_RING_COUNT; ring++) {
		int fd = objects.map(kDropMaps[ring]).fd.get();
		for (uint32_t kind = 0; kind < GUARD_RECORD_KIND_MAX; kind++) {
			uint64_t n = with_context("read kernel drop counters of the " + std::string(ring_name(ring)) + " ring",
						  [&] { return per_cpu_sum(fd, kind); });
			out.by_kind[kind] += n;
			out.by_ring[ring] += n;
		}
	}
	int filtered = objects.map("filtered").fd.get();
	for (uint32_t kind = 0; kind < GUARD_RECORD_KIND_MAX; kind++)
		out.filtered_by_kind[kind] =
			with_context("read the prefilter's counters", [&] { return per_cpu_sum(filtered, kind); });
	out.available = true;
}

} // namespace guard
