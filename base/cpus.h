/* SPDX-License-Identifier: GPL-2.0-or-later */
// CPUs the kernel may ever bring up: a per-CPU map's value holds one slot for
// each (the kernel sizes it by num_possible_cpus(), not by the CPUs online).
#pragma once

#include <cstdint>
#include <string>

namespace guard {

// The highest CPU in a list of ranges such as "0-3" or "0,2-5", plus one.
// Throws Error naming what it expected when text is not such a list.
uint32_t cpus_in_list(const std::string &text);

// cpus_in_list of /sys/devices/system/cpu/possible, read once.
uint32_t possible_cpus();

} // namespace guard
