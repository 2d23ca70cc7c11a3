/* SPDX-License-Identifier: GPL-2.0-or-later */
// Event families: the user switches them on and off by name, and kern/
// names every program after its family (process_*, file_*, net_*). A
// family that is off has its programs skipped at load, so they are never
// verified nor attached and cost nothing. This is guard's own object's
// convention (kern/), the loader's policy for it, shared by guard and its
// benchmark floor (tools/bench/floor.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loader/attach.h"
#include "loader/object_spec.h"

namespace guard {

struct EventFamily {
	std::string_view name;           // as the user writes it: --disable file
	std::string_view program_prefix; // every program of the family starts with it
};

const std::vector<EventFamily> &event_families();

// "process, file, network, io_uring, privilege": for help and error text.
std::string event_family_names();
// The families' names, one string each (for the command line's check).
std::vector<std::string> event_family_list();

// Names of the programs (from program_names) that belong to the families
// named in disabled. Throws Error for a name that is no family.
std::vector<std::string> programs_of_families(const std::vector<std::string> &disabled,
					      const std::vector<std::string> &program_names);

// The family a program belongs to, or "" when none.
std::string_view family_of_program(std::string_view program_name);

// What guard and its benchmark floor leave out of a load: the programs of
// the families named in disabled, and those with no tracepoint on this
// kernel (said on stderr after `who`).
std::vector<std::string> programs_to_skip(const ObjectSpec &spec, const std::vector<std::string> &disabled,
					  const char *who);

// "46 programs at 74 tracepoints (process 12, file 44, network 16, io_uring 2)"
std::string describe(const Attachments &a);

} // namespace guard
