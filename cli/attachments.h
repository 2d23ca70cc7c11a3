/* SPDX-License-Identifier: GPL-2.0-or-later */
// guard's policy over the loader's attachments (loader/attach.h): which of
// its programs a load leaves out, and what the "attached" line says.
#pragma once

#include <string>
#include <vector>

#include "loader/attach.h"
#include "loader/object_spec.h"

namespace guard {

// What guard and its benchmark floor leave out of a load: the programs of
// the families named in disabled (cli/families.h), and those with no
// tracepoint on this kernel (said on stderr after `who`).
std::vector<std::string> programs_to_skip(const ObjectSpec &spec, const std::vector<std::string> &disabled,
					  const char *who);

// "46 programs at 74 tracepoints (process 12, file 44, network 16, io_uring 2)"
std::string describe(const Attachments &a);

} // namespace guard
