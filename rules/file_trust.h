/* SPDX-License-Identifier: GPL-2.0-or-later */
// Whether a policy file can be trusted by a root agent, as sshd's
// StrictModes decides for authorized_keys: the file, and every directory on
// its way from /, must belong to root (or to guard's own user) and be
// writable by nobody else. Otherwise another user could rewrite the rules
// (or their "output" path) of a process that runs as root. A directory
// writable by all is allowed when it is sticky (/tmp): nobody but its owner
// may rename or replace what lies in it.
#pragma once

#include <string>

namespace guard::rules {

// fd: the file as opened; path: how it was named. "" when trusted, else why
// not ("/etc/guard is writable by group (mode 0775)").
std::string untrusted_reason(int fd, const std::string &path);

} // namespace guard::rules
