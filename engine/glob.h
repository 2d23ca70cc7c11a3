// Shell-style glob over bytes: '*' any run of bytes (including '/'), '?' one
// byte, '[abc]' '[a-z]' '[!x]' a byte from (or not from) a class, '\' quotes
// the next byte. Iterative with one backtrack point: linear memory, no
// allocation, O(pattern * text) at worst.
#pragma once

#include <string_view>

namespace guard {

bool glob_match(std::string_view pattern, std::string_view text);

// Whether pattern is well formed (every '[' closed, no trailing '\').
bool glob_valid(std::string_view pattern);

} // namespace guard
