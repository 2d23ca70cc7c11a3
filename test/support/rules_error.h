/* SPDX-License-Identifier: GPL-2.0-or-later */
// The message a rules text is refused with, for tests of the refusals.
#pragma once

#include <string>

#include "rules/rules_file.h"

namespace guard::test {

// The RulesFileError compiling text (as file "r.json") throws, or "" when
// it compiles.
inline std::string rules_error(const std::string &text)
{
	try {
		rules::compile_rules_text(text, "r.json");
	} catch (const rules::RulesFileError &e) {
		return e.what();
	}
	return "";
}

} // namespace guard::test
