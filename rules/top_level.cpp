// SPDX-License-Identifier: GPL-2.0-or-later
// The parts of a rules file around the rules: the top-level keys, the
// "output" section, and the address prefixes conditions use.
#include <arpa/inet.h>

#include <charconv>

#include "rules/compile.h"
#include "rules/json_checks.h"

namespace guard::rules {

namespace {

using Type = JsonValue::Type;

const std::vector<std::string_view> kTopKeys = {"version", "output", "lists", "rules"};
const std::vector<std::string_view> kOutputKeys = {"type", "path"};

} // namespace

bool parse_cidr(std::string_view text, Cidr &c, bool allow_prefix)
{
	std::string addr(text);
	int prefix = -1;
	if (size_t slash = addr.find('/'); slash != std::string::npos) {
		if (!allow_prefix)
			return false;
		std::string_view p = std::string_view(addr).substr(slash + 1);
		auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
		if (ec != std::errc() || end != p.data() + p.size() || p.empty())
			return false;
		addr.resize(slash);
	}
	c = Cidr{};
	if (::inet_pton(AF_INET, addr.c_str(), c.bytes) == 1)
		c.len = 4;
	else if (::inet_pton(AF_INET6, addr.c_str(), c.bytes) == 1)
		c.len = 16;
	else
		return false;
	if (prefix < 0)
		prefix = c.len * 8;
	if (prefix > c.len * 8)
		return false;
	c.prefix = static_cast<uint8_t>(prefix);
	return true;
}

void check_top_level(const JsonValue &root)
{
	check_keys(root, kTopKeys, "the top level");
	if (const JsonValue *v = root.get("version")) {
		expect(*v, Type::integer, "\"version\"");
		if (v->integer != 1)
			reject(v->offset, "\"version\": expected 1 (the only version of the rule language)");
	}
}

std::optional<OutputConfig> compile_output(const JsonValue &root)
{
	const JsonValue *out = root.get("output");
	if (!out)
		return std::nullopt;
	expect(*out, Type::object, "\"output\"");
	check_keys(*out, kOutputKeys, "\"output\"");
	OutputConfig config;
	const JsonValue *type = out->get("type");
	if (!type)
		reject(out->offset, "\"output\": missing \"type\" (\"file\" or \"stdout\")");
	expect(*type, Type::string, "\"output\".\"type\"");
	if (type->string != "file" && type->string != "stdout")
		reject(type->offset, "\"output\".\"type\": unknown \"" + type->string + "\"" +
					     did_you_mean(type->string, {"file", "stdout"}));
	config.to_file = type->string == "file";
	const JsonValue *path = out->get("path");
	if (config.to_file) {
		if (!path)
			reject(out->offset, "\"output\": \"type\": \"file\" needs a \"path\"");
		config.path = expect(*path, Type::string, "\"output\".\"path\"").string;
		if (config.path.empty() || config.path.find('\0') != std::string::npos)
			reject(path->offset, "\"output\".\"path\": expected a file name");
	} else if (path) {
		reject(path->offset, "\"output\".\"path\" is only for \"type\": \"file\"");
	}
	return config;
}

} // namespace guard::rules
