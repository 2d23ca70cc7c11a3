// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/selection.h"

#include <charconv>
#include <map>
#include <tuple>

#include "rules/compile.h"
#include "sigma/regex.h"
#include "sigma/values.h"
#include "sigma/yaml_docs.h"

namespace guard::sigma {

namespace {

using What = FieldMeaning::What;
using Position = Modifiers::Position;

std::vector<YAML::Node> values_of(const YAML::Node &v)
{
	std::vector<YAML::Node> out;
	if (v.IsSequence())
		for (const YAML::Node &item : v)
			out.push_back(item);
	else
		out.push_back(v);
	return out;
}

bool is_true(const YAML::Node &v, bool &out)
{
	if (!v.IsScalar())
		return false;
	std::string s = v.Scalar();
	for (char &c : s)
		c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	if (s != "true" && s != "false")
		return false;
	out = s == "true";
	return true;
}

// "CommandLine|contains|all" as its field name and modifiers.
std::vector<std::string_view> split_key(std::string_view spec)
{
	std::vector<std::string_view> parts;
	for (size_t at = 0;;) {
		size_t bar = spec.find('|', at);
		parts.push_back(spec.substr(at, bar == std::string_view::npos ? std::string_view::npos : bar - at));
		if (bar == std::string_view::npos)
			return parts;
		at = bar + 1;
	}
}

bool parse_int(const std::string &s, int64_t &out)
{
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
	return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// "10." or "192.168." (whole octets, then a dot), or "fe80:" / "2001:db8:"
// (whole groups, then a colon), as the CIDR of addresses starting so.
bool prefix_as_cidr(const std::string &v, Cidr &out)
{
	if (v.empty())
		return false;
	char sep = v.back() == '.' ? '.' : v.back() == ':' ? ':' : 0;
	if (!sep || v.find("::") != std::string::npos)
		return false;
	std::string head = v.substr(0, v.size() - 1);
	size_t parts = 1;
	for (char c : head)
		parts += c == sep;
	std::string full = head;
	if (sep == '.') {
		if (parts > 3)
			return false;
		for (size_t i = parts; i < 4; i++)
			full += ".0";
		return rules::parse_cidr(full + "/" + std::to_string(8 * parts), out, true);
	}
	if (parts > 7)
		return false;
	return rules::parse_cidr(full + "::/" + std::to_string(16 * parts), out, true);
}

} // namespace

// The values of one field that hold together (any of them): literal
// tests by kind share a node; the others are nodes of their own.
struct Alternatives {
	std::map<std::tuple<Field, NodeOp, bool>, std::vector<std::string>> literals; // by field, test, nocase
	std::vector<int64_t> numbers;
	std::vector<Cidr> cidrs;
	std::vector<uint32_t> nodes;

