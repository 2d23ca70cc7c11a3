/* SPDX-License-Identifier: GPL-2.0-or-later */
// What a tool's userspace sets in its object before load, from guard obj's
// command line: `--set NAME=VALUE` for a global (a `const volatile` knob in
// .rodata, frozen at load so the verifier sees a constant), and
// `--map NAME:FIELD=N` for a map's max_entries, value_size or key_size
// (a stack map's depth, a table sized to the machine).
#pragma once

#include <string_view>

#include "loader/object_spec.h"

namespace guard {

// VALUE: an integer (decimal, 0x hex, or negative) that fits the variable,
// of 1, 2, 4 or 8 bytes. Throws Error naming the setting and what is wrong.
void apply_global_setting(ObjectSpec &spec, std::string_view setting);

// Throws Error for an unknown map or field, or a value that is no uint32.
void apply_map_setting(ObjectSpec &spec, std::string_view setting);

} // namespace guard
