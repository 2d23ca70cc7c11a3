// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/seed_format.h"

#include <algorithm>
#include <vector>

#include "rules/rule_error.h"
#include "rules/suggest.h"

namespace guard::rules {

namespace {

using Type = JsonValue::Type;

JsonValue str(std::string s, size_t offset)
{
	JsonValue v;
	v.type = Type::string;
	v.string = std::move(s);
	v.offset = offset;
	return v;
}

JsonValue array(std::vector<JsonValue> items, size_t offset)
{
	JsonValue v;
	v.type = Type::array;
	v.items = std::move(items);
	v.offset = offset;
	return v;
}

JsonValue object(std::vector<std::pair<std::string, JsonValue>> members, size_t offset)
{
	JsonValue v;
	v.type = Type::object;
	v.offset = offset;
	for (auto &[k, m] : members)
		v.members.push_back({k, offset, std::move(m)});
	return v;
}

JsonValue cond(std::string field, std::string op, JsonValue value)
{
	size_t at = value.offset;
	return object({{"field", str(std::move(field), at)}, {std::move(op), std::move(value)}}, at);
}

const std::vector<std::string_view> kSeedRules = {"exec_from_tmp", "shadow_read", "suspicious_connect"};

void check_entry_keys(const JsonValue &entry, const std::vector<std::string_view> &allowed, const std::string &name)
{
	if (entry.type != Type::object)
		reject(entry.offset, "\"" + name + "\": expected an object, found " + type_name(entry.type));
	for (const auto &m : entry.members)
		if (std::find(allowed.begin(), allowed.end(), std::string_view(m.key)) == allowed.end())
			reject(m.key_offset, "unknown key \"" + m.key + "\" in \"" + name + "\"" + did_you_mean(m.key, allowed));
}

const JsonValue &required(const JsonValue &entry, const char *key, const std::string &name)
{
	const JsonValue *v = entry.get(key);
	if (!v)
		reject(entry.offset, "\"" + name + "\": missing \"" + key + "\"");
	return *v;
}

// The rule every seed entry shares: id, severity, enabled, and the kinds.
JsonValue base_rule(const JsonValue &entry, const char *id, const char *description,
		    std::initializer_list<const char *> kinds, std::initializer_list<const char *> attack)
{
	std::vector<std::pair<std::string, JsonValue>> m;
	m.emplace_back("id", str(id, entry.offset));
	m.emplace_back("description", str(description, entry.offset));
	if (const JsonValue *sev = entry.get("severity"))
		m.emplace_back("severity", *sev);
	else
		reject(entry.offset, std::string("\"") + id + "\": missing \"severity\"");
	if (const JsonValue *en = entry.get("enabled"))
		m.emplace_back("enabled", *en);
	std::vector<JsonValue> events;
	for (const char *kind : kinds)
		events.push_back(str(kind, entry.offset));
	m.emplace_back("events", array(std::move(events), entry.offset));
	std::vector<JsonValue> techniques;
	for (const char *t : attack)
		techniques.push_back(str(t, entry.offset));
	m.emplace_back("attack", array(std::move(techniques), entry.offset));
	return object(std::move(m), entry.offset);
}

JsonValue private_ranges(size_t at)
{
	std::vector<JsonValue> r;
	for (const char *c : {"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fe80::/10", "fc00::/7"})
		r.push_back(str(c, at));
	return array(std::move(r), at);
}

} // namespace

bool is_seed_format(const JsonValue &root)
{
	const JsonValue *rules = root.get("rules");
	return rules && rules->type == Type::object;
}

JsonValue translate_seed(const JsonValue &root)
{
	for (const auto &m : root.members)
		if (m.key != "output" && m.key != "rules")
			reject(m.key_offset, "unknown key \"" + m.key + "\" at the top level" + did_you_mean(m.key, {"output", "rules"}));
	const JsonValue &seed = *root.get("rules");
	std::vector<JsonValue> rules;
	for (const auto &m : seed.members) {
		const JsonValue &e = m.value;
		if (m.key == "exec_from_tmp") {
			check_entry_keys(e, {"enabled", "severity", "paths"}, m.key);
			JsonValue r = base_rule(e, "EXEC_FROM_TMP", "a binary executed from a temporary directory", {"exec"},
					       {"T1204.002"});
			r.members.push_back({"match", e.offset, cond("path", "prefix", required(e, "paths", m.key))});
			rules.push_back(std::move(r));
		} else if (m.key == "shadow_read") {
			check_entry_keys(e, {"enabled", "severity", "paths"}, m.key);
			JsonValue r = base_rule(e, "SHADOW_READ", "an access to the password hashes (ok tells a success from an attempt)", {"file_open"},
					       {"T1003.008"});
			r.members.push_back({"match", e.offset, cond("path", "in", required(e, "paths", m.key))});
			rules.push_back(std::move(r));
		} else if (m.key == "suspicious_connect") {
			check_entry_keys(e, {"enabled", "severity", "process_names", "exclude_private_ip"}, m.key);
			// A datagram sent to an address reaches it as a connect would.
			JsonValue r = base_rule(e, "SUSPICIOUS_CONNECT",
						"a shell or script runtime connecting or sending outside private networks",
						{"net_connect", "net_send"}, {"T1059.004", "T1071"});
			std::vector<JsonValue> all;
			all.push_back(cond("comm", "in", required(e, "process_names", m.key)));
			all.push_back(cond("family", "in", array({str("inet", e.offset), str("inet6", e.offset)}, e.offset)));
			bool exclude = true;
			if (const JsonValue *x = e.get("exclude_private_ip")) {
				if (x->type != Type::boolean)
					reject(x->offset, std::string("\"exclude_private_ip\": expected a boolean, found ") + type_name(x->type));
				exclude = x->boolean;
			}
			if (exclude)
				all.push_back(object({{"not", cond("addr", "cidr", private_ranges(e.offset))}}, e.offset));
			r.members.push_back({"match", e.offset, object({{"all", array(std::move(all), e.offset)}}, e.offset)});
			rules.push_back(std::move(r));
		} else {
			reject(m.key_offset, "unknown rule \"" + m.key + "\"" + did_you_mean(m.key, kSeedRules));
		}
	}
	JsonValue out = object({}, root.offset);
	if (const JsonValue *o = root.get("output"))
		out.members.push_back({"output", o->offset, *o});
	out.members.push_back({"rules", seed.offset, array(std::move(rules), seed.offset)});
	return out;
}

} // namespace guard::rules
