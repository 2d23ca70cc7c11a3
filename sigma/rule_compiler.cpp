// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/rule_compiler.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "engine/glob.h"
#include "engine/json_text.h"
#include "rules/value_checks.h"
#include "sigma/condition.h"
#include "sigma/logsource.h"
#include "sigma/selection.h"
#include "sigma/yaml_docs.h"

namespace guard::sigma {

namespace {

constexpr size_t kMaxTitle = 256;
constexpr size_t kMaxDescription = 1024;

struct LogsourceSkip {
	Skipped skipped;
};

std::string scalar(const YAML::Node &map, const char *key)
{
	const YAML::Node v = map[key];
	return v.IsDefined() && v.IsScalar() ? v.Scalar() : std::string();
}

bool severity_of_level(const std::string &level, Severity &out)
{
	static const std::map<std::string, Severity> levels = {{"informational", Severity::info},
								{"low", Severity::low},
								{"medium", Severity::medium},
								{"high", Severity::high},
								{"critical", Severity::critical}};
	auto it = levels.find(level);
	if (it == levels.end())
		return false;
	out = it->second;
	return true;
}

// Output names a rule by its id unescaped (rule_set.h): a title is kept
// JSON-escaped.
std::string json_text(const std::string &s)
{
	std::string out(json_string_body_max(s.size()), '\0');
	bool valid;
	char *end = write_json_string_body(out.data(), s, valid);
	out.resize(static_cast<size_t>(end - out.data()));
	return out;
}

// Compiles the detection for one record kind: each selection once, the
// condition over them.
class DetectionCompiler {
public:
	DetectionCompiler(NodeBuilder &nodes, const YAML::Node &detection, SelectionCompiler &selections,
			  const std::string &file)
		: nodes_(nodes), detection_(detection), selections_(selections), file_(file)
	{
	}

	uint32_t condition(const Condition &c, const YAML::Node &at)
	{
		switch (c.op) {
		case Condition::Op::name: return selection(c.name, at);
		case Condition::Op::not_: return nodes_.negate(condition(c.kids[0], at));
		case Condition::Op::and_:
		case Condition::Op::or_: {
			std::vector<uint32_t> kids;
			for (const Condition &k : c.kids)
				kids.push_back(condition(k, at));
			return nodes_.group(c.op == Condition::Op::and_ ? NodeOp::all : NodeOp::any, kids);
		}
		case Condition::Op::one_of:
		case Condition::Op::all_of: {
			std::vector<uint32_t> kids;
			for (const std::string &name : names_matching(c.name))
				kids.push_back(selection(name, at));
			if (kids.empty())
				throw Skipped{where(file_, at), "condition: \"" + c.name + "\" names no selection"};
			return nodes_.group(c.op == Condition::Op::all_of ? NodeOp::all : NodeOp::any, kids);
		}
		}
		throw Skipped{where(file_, at), "condition: unknown operation"};
	}

private:
	std::vector<std::string> names_matching(const std::string &pattern)
	{
		std::vector<std::string> out;
		for (auto it = detection_.begin(); it != detection_.end(); ++it) {
			std::string name = it->first.Scalar();
			if (name == "condition" || name == "timeframe")
				continue;
			bool them = pattern == "them";
			if (them ? !name.starts_with("_") : glob_match(pattern, name))
				out.push_back(name);
		}
		return out;
	}

	uint32_t selection(const std::string &name, const YAML::Node &at)
	{
		if (auto it = compiled_.find(name); it != compiled_.end())
			return it->second;
		const YAML::Node sel = detection_[name];
		if (name == "condition" || !sel.IsDefined())
			throw Skipped{where(file_, at), "condition names \"" + name + "\", which detection does not define"};
		uint32_t node = selections_.compile(sel);
		compiled_[name] = node;
		return node;
	}

