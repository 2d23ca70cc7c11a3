/* SPDX-License-Identifier: GPL-2.0-or-later */
// A problem found while validating a rules file: where (byte offset in the
// text) and what was expected. rules_file.cpp turns it into
// "file:line:col: message".
#pragma once

#include <cstddef>
#include <string>

namespace guard::rules {

struct RuleError {
	size_t offset;
	std::string message;
};

[[noreturn]] inline void reject(size_t offset, std::string message) { throw RuleError{offset, std::move(message)}; }

} // namespace guard::rules
