// Decoding a raw record from the ring into a view over its bytes. Nothing is
// copied but the fixed header; strings are views into the record. Every size
// and every string's bounds are checked before use: the decoder never reads
// outside the bytes it was given, whatever they hold.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "abi/guard_abi.h"

namespace guard {

enum class DecodeError : uint8_t {
	none,
	short_record,   // fewer bytes than the header or the kind's fixed part
	size_mismatch,  // header.size differs from the bytes the ring gave
	bad_version,    // written by another ABI version
	unknown_kind,
	string_out_of_bounds,
	count_,
};

const char *decode_error_name(DecodeError e);

struct Record {
	struct guard_header header;
	// GUARD_RECORD_EXEC
	std::string_view filename;
};

DecodeError decode_record(std::span<const uint8_t> bytes, Record &out);

} // namespace guard
