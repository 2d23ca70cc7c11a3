// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/file.h"

#include <cerrno>
#include <fstream>
#include <iterator>

#include "base/error.h"

namespace guard {

std::vector<uint8_t> read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		fail(errno_message("read " + path, errno));
	std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
	if (in.bad())
		fail(errno_message("read " + path, errno));
	return bytes;
}

} // namespace guard
