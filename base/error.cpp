// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/error.h"

#include <cstring>

namespace guard {

std::string errno_message(std::string_view what, int err)
{
	return std::string(what) + ": " + std::strerror(err);
}

} // namespace guard
