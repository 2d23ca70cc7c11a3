/* SPDX-License-Identifier: GPL-2.0-or-later */
// The real engine (Pipeline with a rule set) writing into an in-memory file,
// for tests that feed it records and read back the exact lines.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/pipeline.h"
#include "engine/rule_set.h"

namespace guard::test {

class EngineCapture {
public:
	explicit EngineCapture(std::unique_ptr<RuleSet> rules, PipelineOptions options = {})
		: fd_(::memfd_create("guard-test-output", MFD_CLOEXEC)), out_(fd_, 4 << 20),
		  pipeline_(out_, 1'700'000'000'000'000'000, options)
	{
		pipeline_.set_rules(std::move(rules));
	}
	~EngineCapture() { ::close(fd_); }

	void feed(const std::vector<uint8_t> &record) { pipeline_.on_record(std::span<const uint8_t>(record)); }

	// Everything written so far.
	std::string text()
	{
		out_.flush();
		std::string s;
		char buf[65536];
		off_t at = 0;
		ssize_t n;
		while ((n = ::pread(fd_, buf, sizeof(buf), at)) > 0) {
			s.append(buf, static_cast<size_t>(n));
			at += n;
		}
		return s;
	}

	std::vector<std::string> lines()
	{
		std::vector<std::string> v;
		std::string t = text();
		size_t start = 0;
		for (size_t nl; (nl = t.find('\n', start)) != std::string::npos; start = nl + 1)
			v.push_back(t.substr(start, nl - start));
		return v;
	}

	size_t count_with(std::string_view needle)
	{
		size_t n = 0;
		for (const std::string &l : lines())
			n += l.find(needle) != std::string::npos;
		return n;
	}

	// Alert lines only: a source event carries the same key fields.
	size_t alerts_with(std::string_view needle)
	{
		size_t n = 0;
		for (const std::string &l : lines())
			n += l.starts_with("{\"type\":\"alert\"") && l.find(needle) != std::string::npos;
		return n;
	}

	uint64_t alerts(std::string_view rule) const
	{
		uint64_t n = 0;
		pipeline_.for_each_alert_count([&](std::string_view id, uint64_t count) {
			if (id == rule)
				n += count;
		});
		return n;
	}

	Pipeline &pipeline() { return pipeline_; }

private:
	int fd_;
	BatchWriter out_;
	Pipeline pipeline_;
};

} // namespace guard::test
