// SPDX-License-Identifier: GPL-2.0-or-later
// Zero heap allocations per event, proved: more than a million records of
// every kind through the real engine (decode, process table, default rules,
// alert and event formatting, batched writes to /dev/null), counting every
// operator new and (outside sanitizer builds) every malloc/calloc/realloc.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "engine/pipeline.h"
#include "rules/rules_file.h"
#include "test/support/record_mix.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};

void note_allocation()
{
	if (g_counting.load(std::memory_order_relaxed))
		g_allocations.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

// Every form of operator new funnels through these two.
void *operator new(size_t n)
{
	note_allocation();
	if (void *p = std::malloc(n ? n : 1))
		return p;
	throw std::bad_alloc();
}
void *operator new[](size_t n) { return operator new(n); }
void *operator new(size_t n, const std::nothrow_t &) noexcept
{
	note_allocation();
	return std::malloc(n ? n : 1);
}
void *operator new[](size_t n, const std::nothrow_t &t) noexcept { return operator new(n, t); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, size_t) noexcept { std::free(p); }
void operator delete[](void *p, size_t) noexcept { std::free(p); }

// malloc itself. AddressSanitizer owns malloc in a SAN=1 build, so there
// only operator new is counted; the plain build counts both.
#if !defined(__SANITIZE_ADDRESS__)
extern "C" {
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void __libc_free(void *);

void *malloc(size_t n)
{
	note_allocation();
	return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
	note_allocation();
	return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n)
{
	note_allocation();
	return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
}
#endif

using namespace guard;

TEST_CASE("zero heap allocations per event: 1M+ records of every kind through the engine with the default rules")
{
	int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
	REQUIRE(devnull >= 0);
	BatchWriter out(devnull, 1 << 20);
	Pipeline pipeline(out, 1'700'000'000'000'000'000, {false, 4096});
	pipeline.set_rules(rules::load_default_rules().set);
	auto pool = test::record_mix();

	// Warm-up: one pass over the mix (nothing should allocate even here,
	// but the promise is "after warm-up").
	for (auto &r : pool)
		pipeline.on_record(r);
	out.flush();

	constexpr size_t kRecords = 1'050'000;
	g_allocations = 0;
	g_counting = true;
	for (size_t i = 0; i < kRecords; i++) {
		auto &r = pool[i % pool.size()];
		// A new set of pids every round of the mix: the process table (4096
		// entries) fills and evicts all along.
		test::set_pid(r, 10000 + static_cast<uint32_t>(i / pool.size()) % 60000);
		pipeline.on_record(r);
	}
	out.flush();
	g_counting = false;
	uint64_t allocations = g_allocations.load();
	::close(devnull);

	const PipelineStats &s = pipeline.stats();
	CHECK(s.records == kRecords + pool.size());
	for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++) {
		CAPTURE(record_kind_name(k));
		CHECK(s.events_by_kind[k] > 0);
	}
	uint64_t decode_errors = 0;
	for (uint64_t n : s.decode_errors)
		decode_errors += n;
	CHECK(decode_errors == 0);
	// Every default rule fired, so matching and alert formatting were on the path.
	size_t rules_fired = 0;
	pipeline.for_each_alert_count([&](std::string_view, uint64_t n) { rules_fired += n > 0; });
	CHECK(rules_fired == pipeline.rules()->rules.size());
	CHECK(pipeline.processes().stats().evictions > 0);
	CHECK(out.bytes_written() > kRecords * 100);
	CHECK(allocations == 0);
}

TEST_CASE("the allocation counter sees operator new and malloc")
{
	static std::vector<std::string> sink;
	g_allocations = 0;
	g_counting = true;
	sink.emplace_back(200, 'x');
	void *volatile p = std::malloc(64);
	g_counting = false;
	std::free(p);
#if defined(__SANITIZE_ADDRESS__)
	CHECK(g_allocations.load() >= 1);
#else
	CHECK(g_allocations.load() >= 2);
#endif
	sink.clear();
}
