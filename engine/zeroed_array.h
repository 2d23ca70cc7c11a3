// A fixed array whose memory is all zero bytes and costs nothing until used.
//
// The engine's big tables (the process table: 32768 entries of ~300 bytes)
// were value-initialized at construction, which touched every page: ~10 MB of
// page faults and RSS before the first event, most of it never needed on a
// quiet host. calloc of a large block hands out fresh anonymous pages, which
// the kernel maps to the shared zero page until written, so an entry's page
// becomes resident only when a process first lands in it. The element type
// must be valid as all-zero bytes, or be constructed before it is read (the
// process table constructs an entry when it takes it into use).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace guard {

template <class T>
class ZeroedArray {
	// No constructor or destructor runs on the elements: they must not need one.
	static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
	ZeroedArray() = default;
	explicit ZeroedArray(size_t n) : data_(static_cast<T *>(std::calloc(n ? n : 1, sizeof(T))))
	{
		if (!data_)
			throw std::bad_alloc();
	}

	T &operator[](size_t i) { return data_.get()[i]; }
	const T &operator[](size_t i) const { return data_.get()[i]; }
	T *get() { return data_.get(); }

private:
	struct Free {
		void operator()(T *p) const { std::free(p); }
	};
	std::unique_ptr<T, Free> data_;
};

} // namespace guard
