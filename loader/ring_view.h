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

#include <atomic>
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

	// True when records are waiting. Issues a full fence first, pairing with
	// the kernel's, so that a record committed just before we sleep is seen
	// here rather than missed (the kernel only wakes us if it saw our
	// consumer position catch up to its record).
	bool has_data() const
	{
		std::atomic_thread_fence(std::memory_order_seq_cst);
		return __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE) != __atomic_load_n(consumer_pos_, __ATOMIC_RELAXED);
	}

	// Bytes written by the kernel and not yet consumed.
	uint64_t pending_bytes() const
	{
		return __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE) - __atomic_load_n(consumer_pos_, __ATOMIC_RELAXED);
	}

private:
	int map_fd_;
	bool mapped_ = true;
	uint32_t mask_;
	size_t page_size_;
	uint64_t *consumer_pos_ = nullptr;       // page 0, read-write
	const uint64_t *producer_pos_ = nullptr; // page 1, read-only
	const uint8_t *data_ = nullptr;          // pages 2.., read-only, mapped twice
};

template <class Fn, class Enough>
size_t RingView::drain(Fn &&fn, Enough &&enough)
{
	uint64_t cons = __atomic_load_n(consumer_pos_, __ATOMIC_RELAXED);
	size_t count = 0;
	for (;;) {
		// Acquire: the record bytes before producer_pos are visible to us.
		uint64_t prod = __atomic_load_n(producer_pos_, __ATOMIC_ACQUIRE);
		if (cons == prod)
			break;
		bool stopped = false;
		while (cons < prod) {
			const uint32_t *hdr = reinterpret_cast<const uint32_t *>(data_ + (cons & mask_));
			// Acquire: the committed length is published after the record's bytes.
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (len & BPF_RINGBUF_BUSY_BIT) {
				stopped = true; // still being written: resume from here next time
				break;
			}
			uint32_t record_len = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
			if (record_len > mask_) { // cannot happen with a correct kernel; never read past the ring
				stopped = true;
				break;
			}
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				fn(std::span<const uint8_t>(data_ + ((cons + BPF_RINGBUF_HDR_SZ) & mask_), record_len));
				count++;
			}
			cons += (record_len + BPF_RINGBUF_HDR_SZ + 7) & ~uint64_t(7);
			if (enough(count)) {
				stopped = true;
				break;
			}
		}
		__atomic_store_n(consumer_pos_, cons, __ATOMIC_RELEASE);
		if (stopped)
			break;
	}
	return count;
}

} // namespace guard
