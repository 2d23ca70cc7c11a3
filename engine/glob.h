/* SPDX-License-Identifier: GPL-2.0-or-later */
// Shell-style glob over bytes: '*' any run of bytes (including '/'), '?' one
// byte, '[abc]' '[a-z]' '[!x]' a byte from (or not from) a class, '\' quotes
// the next byte. Iterative with one backtrack point: linear memory, no
// allocation, O(pattern * text) at worst.
#pragma once

#include <cstddef>
#include <string_view>

#include "engine/text_fold.h"

namespace guard {

bool glob_match(std::string_view pattern, std::string_view text);
// The same over the text as fold reads it (text_fold.h); the pattern is
// taken as it is (a lowered pattern for fold.lower).
bool glob_match(std::string_view pattern, std::string_view text, TextFold fold);

// Whether pattern is well formed (every '[' closed, no trailing '\').
bool glob_valid(std::string_view pattern);

// The index of the ']' that closes the class opened at pattern[open] ('[';
// a ']' right after it, or after its '!' or '^', is a member), or
// pattern.size() when none does.
size_t glob_class_end(std::string_view pattern, size_t open);

} // namespace guard
