// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/ring_view.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace guard {

RingView::RingView(int map_fd, uint32_t data_size)
	: map_fd_(map_fd), mask_(data_size - 1), page_size_(static_cast<size_t>(::sysconf(_SC_PAGESIZE)))
{
	if (data_size == 0 || (data_size & (data_size - 1)) || data_size % page_size_)
		fail("ring view: size " + std::to_string(data_size) + " is not a power-of-two multiple of the page size");

	void *cons = ::mmap(nullptr, page_size_, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (cons == MAP_FAILED)
		fail(errno_message("ring view: mmap consumer page", errno));
	// The kernel maps the data pages twice after the producer page; it allows
	// only read access there, since only it may write records.
	void *prod = ::mmap(nullptr, page_size_ + 2 * size_t(data_size), PROT_READ, MAP_SHARED, map_fd,
			    static_cast<off_t>(page_size_));
	if (prod == MAP_FAILED) {
		int err = errno;
		::munmap(cons, page_size_);
		fail(errno_message("ring view: mmap producer page and data", err));
	}
	consumer_pos_ = static_cast<uint64_t *>(cons);
	producer_pos_ = static_cast<const uint64_t *>(prod);
	data_ = static_cast<const uint8_t *>(prod) + page_size_;
	cons_ = published_ = prod_ = __atomic_load_n(consumer_pos_, __ATOMIC_RELAXED);
}

RingView::RingView(uint64_t *consumer_pos, const uint64_t *producer_pos, const uint8_t *data, uint32_t data_size)
	: map_fd_(-1), mapped_(false), mask_(data_size - 1), page_size_(0), consumer_pos_(consumer_pos),
	  producer_pos_(producer_pos), data_(data)
{
	if (data_size == 0 || (data_size & (data_size - 1)))
		fail("ring view: size " + std::to_string(data_size) + " is not a power of two");
	cons_ = published_ = prod_ = *consumer_pos_;
}

RingView::~RingView()
{
	if (!mapped_)
		return;
	::munmap(consumer_pos_, page_size_);
	::munmap(const_cast<uint64_t *>(producer_pos_), page_size_ + 2 * size_t(size()));
}

} // namespace guard
