// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/yaml_docs.h"

#include <yaml-cpp/eventhandler.h>

#include <optional>
#include <sstream>

namespace guard::sigma {

namespace {

// Deep merge, as collections define it: maps merge key by key, anything
// else in the document replaces the global's.
YAML::Node merged(const YAML::Node &base, const YAML::Node &doc)
{
	if (!base.IsMap() || !doc.IsMap())
		return YAML::Clone(doc);
	YAML::Node out = YAML::Clone(base);
	for (auto it = doc.begin(); it != doc.end(); ++it) {
		std::string key = it->first.Scalar();
		YAML::Node old = out[key];
		out[key] = old.IsDefined() && !old.IsNull() ? merged(old, it->second) : YAML::Clone(it->second);
	}
	return out;
}

std::string action_of(const YAML::Node &doc)
{
	if (!doc.IsMap())
		return {};
	const YAML::Node action = doc["action"]; // invalid when missing: ask IsDefined first
	return action.IsDefined() && action.IsScalar() ? action.Scalar() : std::string();
}

YAML::Node without_action(const YAML::Node &doc)
{
	YAML::Node copy = YAML::Clone(doc);
	copy.remove("action");
	return copy;
}

// Where each document starts; yaml-cpp's parser calls it for each one.
class DocumentStarts : public YAML::EventHandler {
public:
	YAML::Mark last;
	void OnDocumentStart(const YAML::Mark &mark) override { last = mark; }
	void OnDocumentEnd() override {}
	void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
	void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
	void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t, const std::string &) override {}
	void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
	void OnSequenceEnd() override {}
	void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {}
	void OnMapEnd() override {}
};

// yaml-cpp 0.7 (Debian 12's) loops forever in LoadAll, allocating, when a
// token can start no node at block level (a ',' after a quoted scalar or a
// flow collection, as in `'',`): its parser reports an empty document there
// and starts the next at the same token. So the documents are walked first
// with its event parser, and a document that starts where the one before it
// did is refused at that token. (Fixed upstream after 0.8.)
void refuse_a_stuck_parser(const std::string &text, const std::string &file)
{
	std::istringstream in(text);
	YAML::Parser parser(in);
	DocumentStarts starts;
	std::optional<YAML::Mark> previous;
	while (parser.HandleNextDocument(starts)) {
		if (previous && starts.last.pos == previous->pos) {
			const YAML::Mark &m = starts.last;
			unsigned char c = static_cast<size_t>(m.pos) < text.size() ? text[m.pos] : 0;
			std::string token = c > ' ' && c < 0x7f ? "'" + std::string(1, char(c)) + "'" : "this character";
			throw MalformedYaml{file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) +
					    ": malformed YAML: no node can start with " + token};
		}
		previous = starts.last;
	}
}

} // namespace

std::vector<YAML::Node> with_collections(const std::vector<YAML::Node> &docs, const std::string &file);

std::string where(const std::string &file, const YAML::Node &node)
{
	if (!node.IsDefined())
		return file;
	YAML::Mark m = node.Mark();
	if (m.is_null())
		return file;
	return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

std::vector<YAML::Node> rule_documents(const std::string &text, const std::string &file)
{
	std::vector<YAML::Node> docs;
	try {
		refuse_a_stuck_parser(text, file);
		docs = YAML::LoadAll(text);
	} catch (const YAML::Exception &e) {
		std::string at = e.mark.is_null() ? file
						  : file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
		throw MalformedYaml{at + ": malformed YAML: " + e.msg};
	}
	try {
		return with_collections(docs, file);
	} catch (const YAML::Exception &e) {
		throw MalformedYaml{file + ": malformed YAML: " + e.msg};
	}
}

std::vector<YAML::Node> with_collections(const std::vector<YAML::Node> &docs, const std::string &file)
{
	// Nodes are held, never assigned: assigning a yaml-cpp node writes
	// through to every node sharing it.
	std::vector<YAML::Node> rules;
	std::optional<YAML::Node> global;
	for (const YAML::Node &doc : docs) {
		if (doc.IsNull())
			continue; // an empty document ("---" at the end)
		std::string action = action_of(doc);
		if (action == "global") {
			global.reset();
			global.emplace(without_action(doc));
		} else if (action == "reset") {
			global.reset();
		} else if (action == "repeat") {
			if (rules.empty())
				throw MalformedYaml{where(file, doc) + ": \"action: repeat\" with no rule before it"};
			rules.push_back(merged(rules.back(), without_action(doc)));
		} else {
			rules.push_back(global ? merged(*global, doc) : doc);
		}
	}
	return rules;
}

} // namespace guard::sigma
