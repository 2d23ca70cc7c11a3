/* SPDX-License-Identifier: GPL-2.0-or-later */
// The engine as the fuzz targets drive it: a pipeline with the built-in
// rules writing into a memory file; after each input every line it wrote
// must be one valid JSON object (abort otherwise, so libFuzzer keeps the
// input).
#pragma once

#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/batch_writer.h"
#include "engine/pipeline.h"
#include "rules/rules_file.h"

namespace guard::fuzz {

class EngineSink {
public:
	EngineSink()
		: fd_(::memfd_create("fuzz-out", MFD_CLOEXEC)), writer_(fd_, 1 << 20),
		  pipeline_(std::make_unique<Pipeline>(writer_, 0, PipelineOptions{false, 256}))
	{
		pipeline_->set_rules(rules::load_default_rules().set);
	}

	Pipeline &pipeline() { return *pipeline_; }

	// Flushes, checks every line, and empties the file for the next input.
	void check_lines()
	{
		if (!writer_.flush())
			std::abort();
		off_t n = ::lseek(fd_, 0, SEEK_CUR);
		std::string text(static_cast<size_t>(n), '\0');
		if (n > 0 && ::pread(fd_, text.data(), text.size(), 0) != n)
			std::abort();
		size_t at = 0;
		while (at < text.size()) {
			size_t end = text.find('\n', at);
			if (end == std::string::npos) {
				std::fprintf(stderr, "a line without its newline\n");
				std::abort();
			}
			simdjson::dom::element doc;
			if (parser_.parse(text.data() + at, end - at).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
				std::fprintf(stderr, "not a JSON object: %s\n", text.substr(at, end - at).c_str());
				std::abort();
			}
			at = end + 1;
		}
		if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)
			std::abort();
	}

private:
	int fd_;
	BatchWriter writer_;
	std::unique_ptr<Pipeline> pipeline_;
	simdjson::dom::parser parser_;
};

} // namespace guard::fuzz
