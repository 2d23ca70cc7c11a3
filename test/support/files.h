/* SPDX-License-Identifier: GPL-2.0-or-later */
// Small helpers shared by the tests: reading files, temp directories.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace guard::test {

inline std::vector<uint8_t> read_file_bytes(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace guard::test
