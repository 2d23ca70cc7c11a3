/* SPDX-License-Identifier: GPL-2.0-or-later */
// bpf-to-bpf calls. The kernel loads one program as one array of
// instructions: a function that calls another (static or global, usually in
// .text) must carry the callee inside that array. As libbpf does, each main
// program gets its own copy of every function it reaches, appended after its
// own code in the order first called; each call's imm is then the distance
// from the instruction after the call to the callee's copy.
//
// func_info (one record per function, at its first instruction) and
// line_info move with their function, so the kernel's rules hold: the first
// func_info and line_info are at instruction 0, offsets increase, and every
// subprogram the verifier finds starts where a func_info says one does.
#pragma once

#include <vector>

#include "loader/functions.h"
#include "loader/object_spec.h"

namespace guard {

// Fills prog.insns, subprograms, map_refs, core_relos, func_info and
// line_info from entry and the functions it calls. Throws Error naming a
// call that lands on no function's first instruction.
void link_program(ProgramSpec &prog, const Function &entry, const std::vector<Function> &functions);

} // namespace guard
