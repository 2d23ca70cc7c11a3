/* SPDX-License-Identifier: GPL-2.0-or-later */
// A reader of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF) in place, following the
// kernel's protocol (kernel/bpf/ringbuf.c):
//
//   page 0            consumer_pos, written by us
//   page 1            producer_pos, written by the kernel
//   pages 2..         the data, mapped twice in a row so that a record that
//                     wraps around the end is still contiguous in memory
//
// Each record starts with an 8-byte header: a u32 length whose top bits say
// BUSY (reserved, not yet committed) and DISCARD (skip it), and a u32 the
// kernel uses for itself. Records are 8-byte aligned.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace guard {

class RingView {
public:
	// Maps the ring behind map_fd; data_size is the map's max_entries.
	RingView(int map_fd, uint32_t data_size);
	// A view over memory laid out as the kernel lays out the ring, for
	// tests: data holds 2 * data_size bytes, the second half mirroring the
	// first. Nothing is mapped or unmapped.
	RingView(uint64_t *consumer_pos, const uint64_t *producer_pos, const uint8_t *data, uint32_t data_size);
	~RingView();
	RingView(const RingView &) = delete;
	RingView &operator=(const RingView &) = delete;

	int fd() const { return map_fd_; }
	uint32_t size() const { return mask_ + 1; }

	// Hands every committed record to fn(std::span<const uint8_t>), in order,
	// until the ring is empty or a record is still being written, or
	// enough(records handed over so far) says to stop (a caller that must
	// also see to signals while the kernel keeps writing). Returns how many
	// records were handed over. Stores the consumer position once, at the
	// end, with release order: the kernel may then reuse the space.
	struct DrainAll {
		bool operator()(size_t) const { return false; }
	};
	template <class Fn, class Enough = DrainAll>
	size_t drain(Fn &&fn, Enough &&enough = DrainAll{});

	// One record at a time, for a consumer that takes from several rings in
	// turn (loader/ring_merge.h). peek: the next committed record, left in
	// place; false when there is none yet (the ring is empty, or its next
	// record is still being written). pop: past the record peek gave.
	// publish: store the consumer position, letting the kernel reuse the
	// space; peek publishes too, before it looks at the producer again.
	bool peek(std::span<const uint8_t> &record);
	void pop() { cons_ += step_; }
	void publish()
	{
		if (cons_ != published_)
			__atomic_store_n(consumer_pos_, published_ = cons_, __ATOMIC_RELEASE);
	}

	// Bytes written by the kernel and not yet consumed.
	uint64_t pending_bytes() const { return __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE) - cons_; }

private:
	int map_fd_;
	bool mapped_ = true;
	uint32_t mask_;
	size_t page_size_;
	uint64_t *consumer_pos_ = nullptr;       // page 0, read-write
	const uint64_t *producer_pos_ = nullptr; // page 1, read-only
	const uint8_t *data_ = nullptr;          // pages 2.., read-only, mapped twice
	uint64_t cons_ = 0;      // where we are: ahead of consumer_pos_ until published
	uint64_t published_ = 0; // what consumer_pos_ holds
	uint64_t prod_ = 0;      // the producer position last read
	uint32_t step_ = 0;      // the peeked record's length in the ring, header and padding included
};

inline bool RingView::peek(std::span<const uint8_t> &record)
{
	for (;;) {
		if (cons_ == prod_) {
			publish();
			// Acquire: the record bytes before producer_pos are visible to us.
			prod_ = __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE);
			if (cons_ == prod_)
				return false;
		}
		const uint32_t *hdr = reinterpret_cast<const uint32_t *>(data_ + (cons_ & mask_));
		// Acquire: the committed length is published after the record's bytes.
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			return false; // still being written: everything after it waits, in order
		uint32_t record_len = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		if (record_len > mask_) // cannot happen with a correct kernel; never read past the ring
			return false;
		step_ = (record_len + BPF_RINGBUF_HDR_SZ + 7) & ~uint32_t(7);
		if (len & BPF_RINGBUF_DISCARD_BIT) {
			pop();
			continue;
		}
		record = std::span<const uint8_t>(data_ + ((cons_ + BPF_RINGBUF_HDR_SZ) & mask_), record_len);
		return true;
	}
}

template <class Fn, class Enough>
size_t RingView::drain(Fn &&fn, Enough &&enough)
{
	size_t count = 0;
	for (std::span<const uint8_t> record; peek(record);) {
		fn(record);
		pop();
		if (enough(++count))
			break;
	}
	publish();
	return count;
}

} // namespace guard
