/* SPDX-License-Identifier: GPL-2.0-or-later */
// A whole file's bytes, for set-up code (objects, fixtures): an error says
// which file and why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace guard {

// Throws Error "read PATH: REASON".
std::vector<uint8_t> read_file(const std::string &path);

} // namespace guard