	uint32_t emit(NodeBuilder &b, Field f)
	{
		RuleSet &set = b.set();
		std::vector<uint32_t> kids = nodes;
		for (auto &[key, lits] : literals) {
			Node n{std::get<1>(key), std::get<0>(key)};
			n.nocase = std::get<2>(key);
			n.first = static_cast<uint32_t>(set.literals.size());
			n.count = static_cast<uint32_t>(lits.size());
			set.literals.insert(set.literals.end(), lits.begin(), lits.end());
			kids.push_back(b.add(n));
		}
		if (!numbers.empty()) {
			Node n{NodeOp::num_in, f};
			n.first = static_cast<uint32_t>(set.numbers.size());
			n.count = static_cast<uint32_t>(numbers.size());
			set.numbers.insert(set.numbers.end(), numbers.begin(), numbers.end());
			kids.push_back(b.add(n));
		}
		if (!cidrs.empty()) {
			Node n{NodeOp::addr_cidr, f};
			n.first = static_cast<uint32_t>(set.cidrs.size());
			n.count = static_cast<uint32_t>(cidrs.size());
			set.cidrs.insert(set.cidrs.end(), cidrs.begin(), cidrs.end());
			kids.push_back(b.add(n));
		}
		return kids.empty() ? b.constant(false) : b.group(NodeOp::any, kids);
	}
};

void SelectionCompiler::skip(const YAML::Node &at, const std::string &reason) const
{
	throw Skipped{where(file_, at), reason};
}

uint32_t SelectionCompiler::compile(const YAML::Node &selection)
{
	if (selection.IsMap())
		return map_selection(selection);
	if (selection.IsSequence() && selection.size() > 0) {
		std::vector<uint32_t> kids;
		for (const YAML::Node &item : selection) {
			if (!item.IsMap())
				skip(item, "keyword searches (values without a field) are not supported");
			kids.push_back(map_selection(item));
		}
		return nodes_.group(NodeOp::any, kids);
	}
	skip(selection, "keyword searches (values without a field) are not supported");
}

uint32_t SelectionCompiler::map_selection(const YAML::Node &map)
{
	if (map.size() == 0)
		skip(map, "an empty selection");
	std::vector<uint32_t> kids;
	for (auto it = map.begin(); it != map.end(); ++it)
		kids.push_back(field_entry(it->first, it->second));
	return nodes_.group(NodeOp::all, kids);
}

uint32_t SelectionCompiler::field_entry(const YAML::Node &key, const YAML::Node &value)
{
	std::string spec = key.Scalar();
	std::vector<std::string_view> parts = split_key(spec);
	std::string name(parts[0]);
	if (name.empty())
		skip(key, "keyword searches (values without a field) are not supported");
	Modifiers m;
	if (auto why = parse_modifiers({parts.begin() + 1, parts.end()}, m))
		skip(key, "field \"" + name + "\": " + *why);
	FieldMeaning meaning;
	if (!field_meaning(category_, kind_, name, meaning)) {
		if (meaningless_on_linux(name))
			skip(key, "field \"" + name + "\" has no meaning on Linux");
		skip(key, "field \"" + name + "\" is not supported for category " + std::string(category_.name));
	}
	std::vector<YAML::Node> values = values_of(value);
	for (const YAML::Node &v : values)
		if (!v.IsScalar() && !v.IsNull())
			skip(v, "field \"" + name + "\": expected a value or a list of values");
	if (values.empty())
		return nodes_.constant(false);
	if (m.exists) {
		bool want;
		if (values.size() != 1 || !is_true(values[0], want))
			skip(value, "field \"" + name + "\": \"exists\" takes true or false");
		return exists_test(meaning, want);
	}
	// One node per value for `all`; otherwise one set of alternatives.
	std::vector<uint32_t> kids;
	Alternatives alt;
	for (const YAML::Node &v : values) {
		Alternatives one;
		add_value(name, meaning, m, v, m.all ? one : alt);
		if (m.all)
			kids.push_back(one.emit(nodes_, meaning.field));
	}
	if (!m.all)
		return alt.emit(nodes_, meaning.field);
	return nodes_.group(NodeOp::all, kids);
}

// exists: true holds for a text field that is not empty, any other field
// guard has, a constant; false the reverse.
uint32_t SelectionCompiler::exists_test(const FieldMeaning &meaning, bool want)
{
	if (meaning.what == What::field && field_info(meaning.field).type == FieldType::string) {
		Node empty{NodeOp::str_equals, meaning.field, Cmp::lt, static_cast<uint32_t>(nodes_.set().literals.size()), 1, 0};
		nodes_.set().literals.emplace_back();
		uint32_t is_empty = nodes_.add(empty);
		return want ? nodes_.negate(is_empty) : is_empty;
	}
	return nodes_.constant((meaning.what != What::absent) == want);
}

void SelectionCompiler::add_value(const std::string &name, const FieldMeaning &meaning, const Modifiers &m,
				  const YAML::Node &v, Alternatives &alt)
{
	switch (meaning.what) {
	case What::absent: // only null matches what is not there
		alt.nodes.push_back(nodes_.constant(v.IsNull()));
		return;
	case What::constant: {
		bool want;
		if (!is_true(v, want))
			skip(v, "field \"" + name + "\": expected true or false");
		alt.nodes.push_back(nodes_.constant(want == meaning.constant));
		return;
	}
	case What::field: break;
	}
	switch (field_info(meaning.field).type) {
	case FieldType::string: return add_string(name, meaning.field, m, v, alt);
	case FieldType::number: return add_number(name, meaning.field, m, v, alt);
	case FieldType::address: return add_address(name, m, v, alt);
	case FieldType::boolean: break;
	}
	skip(v, "field \"" + name + "\": no boolean fields are mapped");
}

void SelectionCompiler::add_string(const std::string &name, Field f, const Modifiers &m, const YAML::Node &v,
				   Alternatives &alt)
{
	RuleSet &set = nodes_.set();
	if (v.IsNull()) { // null: the field is empty
		alt.literals[{f, NodeOp::str_equals, false}].emplace_back();
		return;
	}
	if (m.cidr || m.cmp)
		skip(v, "field \"" + name + "\" is text: cidr, gt, gte, lt, lte do not apply");
	const std::string &text = v.Scalar();
	if (m.fieldref) {
		FieldMeaning other;
		if (!field_meaning(category_, kind_, text, other) || other.what != What::field ||
		    field_info(other.field).type != FieldType::string)
			skip(v, "fieldref: \"" + text + "\" is not a text field of category " + std::string(category_.name));
		Node n{NodeOp::str_fieldref, f, Cmp::lt, 0, 0, static_cast<int64_t>(other.field)};
		n.nocase = !m.cased;
		alt.nodes.push_back(nodes_.add(n));
		return;
	}
	if (m.re) {
		std::string error;
		auto re = compile_regex(text, {m.re_i, m.re_m, m.re_s}, error);
		if (!re)
			skip(v, "field \"" + name + "\": regular expression: " + error);
		set.regexes.push_back(std::move(re));
		alt.nodes.push_back(nodes_.add({NodeOp::str_regex, f, Cmp::lt, static_cast<uint32_t>(set.regexes.size() - 1), 1, 0}));
		return;
	}
	if ((m.base64 || m.base64offset) && text.find_first_of("*?") != std::string::npos)
		skip(v, "field \"" + name + "\": base64 of a value with wildcards");
	for (StringTest &t : string_tests(text, m))
		alt.literals[{f, t.op, t.nocase}].push_back(std::move(t.literal));
}

void SelectionCompiler::add_number(const std::string &name, Field f, const Modifiers &m, const YAML::Node &v,
				   Alternatives &alt)
{
	int64_t n;
	if (v.IsNull()) { // guard always has its numbers
		alt.nodes.push_back(nodes_.constant(false));
		return;
	}
	if (!parse_int(v.Scalar(), n))
		skip(v, "field \"" + name + "\" is a number: expected an integer, found \"" + v.Scalar() + "\"");
	if (m.position != Position::equals || m.re || m.cidr || m.fieldref || m.base64 || m.base64offset || m.windash)
		skip(v, "field \"" + name + "\" is a number: only equality and gt, gte, lt, lte apply");
	if (m.cmp)
		alt.nodes.push_back(nodes_.add({NodeOp::num_cmp, f, *m.cmp, 0, 0, n}));
	else
		alt.numbers.push_back(n);
}

void SelectionCompiler::add_address(const std::string &name, const Modifiers &m, const YAML::Node &v, Alternatives &alt)
{
	if (v.IsNull()) { // guard has an address on every connect and accept it maps
		alt.nodes.push_back(nodes_.constant(false));
		return;
	}
	std::string text = v.Scalar();
	Position pos = m.position;
	if (pos == Position::equals && !m.cidr && text.size() > 1 && text.back() == '*' &&
	    text.find_first_of("*?") == text.size() - 1) {
		text.pop_back(); // "10.*": the addresses starting "10."
		pos = Position::startswith;
	}
	Cidr c;
	if (m.cidr) {
		if (!rules::parse_cidr(text, c, true))
			skip(v, "field \"" + name + "\": expected ADDRESS/PREFIX such as \"10.0.0.0/8\" or \"fe80::/10\", found \"" +
					v.Scalar() + "\"");
		alt.cidrs.push_back(c);
		return;
	}
	if (m.fieldref || m.cmp)
		skip(v, "field \"" + name + "\" is an IP address: fieldref, gt, gte, lt, lte do not apply");
	// An address, or a prefix of whole octets or groups, is tested on the
	// address's bytes; any other text on the address as output prints it.
	bool plain = !m.re && !m.base64 && !m.base64offset && !m.windash;
	if (plain && ((pos == Position::equals && rules::parse_cidr(text, c, false)) ||
		      (pos == Position::startswith && prefix_as_cidr(text, c)))) {
		alt.cidrs.push_back(c);
		return;
	}
	add_string(name, Field::addr_text, m, v, alt);
}

} // namespace guard::sigma
