// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/sigma_rules.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "sigma/rule_compiler.h"
#include "sigma/yaml_docs.h"

namespace guard::sigma {

namespace fs = std::filesystem;

namespace {

bool is_yaml_name(const fs::path &p)
{
	std::string ext = p.extension().string();
	return ext == ".yml" || ext == ".yaml";
}

std::vector<std::string> files_under(const std::string &path)
{
	std::error_code ec;
	fs::file_status st = fs::status(path, ec);
	if (ec)
		throw rules::RulesFileError(rules::printable(path + ": " + ec.message()));
	if (fs::is_regular_file(st))
		return {path};
	if (!fs::is_directory(st))
		throw rules::RulesFileError(rules::printable(path) + ": neither a file nor a directory");
	std::vector<std::string> files;
	fs::recursive_directory_iterator it(path, fs::directory_options::none, ec), end;
	for (; !ec && it != end; it.increment(ec))
		if (it->is_regular_file() && is_yaml_name(it->path()))
			files.push_back(it->path().string());
	if (ec)
		throw rules::RulesFileError(rules::printable(path + ": " + ec.message()));
	std::sort(files.begin(), files.end());
	return files;
}

FileReport file_rules(const std::string &text, const std::string &path, RuleCompiler &compiler)
{
	FileReport f{path, {}, {}};
	try {
		for (const YAML::Node &doc : rule_documents(text, path))
			f.rules.push_back(compiler.add(doc, path));
	} catch (const MalformedYaml &e) {
		f.error = e.message;
	}
	return f;
}

FileReport load_file(const std::string &path, RuleCompiler &compiler, const rules::RulesFilePolicy &policy)
{
	try {
		return file_rules(rules::read_rules_text(path, policy), path, compiler);
	} catch (const rules::RulesFileError &e) {
		return {path, e.what(), {}};
	}
}

} // namespace

bool available() { return true; }

FileReport add_sigma_text(const std::string &text, const std::string &name, RuleSet &set)
{
	RuleCompiler compiler(set);
	return file_rules(text, name, compiler);
}

Report add_sigma_rules(const std::string &path, RuleSet &set, const rules::RulesFilePolicy &policy)
{
	Report report;
	RuleCompiler compiler(set);
	for (const std::string &file : files_under(path)) {
		report.add(load_file(file, compiler, policy));
	}
	return report;
}

} // namespace guard::sigma
