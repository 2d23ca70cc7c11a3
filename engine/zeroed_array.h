/* SPDX-License-Identifier: GPL-2.0-or-later */
// A fixed array whose memory is all zero bytes and costs nothing until used.
//
// The engine's big tables (the process table: 32768 entries of ~300 bytes)
// were value-initialized at construction, which touched every page: ~10 MB of
// page faults and RSS, and ~28 ms, before the first event, most of it never
// needed on a quiet host. Fresh anonymous pages from mmap read as zero and
// stay the kernel's shared zero page until written, so an entry's page
// becomes resident only when a process first lands in it. (calloc gives the
// same only while malloc happens to serve the block from a fresh mapping:
// after a large free it may reuse heap memory and clear it, touching it all.)
// The element type must be valid as all-zero bytes, or be constructed before
// it is read (the process table constructs an entry when it takes it into use).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace guard {

template <class T>
class ZeroedArray {
	// No constructor or destructor runs on the elements: they must not need one.
	static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
	ZeroedArray() = default;
	explicit ZeroedArray(size_t n) : bytes_(n * sizeof(T))
	{
		void *p = ::mmap(nullptr, bytes_ ? bytes_ : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			throw std::bad_alloc();
		data_ = static_cast<T *>(p);
	}
	ZeroedArray(ZeroedArray &&o) noexcept : data_(std::exchange(o.data_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
	ZeroedArray &operator=(ZeroedArray &&o) noexcept
	{
		if (this != &o) {
			release();
			data_ = std::exchange(o.data_, nullptr);
			bytes_ = std::exchange(o.bytes_, 0);
		}
		return *this;
	}
	ZeroedArray(const ZeroedArray &) = delete;
	ZeroedArray &operator=(const ZeroedArray &) = delete;
	~ZeroedArray() { release(); }

	T &operator[](size_t i) { return data_[i]; }
	const T &operator[](size_t i) const { return data_[i]; }
	T *get() { return data_; }

private:
	void release()
	{
		if (data_)
			::munmap(data_, bytes_ ? bytes_ : 1);
	}

	T *data_ = nullptr;
	size_t bytes_ = 0;
};

} // namespace guard
