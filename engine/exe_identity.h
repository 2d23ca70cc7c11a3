/* SPDX-License-Identifier: GPL-2.0-or-later */
// An executable's identity, the key of its cached sha256 (exe_hashes.h).
#pragma once

#include <cstdint>

namespace guard {

// As the exec record gives it: dev as stat(2) gives st_dev, the inode
// number, and the inode's change time in ns. A file rewritten in place
// keeps dev and ino but gets a new change time, so a new identity.
struct ExeIdentity {
	uint64_t dev = 0;
	uint64_t ino = 0;
	uint64_t ctime_ns = 0;

	bool known() const { return ino != 0 && ctime_ns != 0; }
	bool operator==(const ExeIdentity &) const = default;
};

} // namespace guard
