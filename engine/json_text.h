/* SPDX-License-Identifier: GPL-2.0-or-later */
// Writing JSON text into a buffer the caller has sized. A JSON string must be
// valid UTF-8 with control characters escaped; paths, comms and argv are raw
// bytes from the kernel and may be neither.
//
// The documented rule (docs/schema.md): a string field holds the bytes as
// UTF-8, with '"', '\\' and control characters escaped and each byte that is
// not part of valid UTF-8 written as U+FFFD. When that happened, the record
// also carries "<field>_hex" with the exact bytes in lowercase hex, so nothing
// is lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/json_number.h"

namespace guard {

// Worst-case output of write_json_string_body for n input bytes: an invalid
// byte becomes U+FFFD (3 bytes), a control byte \u00XX (6 bytes).
constexpr size_t json_string_body_max(size_t n) { return 6 * n; }

// Writes the body of a JSON string (no quotes); sets valid_utf8 to whether the
// input was valid UTF-8. Returns the new end.
char *write_json_string_body(char *out, std::string_view bytes, bool &valid_utf8);

// True when bytes can stand in a JSON string as they are: ASCII with no
// control character, '"' or '\\'. Strings kept for many events (the
// process table's comm and exe) are checked once, when stored.
bool json_plain(std::string_view bytes);

// Writes bytes as lowercase hex (2 characters a byte). Returns the new end.
char *write_hex(char *out, std::string_view bytes);

// Writes a time as RFC 3339 UTC with nanoseconds: 2026-11-22T15:04:05.123456789Z.
// Pure arithmetic: no gmtime_r, which takes the time-zone lock.
char *write_rfc3339(char *out, int64_t unix_ns);
constexpr size_t rfc3339_max = 40;

} // namespace guard
