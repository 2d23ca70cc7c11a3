/* SPDX-License-Identifier: GPL-2.0-or-later */
// Records the kernel side could not put into the ring (it was full), by
// record kind. kern/common.bpf.h counts them per CPU in the map "drops";
// this sums the CPUs into the health record's KernelDrops. A few system
// calls per read: call it from the health timer, not per event.
#pragma once

#include <cstdint>

#include "engine/health.h"

namespace guard {

// drops_map_fd: the fd of the loaded map "drops" (Collection::map("drops")).
// Fills out (available = true). Throws Error when the map cannot be read.
void read_kernel_drops(int drops_map_fd, KernelDrops &out);

// CPUs the kernel may ever bring up (/sys/devices/system/cpu/possible): a
// per-CPU map's value holds one slot for each.
uint32_t possible_cpus();

} // namespace guard
