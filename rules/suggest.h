/* SPDX-License-Identifier: GPL-2.0-or-later */
// "did you mean ...?" for misspelt keys, kinds and fields.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace guard::rules {

size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to word, or "" when none is close enough to suggest.
std::string nearest(std::string_view word, const std::vector<std::string_view> &candidates);

// ", did you mean \"x\"?" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view> &candidates);

} // namespace guard::rules
