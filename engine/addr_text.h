/* SPDX-License-Identifier: GPL-2.0-or-later */
// Printing an IP address without the C library (inet_ntop may format through
// stdio): IPv4 dotted quad, IPv6 as RFC 5952 says (lowercase, no leading
// zeros, the longest run of two or more zero groups written "::").
#pragma once

#include <cstddef>
#include <cstdint>

namespace guard {

constexpr size_t addr_text_max = 46;

// family: AF_INET (4 bytes used) or AF_INET6 (16). Returns the new end; writes
// nothing for another family.
char *write_addr(char *out, uint16_t family, const uint8_t addr[16]);

} // namespace guard
