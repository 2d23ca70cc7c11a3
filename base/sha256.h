/* SPDX-License-Identifier: GPL-2.0-or-later */
// SHA-256 (FIPS 180-4), our own: the executables' identity (exe_sha256) is
// hashed off the hot path by engine/exe_hasher.h and, at rules load, by
// rules that name files by content. No library: the static binary links
// nothing more.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace guard {

class Sha256 {
public:
	using Digest = std::array<uint8_t, 32>;
	static constexpr size_t hex_size = 64;

	Sha256();
	void update(const void *data, size_t size);
	// The digest of everything updated so far; the object is spent.
	Digest finish();

private:
	// blocks whole 64-byte blocks into the state: with the x86 SHA
	// extensions where the CPU has them (about 8 times faster: the rules
	// hash interpreters at every load), else portable C++.
	void compress(const uint8_t *data, size_t blocks);

	uint32_t state_[8];
	uint64_t bytes_ = 0; // message length so far
	uint8_t block_[64];
	size_t used_ = 0; // bytes waiting in block_
};

// The digest in lowercase hex (what sha256sum prints), into out[64].
void sha256_hex(const Sha256::Digest &digest, char out[Sha256::hex_size]);
std::string sha256_hex(const Sha256::Digest &digest);

// Hashes what fd reads from its current offset to its end (read(2) in
// 64 KiB pieces; EINTR retried). False on a read error (errno kept).
bool sha256_fd(int fd, Sha256::Digest &out);

} // namespace guard
