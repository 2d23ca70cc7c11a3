/* SPDX-License-Identifier: GPL-2.0-or-later */
// Attaching a program to a function in an executable or library (uprobe,
// uretprobe) through the uprobe PMU: perf_event_open with attr.type from
// /sys/bus/event_source/devices/uprobe/type, the file's path in config1
// and the function's offset *in the file* in config2. The kernel places
// the probe in the file's page cache, so every process that maps it hits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loader/link.h"

namespace guard {

// The file offset of function (an STT_FUNC in .symtab or .dynsym): its
// address less the difference between the address and the file offset of
// the loadable segment that holds it.
uint64_t function_file_offset(const std::string &path, std::string_view function);

// target: "function" or "function+offset".
Link attach_uprobe(int prog_fd, std::string_view binary, std::string_view target, bool retprobe);

} // namespace guard
