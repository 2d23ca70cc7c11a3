// SPDX-License-Identifier: GPL-2.0-or-later
// Our SHA-256 (base/sha256.h) against the NIST examples (FIPS 180-4's
// "SHA256.pdf" and the one-million-'a' vector), fed whole and in pieces
// that cross block boundaries, and against sha256sum of a real file.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/sha256.h"

using namespace guard;

namespace {

std::string hex_of(std::string_view message)
{
	Sha256 h;
	h.update(message.data(), message.size());
	return sha256_hex(h.finish());
}

// The same message given in pieces of `step` bytes.
std::string hex_in_pieces(std::string_view message, size_t step)
{
	Sha256 h;
	for (size_t at = 0; at < message.size(); at += step)
		h.update(message.data() + at, std::min(step, message.size() - at));
	return sha256_hex(h.finish());
}

} // namespace

TEST_CASE("sha256: the NIST examples")
{
	CHECK(hex_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK(hex_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	CHECK(hex_of(two_blocks) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	std::string four_blocks = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
				  "mnopqrstnopqrstu";
	CHECK(hex_of(four_blocks) ==
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	std::string million(1000000, 'a');
	CHECK(hex_of(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	for (size_t step : {1, 3, 55, 56, 63, 64, 65, 1000})
		CHECK(hex_in_pieces(two_blocks + four_blocks, step) == hex_of(two_blocks + four_blocks));
	CHECK(hex_in_pieces(million, 4093) == hex_of(million));
}

TEST_CASE("sha256: a real file agrees with sha256sum")
{
	// This test's own binary: several MB, no fixture needed.
	std::string path = "/proc/self/exe";
	char target[4096];
	ssize_t n = ::readlink(path.c_str(), target, sizeof(target) - 1);
	REQUIRE(n > 0);
	target[n] = 0;
	FILE *p = ::popen(("sha256sum '" + std::string(target) + "'").c_str(), "r");
	REQUIRE(p);
	char expected[65] = {};
	REQUIRE(std::fread(expected, 1, 64, p) == 64);
	::pclose(p);

	int fd = ::open(target, O_RDONLY | O_CLOEXEC);
	REQUIRE(fd >= 0);
	Sha256::Digest d;
	REQUIRE(sha256_fd(fd, d));
	::close(fd);
	CHECK(sha256_hex(d) == std::string(expected));
}
