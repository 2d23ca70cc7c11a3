// SPDX-License-Identifier: GPL-2.0-or-later
// A sink that refuses: a full disk (RLIMIT_FSIZE makes a regular file
// refuse past a size, as a full file system does, without root), a pipe
// nobody reads. Nothing is lost silently: the file never ends with part of
// a line, what was not written is written once the sink takes it again, in
// order, and what could not be kept is counted.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/batch_writer.h"
#include "engine/output_file.h"
#include "engine/output_pace.h"
#include "engine/record_file.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

// The process's file size limit set to bytes for its lifetime (SIGXFSZ
// ignored, so writes past it fail with EFBIG as they would with ENOSPC).
struct FileSizeLimit {
	struct rlimit old {};
	void (*old_handler)(int);
	explicit FileSizeLimit(rlim_t bytes)
	{
		::getrlimit(RLIMIT_FSIZE, &old);
		old_handler = ::signal(SIGXFSZ, SIG_IGN);
		set(bytes);
	}
	void set(rlim_t bytes)
	{
		struct rlimit l = old;
		l.rlim_cur = bytes;
		REQUIRE(::setrlimit(RLIMIT_FSIZE, &l) == 0);
	}
	~FileSizeLimit()
	{
		::setrlimit(RLIMIT_FSIZE, &old);
		::signal(SIGXFSZ, old_handler);
	}
};

// Line i, all lines the same length.
std::string line(int i)
{
	char n[8];
	std::snprintf(n, sizeof(n), "%04d", i);
	return "{\"n\":\"" + std::string(n) + "\",\"pad\":\"" + std::string(60, 'x') + "\"}\n";
}

void put(BatchWriter &w, const std::string &s)
{
	char *p = w.reserve(s.size());
	std::memcpy(p, s.data(), s.size());
	w.commit(p + s.size());
}

// The numbers of the whole lines of text, in order; false if a line is torn.
bool whole_lines(const std::string &text, std::vector<int> &numbers)
{
	size_t at = 0;
	while (at < text.size()) {
		size_t end = text.find('\n', at);
		if (end == std::string::npos)
			return false;
		std::string l = text.substr(at, end - at + 1);
		int n = std::atoi(l.c_str() + 6);
		if (l != line(n))
			return false;
		numbers.push_back(n);
		at = end + 1;
	}
	return true;
}

} // namespace

TEST_CASE("a full disk: the file ends with a whole line, the rest is kept and written when space returns")
{
	test::TempDir dir;
	std::string file = dir.path + "/events.jsonl";
	OutputFile out({file, 0, 0});
	const size_t len = line(0).size();
	BatchWriter w(out.fd(), 64 * len);
	{
		FileSizeLimit limit(10 * len + len / 2); // room for 10.5 lines
		for (int i = 0; i < 30; i++)
			put(w, line(i));
		CHECK_FALSE(w.flush());
		CHECK(w.failing());
		CHECK(w.last_error() == EFBIG);
		// The half line that fitted was cut off again.
		CHECK(std::filesystem::file_size(file) == 10 * len);
		CHECK(w.pending_bytes() == 20 * len);
		CHECK(w.lost_lines() == 0);

		// Still full: more lines wait in the buffer, until it is full too;
		// then they are dropped whole and counted.
		for (int i = 30; i < 100; i++)
			put(w, line(i));
		CHECK(w.lost_lines() == 100 - 64 - 10);
		CHECK(w.lost_bytes() == w.lost_lines() * len);
		CHECK_FALSE(w.flush());
		CHECK(std::filesystem::file_size(file) % len == 0);

		limit.set(RLIM_INFINITY); // space again
		CHECK(w.flush());
		CHECK_FALSE(w.failing());
		put(w, line(100));
		CHECK(w.flush());
	}
	std::vector<int> numbers;
	REQUIRE(whole_lines(test::read_text(file), numbers));
	// Every line is there once, in order, except those counted lost.
	CHECK(numbers.size() + w.lost_lines() == 101);
	for (size_t i = 1; i < numbers.size(); i++)
		CHECK(numbers[i] > numbers[i - 1]);
	CHECK(numbers.front() == 0);
	CHECK(numbers.back() == 100);
	CHECK(w.write_errors() >= 2);
}

TEST_CASE("a regular file's blocks are taken a chunk ahead of its end, its size stays what was written")
{
	test::TempDir dir;
	std::string file = dir.path + "/events.jsonl";
	OutputFile out({file, 0, 0});
	if (::fallocate(out.fd(), FALLOC_FL_KEEP_SIZE, 0, 4096) != 0) {
		MESSAGE("skipped: this file system has no fallocate (" << std::strerror(errno) << ")");
		return;
	}
	BatchWriter w(out.fd(), 4096);
	put(w, line(0));
	REQUIRE(w.flush());
	struct stat st {};
	REQUIRE(::fstat(out.fd(), &st) == 0);
	CHECK(size_t(st.st_size) == line(0).size());
	// What a reader sees is the line; the blocks behind it wait for more.
	CHECK(size_t(st.st_blocks) * 512 >= FileSpace::kChunk);
}

