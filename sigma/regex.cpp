// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/regex.h"

#include <hs/hs.h>

namespace guard::sigma {

namespace {

// A match ends the scan at once: whether there is one is all that is asked.
int stop_at_first(unsigned, unsigned long long, unsigned long long, unsigned, void *)
{
	return 1;
}

class HyperscanMatcher : public TextMatcher {
public:
	HyperscanMatcher(std::string source, hs_database_t *db, hs_scratch_t *scratch)
		: source_(std::move(source)), db_(db), scratch_(scratch)
	{
	}
	~HyperscanMatcher() override
	{
		hs_free_scratch(scratch_);
		hs_free_database(db_);
	}
	HyperscanMatcher(const HyperscanMatcher &) = delete;
	HyperscanMatcher &operator=(const HyperscanMatcher &) = delete;

	// hs_scan works in the scratch space made at load: no allocation, no
	// lock. The scratch is this expression's own, so one thread at a time
	// may ask (the engine thread); a second at once would get
	// HS_SCRATCH_IN_USE, which is no match rather than a race.
	bool matches(std::string_view text) const override
	{
		return hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_, stop_at_first,
			       nullptr) == HS_SCAN_TERMINATED;
	}
	std::string_view pattern() const override { return source_; }

private:
	std::string source_;
	hs_database_t *db_;
	hs_scratch_t *scratch_;
};

} // namespace

std::unique_ptr<const TextMatcher> compile_regex(const std::string &pattern, RegexFlags flags, std::string &error)
{
	if (hs_valid_platform() != HS_SUCCESS) {
		error = "Hyperscan needs a CPU with SSSE3";
		return nullptr;
	}
	// Bytes as they are (no HS_FLAG_UTF8): any byte sequence is text.
	// SINGLEMATCH: one report is enough. ALLOWEMPTY: `a*` holds everywhere,
	// as in other engines, instead of being refused.
	unsigned hs_flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
	if (flags.i)
		hs_flags |= HS_FLAG_CASELESS;
	if (flags.m)
		hs_flags |= HS_FLAG_MULTILINE;
	if (flags.s)
		hs_flags |= HS_FLAG_DOTALL;
	hs_database_t *db = nullptr;
	hs_compile_error_t *compile_error = nullptr;
	if (hs_compile(pattern.c_str(), hs_flags, HS_MODE_BLOCK, nullptr, &db, &compile_error) != HS_SUCCESS) {
		error = compile_error ? compile_error->message : "does not compile";
		hs_free_compile_error(compile_error);
		return nullptr;
	}
	hs_scratch_t *scratch = nullptr;
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		hs_free_database(db);
		error = "no memory for its scratch space";
		return nullptr;
	}
	return std::make_unique<HyperscanMatcher>(pattern, db, scratch);
}

} // namespace guard::sigma
