// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/condition.h"

namespace guard::sigma {

namespace {

using Op = Condition::Op;

constexpr size_t kMaxDepth = 32;

std::vector<std::string> tokens_of(std::string_view text)
{
	std::vector<std::string> out;
	std::string word;
	auto flush = [&] {
		if (!word.empty())
			out.push_back(std::move(word)), word.clear();
	};
	for (char c : text) {
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			flush();
		} else if (c == '(' || c == ')') {
			flush();
			out.emplace_back(1, c);
		} else {
			word += c;
		}
	}
	flush();
	return out;
}

// Recursive descent: or over and over not over primary.
class Parser {
public:
	explicit Parser(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

	Condition parse()
	{
		Condition c = parse_or(0);
		if (at_ < tokens_.size())
			fail("unexpected \"" + tokens_[at_] + "\"");
		return c;
	}

	struct Failure {
		std::string why;
	};

private:
	[[noreturn]] void fail(const std::string &why) { throw Failure{why}; }

	bool next_is(std::string_view t) const { return at_ < tokens_.size() && tokens_[at_] == t; }

	Condition binary(Op op, size_t depth, Condition (Parser::*operand)(size_t), std::string_view word)
	{
		Condition first = (this->*operand)(depth);
		if (!next_is(word))
			return first;
		Condition group{op, {}, {std::move(first)}};
		while (next_is(word)) {
			at_++;
			group.kids.push_back((this->*operand)(depth));
		}
		return group;
	}

	Condition parse_or(size_t depth)
	{
		if (depth > kMaxDepth)
			fail("nested more than 32 levels");
		return binary(Op::or_, depth, &Parser::parse_and, "or");
	}
	Condition parse_and(size_t depth) { return binary(Op::and_, depth, &Parser::parse_not, "and"); }

	Condition parse_not(size_t depth)
	{
		if (!next_is("not"))
			return primary(depth);
		at_++;
		if (depth > kMaxDepth)
			fail("nested more than 32 levels");
		return {Op::not_, {}, {parse_not(depth + 1)}};
	}

	Condition primary(size_t depth)
	{
		if (at_ == tokens_.size())
			fail("ends where a selection name was expected");
		std::string t = tokens_[at_++];
		if (t == "(") {
			Condition c = parse_or(depth + 1);
			if (!next_is(")"))
				fail("\"(\" not closed");
			at_++;
			return c;
		}
		if (t == "1" || t == "all") {
			if (!next_is("of"))
				fail("\"" + t + "\" must be followed by \"of\"");
			at_++;
			if (at_ == tokens_.size() || tokens_[at_] == "(" || tokens_[at_] == ")")
				fail("\"" + t + " of\" must be followed by a name, a pattern or \"them\"");
			return {t == "all" ? Op::all_of : Op::one_of, tokens_[at_++], {}};
		}
		if (t == ")" || t == "and" || t == "or" || t == "of")
			fail("unexpected \"" + t + "\" where a selection name was expected");
		if (t.find_first_not_of("0123456789") == std::string::npos)
			fail("\"" + t + " of\" is not supported (only \"1 of\" and \"all of\")");
		return {Op::name, t, {}};
	}

	std::vector<std::string> tokens_;
	size_t at_ = 0;
};

} // namespace

std::optional<Condition> parse_condition(std::string_view text, std::string &error)
{
	if (text.find('|') != std::string_view::npos) {
		error = "aggregations (\"| count() ...\") are not supported";
		return std::nullopt;
	}
	try {
		return Parser(tokens_of(text)).parse();
	} catch (const Parser::Failure &f) {
		error = "condition \"" + std::string(text) + "\": " + f.why;
		return std::nullopt;
	}
}

} // namespace guard::sigma