TEST_CASE("a pipe nobody reads: the rest of a line goes out when the reader comes back, in order")
{
	int fds[2];
	REQUIRE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
	REQUIRE(::fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);
	long capacity = ::fcntl(fds[1], F_GETPIPE_SZ);
	const size_t len = line(0).size();
	BatchWriter w(fds[1], 256 * len);
	int n = static_cast<int>(capacity / long(len)) * 2;
	for (int i = 0; i < n; i++)
		put(w, line(i));
	CHECK_FALSE(w.flush());
	CHECK(w.last_error() == EAGAIN);
	std::string got(static_cast<size_t>(capacity), '\0');
	REQUIRE(::read(fds[0], got.data(), got.size()) == capacity);
	for (int tries = 0; tries < 8 && !w.flush(); tries++) {
		char buf[65536];
		ssize_t r = ::read(fds[0], buf, sizeof(buf));
		if (r > 0)
			got.append(buf, static_cast<size_t>(r));
	}
	CHECK_FALSE(w.failing());
	char buf[65536];
	ssize_t r;
	while ((r = ::read(fds[0], buf, sizeof(buf))) > 0)
		got.append(buf, static_cast<size_t>(r));
	std::vector<int> numbers;
	REQUIRE(whole_lines(got, numbers));
	CHECK(numbers.size() == size_t(n));
	CHECK(w.lost_lines() == 0);
	::close(fds[0]);
	::close(fds[1]);
}

TEST_CASE("a pipe whose reader is behind: the loop waits for it while it reads, and gives up after the grace")
{
	int fds[2];
	REQUIRE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
	REQUIRE(::fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);
	const size_t len = line(0).size();
	BatchWriter w(fds[1], 256 * len);
	OutputPace pace;
	auto t0 = OutputPace::Clock::now();
	CHECK_FALSE(OutputPace::batch_full(w));
	for (int i = 0; i < 160; i++) // 13 KB: more than the pipe holds
		put(w, line(i));
	CHECK(OutputPace::batch_full(w)); // half the buffer: write before reading more
	REQUIRE_FALSE(w.flush());
	CHECK(w.sink_full());
	pace.after_flush(w, t0);
	CHECK(pace.reader_behind(t0));
	// The reader takes something: the grace starts again from then.
	char buf[65536];
	REQUIRE(::read(fds[0], buf, sizeof(buf)) == 4096);
	auto t1 = t0 + OutputPace::kReaderGrace - std::chrono::milliseconds(1);
	w.flush();
	pace.after_flush(w, t1);
	CHECK(pace.reader_behind(t1 + OutputPace::kReaderGrace - std::chrono::milliseconds(1)));
	// It takes nothing more: a stopped reader, a fault (the loop drains on).
	w.flush();
	pace.after_flush(w, t1 + OutputPace::kReaderGrace);
	CHECK_FALSE(pace.reader_behind(t1 + OutputPace::kReaderGrace));
	// It reads everything: written, nothing to wait for.
	for (int tries = 0; tries < 8 && !w.flush(); tries++)
		while (::read(fds[0], buf, sizeof(buf)) > 0)
			;
	CHECK_FALSE(w.failing());
	pace.after_flush(w, t1);
	CHECK_FALSE(pace.reader_behind(t1));
	::close(fds[0]);
	::close(fds[1]);
}

TEST_CASE("a recording on a full disk keeps whole frames, and reads back up to the last of them")
{
	test::TempDir dir;
	std::string file = dir.path + "/rec";
	OutputFile out({file, 0, 0});
	write_record_file_header(out.fd(), 42);
	BatchWriter w(out.fd(), 1 << 16, scan_frames);
	std::vector<uint8_t> record(200, 7);
	{
		FileSizeLimit limit(sizeof(RecordFileHeader) + 10 * 204 + 100);
		for (int i = 0; i < 40; i++)
			append_record(w, record);
		CHECK_FALSE(w.flush());
	}
	CHECK(std::filesystem::file_size(file) == sizeof(RecordFileHeader) + 10 * 204);
	RecordFile rec = RecordFile::load(file);
	CHECK(rec.count() == 10);
	CHECK(rec.cut_short().empty());
	CHECK(w.flush());
	CHECK(RecordFile::load(file).count() == 40);
}

TEST_CASE("a recording cut short is read up to its last whole frame, with a warning")
{
	test::TempDir dir;
	std::string file = dir.path + "/rec";
	{
		OutputFile out({file, 0, 0});
		write_record_file_header(out.fd(), 42);
		BatchWriter w(out.fd(), 1 << 16, scan_frames);
		std::vector<uint8_t> record(300, 9);
		for (int i = 0; i < 5; i++)
			append_record(w, record);
		REQUIRE(w.flush());
	}
	REQUIRE(::truncate(file.c_str(), off_t(sizeof(RecordFileHeader) + 3 * 304 + 17)) == 0);
	RecordFile rec = RecordFile::load(file);
	CHECK(rec.count() == 3);
	CHECK(rec.cut_short() == file + ": cut short at byte 961, inside the frame at byte 944; its 3 whole records before it are read");
	REQUIRE(::truncate(file.c_str(), off_t(sizeof(RecordFileHeader) + 2 * 304 + 2)) == 0);
	CHECK(RecordFile::load(file).count() == 2);
	CHECK_FALSE(RecordFile::load(file).cut_short().empty());
}
