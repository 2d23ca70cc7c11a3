// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/logsource.h"

#include <algorithm>
#include <array>

namespace guard::sigma {

namespace {

using What = FieldMeaning::What;

constexpr FieldMeaning field(Field f) { return {What::field, f, false}; }
constexpr FieldMeaning absent() { return {What::absent, Field::pid, false}; }
constexpr FieldMeaning constant(bool v) { return {What::constant, Field::pid, v}; }

// The process behind a file or network event, from guard's process table.
const std::vector<std::pair<std::string_view, FieldMeaning>> kActorFields = {
	{"Image", field(Field::exe)}, {"User", field(Field::user)}, {"ProcessId", field(Field::pid)}};

// A connection the process made: a connect, or a datagram sent to an
// address (it reaches the address as a connect does).
const std::vector<std::pair<std::string_view, FieldMeaning>> kInitiatedFields = {
	{"Initiated", constant(true)},
	{"DestinationIp", field(Field::addr)},
	{"DestinationPort", field(Field::port)},
	{"SourceIp", absent()},
	{"SourcePort", absent()}};

const std::vector<Category> kCategories = {
	{"process_creation",
	 {{"Image", field(Field::path)},
	  {"CommandLine", field(Field::cmdline)},
	  {"CurrentDirectory", field(Field::cwd)},
	  {"User", field(Field::user)},
	  {"LogonId", field(Field::uid)},
	  {"ParentImage", field(Field::parent_exe)},
	  {"ParentCommandLine", field(Field::parent_cmdline)},
	  {"ProcessId", field(Field::pid)},
	  {"ParentProcessId", field(Field::ppid)}},
	 {{GUARD_RECORD_EXEC, Requirement::none, {}}}},
	{"file_event",
	 kActorFields,
	 {{GUARD_RECORD_FILE_OPEN, Requirement::modified, {{"TargetFilename", field(Field::path)}}},
	  {GUARD_RECORD_FILE_RENAME, Requirement::succeeded, {{"TargetFilename", field(Field::new_path)}}}}},
	{"file_access", kActorFields, {{GUARD_RECORD_FILE_OPEN, Requirement::succeeded, {{"TargetFilename", field(Field::path)}}}}},
	{"file_delete", kActorFields, {{GUARD_RECORD_FILE_UNLINK, Requirement::succeeded, {{"TargetFilename", field(Field::path)}}}}},
	{"file_rename",
	 kActorFields,
	 {{GUARD_RECORD_FILE_RENAME,
	   Requirement::succeeded,
	   {{"SourceFilename", field(Field::path)}, {"TargetFilename", field(Field::new_path)}}}}},
	{"network_connection",
	 {{"Image", field(Field::exe)},
	  {"User", field(Field::user)},
	  {"ProcessId", field(Field::pid)},
	  {"DestinationHostname", absent()},
	  {"SourceHostname", absent()},
	  {"Protocol", absent()}},
	 {{GUARD_RECORD_NET_CONNECT, Requirement::none, kInitiatedFields},
	  {GUARD_RECORD_NET_SEND, Requirement::none, kInitiatedFields},
	  {GUARD_RECORD_NET_ACCEPT,
	   Requirement::none,
	   {{"Initiated", constant(false)},
	    {"SourceIp", field(Field::addr)},
	    {"SourcePort", field(Field::port)},
	    {"DestinationIp", absent()},
	    {"DestinationPort", absent()}}}}},
};

const std::array<std::string_view, 12> kMeaningless = {
	"OriginalFileName", "Product", "Company", "Description", "FileVersion", "Hashes",
	"Imphash", "IntegrityLevel", "Signed", "Signature", "SignatureStatus", "ParentUser"};

bool find(const std::vector<std::pair<std::string_view, FieldMeaning>> &fields, std::string_view name, FieldMeaning &out)
{
	for (const auto &[n, m] : fields)
		if (n == name) {
			out = m;
			return true;
		}
	return false;
}

} // namespace

const Category *category_by_name(std::string_view name)
{
	for (const Category &c : kCategories)
		if (c.name == name)
			return &c;
	return nullptr;
}

std::string_view category_names()
{
	return "process_creation, file_event, file_access, file_delete, file_rename, network_connection";
}

bool field_meaning(const Category &c, const KindMapping &kind, std::string_view name, FieldMeaning &out)
{
	return find(kind.fields, name, out) || find(c.fields, name, out);
}

bool meaningless_on_linux(std::string_view name)
{
	return std::find(kMeaningless.begin(), kMeaningless.end(), name) != kMeaningless.end();
}

} // namespace guard::sigma
