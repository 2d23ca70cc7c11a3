/* SPDX-License-Identifier: GPL-2.0-or-later */
// The sha256 of files a rule names by content ({"sha256_of": PATHS} on
// exe_sha256), taken when the rules load. Each file is hashed once per
// identity (dev, inode, change time, size) in the process's life: reloads
// and repeated compiles cost a stat.
#pragma once

#include <optional>
#include <string>

namespace guard::rules {

// The hex sha256 of the regular file at path (links followed), or none
// when there is no such readable file on this host.
std::optional<std::string> file_sha256(const std::string &path);

} // namespace guard::rules
