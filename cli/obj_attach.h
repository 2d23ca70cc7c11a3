/* SPDX-License-Identifier: GPL-2.0-or-later */
// guard obj --attach: loads the object, attaches each program it can where
// its section says (loader/attach.h), keeps them attached for a while (or
// until SIGINT or SIGTERM), detaches, and prints what each program's
// counters (the object's integer globals) read after it ran.
#pragma once

#include "loader/collection.h"
#include "loader/object_spec.h"

namespace guard {

// Prints a line per program: attached (link id and type, as the kernel
// says) or skipped with the reason. False when a program failed for a
// reason other than this kernel's lack of support.
bool attach_and_report(const ObjectSpec &spec, double seconds);

// Each map's id and sizes as the kernel reports them (after --map).
void print_created_maps(const Collection &objects);

} // namespace guard