	NodeBuilder &nodes_;
	const YAML::Node &detection_;
	SelectionCompiler &selections_;
	const std::string &file_;
	std::map<std::string, uint32_t> compiled_;
};

uint32_t requirement_node(NodeBuilder &nodes, Requirement r)
{
	auto is_true = [&](Field f) {
		RuleSet &set = nodes.set();
		set.numbers.push_back(1);
		return nodes.add({NodeOp::num_in, f, Cmp::lt, static_cast<uint32_t>(set.numbers.size() - 1), 1, 0});
	};
	switch (r) {
	case Requirement::none: return nodes.constant(true);
	case Requirement::succeeded: return is_true(Field::ok);
	case Requirement::modified: return nodes.group(NodeOp::all, {is_true(Field::ok), is_true(Field::modify)});
	}
	return nodes.constant(true);
}

// The conditions of a rule: one string, or a list (any of them).
std::vector<Condition> conditions_of(const YAML::Node &detection, const std::string &file)
{
	const YAML::Node c = detection["condition"];
	std::vector<std::string> texts;
	if (c.IsDefined() && c.IsScalar())
		texts.push_back(c.Scalar());
	else if (c.IsDefined() && c.IsSequence())
		for (const YAML::Node &item : c)
			if (item.IsScalar())
				texts.push_back(item.Scalar());
	if (texts.empty())
		throw Skipped{where(file, c.IsDefined() ? c : detection), "detection: missing \"condition\""};
	std::vector<Condition> out;
	for (const std::string &t : texts) {
		std::string error;
		auto parsed = parse_condition(t, error);
		if (!parsed)
			throw Skipped{where(file, c), error};
		out.push_back(std::move(*parsed));
	}
	return out;
}

// The category the rule's logsource names, or LogsourceSkip.
const Category &category_of(const YAML::Node &doc, const std::string &file, RuleOutcome &out)
{
	const YAML::Node logsource = doc["logsource"];
	if (!logsource.IsDefined() || !logsource.IsMap())
		throw Skipped{where(file, doc), "missing \"logsource\""};
	std::string product = scalar(logsource, "product"), category = scalar(logsource, "category"),
		    service = scalar(logsource, "service");
	out.logsource = (product.empty() ? "any" : product) + "/" + (category.empty() ? "service " + service : category);
	if (!product.empty() && product != "linux")
		throw LogsourceSkip{{where(file, logsource["product"]), "logsource product \"" + product + "\" (guard runs product: linux)"}};
	if (!service.empty())
		throw LogsourceSkip{{where(file, logsource["service"]), "logsource service \"" + service + "\" is not supported"}};
	const Category *cat = category_by_name(category);
	if (!cat)
		throw LogsourceSkip{{where(file, logsource), "logsource category \"" + category + "\" is not supported (guard maps " +
								     std::string(category_names()) + ")"}};
	return *cat;
}

// What the rule's alerts carry besides its title.
// Sigma names a technique in a tag, "attack.t1059.004" (the specification's
// tag namespaces): it goes into the alert's "attack" as guard's rules write
// it, "T1059.004". Tactics ("attack.execution") and groups are tags only.
void add_technique(const std::string &tag, std::vector<std::string> &attack)
{
	const std::string prefix = "attack.t";
	if (tag.size() <= prefix.size() || !std::equal(prefix.begin(), prefix.end(), tag.begin(), [](char a, char b) {
		    return a == std::tolower(static_cast<unsigned char>(b));
	    }))
		return;
	std::string id = "T" + tag.substr(prefix.size());
	if (rules::is_attack_id(id) && std::find(attack.begin(), attack.end(), id) == attack.end())
		attack.push_back(id);
}

Rule alert_fields_of(const YAML::Node &doc, const std::string &file)
{
	Rule base;
	std::string level = scalar(doc, "level");
	if (!level.empty() && !severity_of_level(level, base.severity))
		throw Skipped{where(file, doc["level"]), "unknown level \"" + level + "\""};
	auto info = std::make_shared<SigmaInfo>();
	info->id = scalar(doc, "id");
	info->level = level;
	if (const YAML::Node tags = doc["tags"]; tags.IsDefined() && tags.IsSequence())
		for (const YAML::Node &t : tags)
			if (t.IsScalar()) {
				info->tags.push_back(t.Scalar());
				add_technique(t.Scalar(), base.attack);
			}
	base.description = scalar(doc, "description").substr(0, kMaxDescription);
	base.sigma = info;
	return base;
}

} // namespace

RuleCompiler::RuleCompiler(RuleSet &set) : set_(set)
{
	for (const Rule &r : set.rules)
		ids_.insert(r.id);
}

std::string RuleCompiler::unique_id(const std::string &title)
{
	std::string id = json_text(title);
	for (int n = 2; !ids_.insert(id).second; n++)
		id = json_text(title) + " (" + std::to_string(n) + ")";
	return id;
}

RuleOutcome RuleCompiler::add(const YAML::Node &doc, const std::string &file)
{
	RuleOutcome out;
	NodeBuilder nodes(set_);
	NodeBuilder::Mark mark = nodes.mark();
	size_t rules = set_.rules.size();
	try {
		compile(doc, file, out);
		out.loaded = true;
	} catch (const Skipped &s) {
		out.where = s.where;
		out.reason = s.reason;
		nodes.rewind(mark);
		set_.rules.resize(rules);
	} catch (const YAML::Exception &e) { // a node of another type than the specification's
		out.where = e.mark.is_null() ? file : file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
		out.reason = "not a rule as the specification has it: " + e.msg;
		nodes.rewind(mark);
		set_.rules.resize(rules);
	} catch (const LogsourceSkip &s) {
		out.where = s.skipped.where;
		out.reason = s.skipped.reason;
		out.other_logsource = true;
	}
	return out;
}

void RuleCompiler::compile(const YAML::Node &doc, const std::string &file, RuleOutcome &out)
{
	if (!doc.IsMap())
		throw Skipped{where(file, doc), "expected a rule (a map with title, logsource, detection)"};
	out.title = scalar(doc, "title");
	if (doc["correlation"].IsDefined())
		throw Skipped{where(file, doc["correlation"]), "correlation rules are not supported"};
	if (doc["filter"].IsDefined())
		throw Skipped{where(file, doc["filter"]), "filter rules are not supported"};
	if (out.title.empty())
		throw Skipped{where(file, doc), "missing \"title\""};
	if (out.title.size() > kMaxTitle)
		throw Skipped{where(file, doc["title"]), "\"title\" longer than 256 characters"};
	const Category *cat = &category_of(doc, file, out);
	Rule base = alert_fields_of(doc, file);
	const YAML::Node detection = doc["detection"];
	if (!detection.IsDefined() || !detection.IsMap())
		throw Skipped{where(file, doc), "missing \"detection\""};
	std::vector<Condition> conditions = conditions_of(detection, file);

	NodeBuilder nodes(set_);
	std::vector<Rule> made;
	for (const KindMapping &kind : cat->kinds) {
		SelectionCompiler selections(nodes, *cat, kind, file);
		DetectionCompiler detect(nodes, detection, selections, file);
		std::vector<uint32_t> any;
		for (const Condition &c : conditions)
			any.push_back(detect.condition(c, detection["condition"]));
		Rule rule = base;
		rule.kinds = kind_bit(kind.kind);
		uint32_t cond = nodes.group(NodeOp::any, any);
		bool value;
		if (nodes.is_constant(cond, value) && !value)
			continue; // never on this kind (Initiated: 'true' on an accept)
		rule.root = kind.requirement == Requirement::none ? cond
								   : nodes.group(NodeOp::all, {requirement_node(nodes, kind.requirement), cond});
		made.push_back(std::move(rule));
	}
	if (made.empty())
		throw Skipped{where(file, detection), "can never match: it needs what guard does not know on any " +
							      std::string(cat->name) + " event (docs/sigma.md, Fields)"};
	std::string id = unique_id(out.title);
	for (Rule &r : made) {
		r.id = id;
		set_.rules.push_back(std::move(r));
	}
}

} // namespace guard::sigma
