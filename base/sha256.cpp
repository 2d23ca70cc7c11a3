// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/sha256.h"

#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace guard {

namespace {

// FIPS 180-4, 4.2.2: the first 32 bits of the fractional parts of the cube
// roots of the first 64 primes.
constexpr uint32_t kRound[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

uint32_t load_be32(const uint8_t *p)
{
	return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

// 6.2.2: one 512-bit block into the state.
void compress_portable(uint32_t state[8], const uint8_t block[64])
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[t] + w[t];
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}


#if defined(__x86_64__)
// The same, with the SHA extensions: sha256rnds2 does two rounds on the
// state held as ABEF and CDGH, sha256msg1/msg2 extend the message schedule
// four words at a time (Intel, "Intel SHA Extensions", 2013).
[[gnu::target("sha,sse4.1")]] void compress_sha_ni(uint32_t state[8], const uint8_t *data, size_t blocks)
{
	const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
	__m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i *>(&state[0]));
	__m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i *>(&state[4]));
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);
	for (; blocks > 0; blocks--, data += 64) {
		__m128i abef_before = abef, cdgh_before = cdgh;
		__m128i w[4]; // W[4i .. 4i+3] of the last four groups, by i % 4
		for (int i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(data + 16 * i)), byte_swap);
			} else {
				// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], t = 4i
				__m128i x = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(x, w[(i + 3) & 3]);
			}
			__m128i wk = _mm_add_epi32(w[i & 3], _mm_loadu_si128(reinterpret_cast<const __m128i *>(&kRound[4 * i])));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef_before);
		cdgh = _mm_add_epi32(cdgh, cdgh_before);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128(reinterpret_cast<__m128i *>(&state[0]), _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128(reinterpret_cast<__m128i *>(&state[4]), _mm_alignr_epi8(dchg, feba, 8));
}

// CPUID leaf 7's EBX bit 29 (SHA) and leaf 1's ECX bits 9 (SSSE3) and 19 (SSE4.1).
bool cpu_has_sha_ni()
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
const bool kHasShaNi = cpu_has_sha_ni();
#endif

} // namespace

// 5.3.3: the initial hash value, the first 32 bits of the fractional parts
// of the square roots of the first 8 primes.
Sha256::Sha256()
	: state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
{
}

void Sha256::compress(const uint8_t *data, size_t blocks)
{
#if defined(__x86_64__)
	if (kHasShaNi) {
		compress_sha_ni(state_, data, blocks);
		return;
	}
#endif
	for (; blocks > 0; blocks--, data += 64)
		compress_portable(state_, data);
}

void Sha256::update(const void *data, size_t size)
{
	const uint8_t *p = static_cast<const uint8_t *>(data);
	bytes_ += size;
	if (used_ > 0) {
		size_t take = std::min(size, sizeof(block_) - used_);
		std::memcpy(block_ + used_, p, take);
		used_ += take;
		p += take;
		size -= take;
		if (used_ < sizeof(block_))
			return;
		compress(block_, 1);
		used_ = 0;
	}
	compress(p, size / 64);
	p += size / 64 * 64;
	size %= 64;
	std::memcpy(block_, p, size);
	used_ = size;
}

// 5.1.1: a 1 bit, zeros up to 56 bytes of the last block, the length in
// bits as a big-endian 64-bit number.
Sha256::Digest Sha256::finish()
{
	uint64_t bits = bytes_ * 8;
	block_[used_++] = 0x80;
	if (used_ > 56) {
		std::memset(block_ + used_, 0, sizeof(block_) - used_);
		compress(block_, 1);
		used_ = 0;
	}
	std::memset(block_ + used_, 0, 56 - used_);
	for (int i = 0; i < 8; i++)
		block_[56 + i] = uint8_t(bits >> (56 - 8 * i));
	compress(block_, 1);
	Digest out;
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = uint8_t(state_[i] >> (24 - 8 * j));
	return out;
}

void sha256_hex(const Sha256::Digest &digest, char out[Sha256::hex_size])
{
	static constexpr char kHex[] = "0123456789abcdef";
	for (size_t i = 0; i < digest.size(); i++) {
		out[2 * i] = kHex[digest[i] >> 4];
		out[2 * i + 1] = kHex[digest[i] & 15];
	}
}

std::string sha256_hex(const Sha256::Digest &digest)
{
	std::string s(Sha256::hex_size, '\0');
	sha256_hex(digest, s.data());
	return s;
}

bool sha256_fd(int fd, Sha256::Digest &out)
{
	Sha256 h;
	static thread_local uint8_t buf[1 << 16];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			break;
		h.update(buf, static_cast<size_t>(n));
	}
	out = h.finish();
	return true;
}

} // namespace guard
