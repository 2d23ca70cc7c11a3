// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/addr_text.h"

#include <sys/socket.h>

#include "engine/json_text.h"

namespace guard {

char *write_addr(char *out, uint16_t family, const uint8_t addr[16])
{
	if (family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i)
				*out++ = '.';
			out = write_uint(out, addr[i]);
		}
		return out;
	}
	if (family != AF_INET6)
		return out;
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = static_cast<uint16_t>(addr[2 * i] << 8 | addr[2 * i + 1]);
	int best = -1, best_len = 1, run = -1;
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && g[i] == 0) {
			if (run < 0)
				run = i;
		} else if (run >= 0) {
			if (i - run > best_len) {
				best = run;
				best_len = i - run;
			}
			run = -1;
		}
	}
	static constexpr char hex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*out++ = ':';
			if (i == 0)
				*out++ = ':';
			i += best_len - 1;
			continue;
		}
		bool started = false;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned d = (g[i] >> shift) & 0xF;
			if (d || started || shift == 0) {
				*out++ = hex[d];
				started = true;
			}
		}
		if (i < 7)
			*out++ = ':';
	}
	return out;
}

} // namespace guard
