/* SPDX-License-Identifier: GPL-2.0-or-later */
// Absolute paths made canonical by their text before rules see them. The
// kernel reports the path a process gave, joined to its cwd when relative;
// "/tmp/../etc/shadow" opens /etc/shadow, and a rule on "/etc/shadow" must
// see that. Lexical only: a ".." after a symlink is resolved as text, which
// can differ from where the kernel went (docs/schema.md says so).
#pragma once

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
	char exec[GUARD_PATH_MAX];
	char path[GUARD_PATH_MAX];
	char path2[GUARD_PATH_MAX];
};

// Puts the canonical paths of rec in place (exec path, file path, the new
// path of a rename or link), keeping each original in its *_given field when
// it changed. A symlink's target is kept as given: it is text, not a path
// the call resolved.
void normalize_record_paths(Record &rec, PathScratch &scratch);

} // namespace guard
