/* SPDX-License-Identifier: GPL-2.0-or-later */
// Records the kernel side could not put into their ring (it was full), by
// record kind. kern/common.bpf.h counts them per CPU, each ring in its own
// map ("proc_net_drops", "file_drops"); this sums the CPUs into the health
// record's KernelDrops, by kind and by ring. A few system calls per read:
// call it from the health timer, not per event.
#pragma once

#include <cstdint>

#include "engine/health.h"

namespace guard {

// drop_map_fds: by GUARD_RING_*, the fd of that ring's loaded drop map.
// Fills out (available = true). Throws Error when a map cannot be read.
void read_kernel_drops(const int (&drop_map_fds)[GUARD_RING_COUNT], KernelDrops &out);

// CPUs the kernel may ever bring up (/sys/devices/system/cpu/possible): a
// per-CPU map's value holds one slot for each.
uint32_t possible_cpus();

} // namespace guard
