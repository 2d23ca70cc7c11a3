// Records the kernel side could not put into the ring (it was full), by
// record kind. kern/common.bpf.h counts them per CPU in the map "drops";
// this sums the CPUs. A few system calls per read: call it from the health
// timer, not per event.
#pragma once

#include <cstdint>

#include "abi/guard_abi.h"

namespace guard {

struct KernelDrops {
	uint64_t by_kind[GUARD_RECORD_KIND_MAX] = {};
	uint64_t total = 0;
};

// drops_map_fd: the fd of the loaded map "drops" (Collection::map("drops")).
// Throws Error when the map cannot be read.
KernelDrops read_kernel_drops(int drops_map_fd);

// CPUs the kernel may ever bring up (/sys/devices/system/cpu/possible): a
// per-CPU map's value holds one slot for each.
uint32_t possible_cpus();

} // namespace guard
