// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/regex.h"

#include <re2/re2.h>

namespace guard::sigma {

namespace {

class Re2Matcher : public TextMatcher {
public:
	Re2Matcher(const std::string &source, const std::string &pattern, const RE2::Options &options)
		: source_(source), re_(pattern, options)
	{
	}
	bool ok() const { return re_.ok(); }
	std::string error() const { return re_.error(); }
	bool matches(std::string_view text) const override
	{
		return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re_);
	}
	std::string_view pattern() const override { return source_; }

private:
	std::string source_;
	RE2 re_;
};

} // namespace

std::unique_ptr<const TextMatcher> compile_regex(const std::string &pattern, RegexFlags flags, std::string &error)
{
	RE2::Options options;
	options.set_encoding(RE2::Options::EncodingLatin1);
	options.set_log_errors(false);
	options.set_case_sensitive(!flags.i);
	options.set_dot_nl(flags.s);
	options.set_never_capture(true); // a match is all that is asked
	// m: ^ and $ at each line, as Perl's (?m).
	auto re = std::make_unique<Re2Matcher>(pattern, flags.m ? "(?m)" + pattern : pattern, options);
	if (!re->ok()) {
		error = re->error();
		return nullptr;
	}
	return re;
}

} // namespace guard::sigma
