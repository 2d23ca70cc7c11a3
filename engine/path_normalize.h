/* SPDX-License-Identifier: GPL-2.0-or-later */
// The paths of a record as rules and output see them. Most come from the
// kernel's own objects (the file an open returned, the file an exec runs)
// and are canonical already. The others are names a process gave, joined
// to a directory's path when relative: those are made canonical by their
// text ("/tmp/../etc/shadow" opens /etc/shadow, and a rule on "/etc/shadow"
// must see that). Lexical only: a ".." after a symlink is resolved as text,
// which can differ from where the kernel went (docs/schema.md says so).
//
// An exec's path is the program that ran: the file the kernel runs, unless
// that file is an interpreter the kernel put in for a #! script (the record
// says so) or ld.so run by hand with the program as its argument; then the
// script or program, with the interpreter beside it.
#pragma once

#include <cstdint>
#include <string_view>

#include "abi/guard_abi.h"
#include "engine/record.h"

namespace guard {

// Collapses "//", drops ".", and lets ".." remove the component before it
// ("/.." stays "/"); drops a trailing slash. Returns `path` itself when it is
// already canonical or not absolute; otherwise the canonical form, written
// to out, which must hold path.size() bytes.
std::string_view normalize_path(std::string_view path, char *out);

// Room for the canonical forms of one record's paths.
struct PathScratch {
	char joined[2 * GUARD_PATH_MAX]; // an exec's cwd, '/', and a relative name
	char exec[2 * GUARD_PATH_MAX];
	char path[GUARD_PATH_MAX];
	char path2[GUARD_PATH_MAX];
};

// Whether a file is a dynamic loader (ld-linux-x86-64.so.2, ld-musl-*.so.1,
// ld.so ...), by its name.
bool is_dynamic_loader(std::string_view path);

// The program ld.so was asked to run: its first argument that is not one of
// its own options (argv[0] is ld.so). Empty when there is none.
std::string_view loader_program(std::string_view argv, uint32_t argc);

// Puts the paths of rec in place: an exec's path (and interpreter), the
// canonical file path, the new path of a rename or link. path_given is kept
// only where it differs from path; a rename's path2_given is the new path
// before it was made canonical. A symlink's target is kept as given: it is
// text, not a path the call resolved.
void normalize_record_paths(Record &rec, PathScratch &scratch);

} // namespace guard
