// SPDX-License-Identifier: GPL-2.0-or-later
// A BPF ring buffer in memory, written by a fake producer exactly as
// kernel/bpf/ringbuf.c writes it: the header (length with BUSY set) is
// written and producer_pos advanced at reserve time, the BUSY bit cleared (or
// DISCARD set) at commit; data pages are mapped twice, so a record that wraps
// around the end reads contiguously. For RingView's tests.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "loader/ring_view.h"

namespace guard::test {

class FakeRing {
public:
	explicit FakeRing(uint32_t size) : size_(size), data_(2 * size_t(size), 0xee) {}

	// Reserves a record: header written BUSY, producer position advanced.
	uint64_t reserve(const std::string &payload)
	{
		uint64_t at = producer_;
		write_u32(at, uint32_t(payload.size()) | BPF_RINGBUF_BUSY_BIT);
		write_u32(at + 4, 0);
		for (size_t i = 0; i < payload.size(); i++)
			write_byte(at + BPF_RINGBUF_HDR_SZ + i, uint8_t(payload[i]));
		producer_ += (payload.size() + BPF_RINGBUF_HDR_SZ + 7) & ~uint64_t(7);
		return at;
	}
	void commit(uint64_t at, bool discard = false)
	{
		uint32_t len = read_u32(at) & ~BPF_RINGBUF_BUSY_BIT;
		write_u32(at, discard ? len | BPF_RINGBUF_DISCARD_BIT : len);
	}
	void push(const std::string &payload) { commit(reserve(payload)); }

	RingView view() { return RingView(&consumer_, &producer_, data_.data(), size_); }
	uint64_t consumer() const { return consumer_; }
	void start_at(uint64_t pos) { consumer_ = producer_ = pos; }
	void write_u32(uint64_t pos, uint32_t v)
	{
		for (int i = 0; i < 4; i++)
			write_byte(pos + i, uint8_t(v >> (8 * i)));
	}

private:
	// Each byte lands in both copies of the data, as the double mapping shows it.
	void write_byte(uint64_t pos, uint8_t b)
	{
		size_t off = pos & (size_ - 1);
		data_[off] = b;
		data_[off + size_] = b;
	}
	uint32_t read_u32(uint64_t pos)
	{
		uint32_t v;
		std::memcpy(&v, data_.data() + (pos & (size_ - 1)), 4);
		return v;
	}

	uint32_t size_;
	alignas(8) uint64_t consumer_ = 0;
	alignas(8) uint64_t producer_ = 0;
	std::vector<uint8_t> data_;
};

} // namespace guard::test
