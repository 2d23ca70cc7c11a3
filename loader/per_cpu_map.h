/* SPDX-License-Identifier: GPL-2.0-or-later */
// Reading a BPF_MAP_TYPE_PERCPU_ARRAY of u64 counters. A lookup in such a
// map copies out every possible CPU's copy of the value, each in its own
// 8-byte-aligned slot (kernel/bpf/arraymap.c, bpf_percpu_array_copy), so
// the caller's buffer needs possible_cpus() slots, not one.
#pragma once

#include <cstdint>

namespace guard {

// The counter at key, summed over the CPUs. A few system calls: for timers,
// never per event. Throws Error with the key and errno.
uint64_t per_cpu_sum(int map_fd, uint32_t key);

} // namespace guard
