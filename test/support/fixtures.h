/* SPDX-License-Identifier: GPL-2.0-or-later */
// The BPF objects test/fixtures/*.bpf.c compiles to (the Makefile builds
// them into $(BUILD)/test/fixtures).
#pragma once

#include <string>

namespace guard::test {

inline std::string fixture_path(const std::string &name)
{
	return std::string(GUARD_FIXTURE_DIR) + "/" + name;
}

} // namespace guard::test
