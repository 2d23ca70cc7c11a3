/* SPDX-License-Identifier: GPL-2.0-or-later */
// Splitting one fuzz input into the parts a target needs: length-prefixed
// pieces (u32, little-endian) and numbers, each taking what is left when
// the input runs out, so every input is read somehow.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace guard::fuzz {

class Input {
public:
	Input(const uint8_t *data, size_t size) : data_(data), size_(size) {}

	uint32_t u32()
	{
		uint32_t v = 0;
		size_t n = size_ - at_ < 4 ? size_ - at_ : 4;
		std::memcpy(&v, data_ + at_, n);
		at_ += n;
		return v;
	}
	// The next piece: u32 length, then that many bytes (or what is left).
	std::span<const uint8_t> piece()
	{
		size_t n = u32();
		if (n > size_ - at_)
			n = size_ - at_;
		std::span<const uint8_t> p(data_ + at_, n);
		at_ += n;
		return p;
	}
	std::string text(size_t max)
	{
		std::span<const uint8_t> p = piece();
		return std::string(reinterpret_cast<const char *>(p.data()), p.size() < max ? p.size() : max);
	}
	std::span<const uint8_t> rest() const { return {data_ + at_, size_ - at_}; }
	bool empty() const { return at_ == size_; }

private:
	const uint8_t *data_;
	size_t size_;
	size_t at_ = 0;
};

} // namespace guard::fuzz
