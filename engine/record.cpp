#include "engine/record.h"

#include <cstddef>
#include <cstring>

namespace guard {

const char *decode_error_name(DecodeError e)
{
	switch (e) {
	case DecodeError::none: return "none";
	case DecodeError::short_record: return "short_record";
	case DecodeError::size_mismatch: return "size_mismatch";
	case DecodeError::bad_version: return "bad_version";
	case DecodeError::unknown_kind: return "unknown_kind";
	case DecodeError::string_out_of_bounds: return "string_out_of_bounds";
	case DecodeError::count_: break;
	}
	return "unknown";
}

namespace {

// A string must start after the kind's fixed fields and end inside the record.
bool read_string(std::span<const uint8_t> bytes, size_t fixed_size, const struct guard_string &s,
		 std::string_view &out)
{
	if (s.offset < fixed_size || size_t(s.offset) + s.length > bytes.size())
		return false;
	out = std::string_view(reinterpret_cast<const char *>(bytes.data()) + s.offset, s.length);
	return true;
}

} // namespace

DecodeError decode_record(std::span<const uint8_t> bytes, Record &out)
{
	if (bytes.size() < sizeof(struct guard_header))
		return DecodeError::short_record;
	// memcpy, not a cast: recorded files need not keep the ring's alignment.
	std::memcpy(&out.header, bytes.data(), sizeof(out.header));
	if (out.header.size != bytes.size())
		return DecodeError::size_mismatch;
	if (out.header.version != GUARD_ABI_VERSION)
		return DecodeError::bad_version;

	switch (out.header.kind) {
	case GUARD_RECORD_EXEC: {
		if (bytes.size() < sizeof(struct guard_exec))
			return DecodeError::short_record;
		struct guard_string filename;
		std::memcpy(&filename, bytes.data() + offsetof(struct guard_exec, filename), sizeof(filename));
		if (!read_string(bytes, sizeof(struct guard_exec), filename, out.filename))
			return DecodeError::string_out_of_bounds;
		return DecodeError::none;
	}
	default:
		return DecodeError::unknown_kind;
	}
}

} // namespace guard
