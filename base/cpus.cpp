// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/cpus.h"

#include <fstream>

#include "base/error.h"

namespace guard {

uint32_t cpus_in_list(const std::string &text)
{
	if (text.empty())
		fail("expected a CPU list such as \"0-3\", found nothing");
	uint32_t highest = 0;
	size_t i = 0;
	while (i < text.size()) {
		size_t end = i;
		while (end < text.size() && end - i < 9 && text[end] >= '0' && text[end] <= '9')
			end++;
		if (end == i || (end < text.size() && text[end] != '-' && text[end] != ','))
			fail("expected a CPU number at \"" + text.substr(i) + "\" in \"" + text + "\"");
		uint32_t cpu = static_cast<uint32_t>(std::stoul(text.substr(i, end - i)));
		highest = cpu > highest ? cpu : highest;
		i = end + 1; // past '-' or ','
	}
	return highest + 1;
}

uint32_t possible_cpus()
{
	static const uint32_t cpus = [] {
		const char *path = "/sys/devices/system/cpu/possible";
		std::ifstream in(path);
		std::string text;
		std::getline(in, text);
		return with_context(std::string("read ") + path, [&] { return cpus_in_list(text); });
	}();
	return cpus;
}

} // namespace guard
