// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/alert_json.h"

#include <sys/socket.h>

#include <cstring>

#include "engine/addr_text.h"
#include "engine/event_json.h"

namespace guard {

namespace {

void write_result(JsonWriter &w, const EventView &ev)
{
	if (ev.rec->header.flags & GUARD_NO_RESULT) {
		w.field_bool("result_unknown", true);
		return;
	}
	bool ok = number_field(Field::ok, ev) != 0;
	w.field_bool("ok", ok);
	if (!ok) {
		w.field_int("errno", number_field(Field::errno_, ev));
		std::string_view name = string_field(Field::error, ev);
		if (!name.empty())
			w.field_literal("error", name);
	}
}

} // namespace

std::string alert_rule_fields(const Rule &rule)
{
	// Room for each escaped text and its hex twin (json_writer.h's worst case).
	size_t room = 256 + 8 * (rule.id.size() + rule.description.size());
	if (rule.sigma) {
		room += 8 * (rule.sigma->id.size() + rule.sigma->level.size());
		for (const std::string &tag : rule.sigma->tags)
			room += 16 + 8 * tag.size();
	}
	for (const std::string &id : rule.attack)
		room += 16 + 8 * id.size();
	std::string text(room, '\0');
	JsonWriter w(text.data(), JsonWriter::fragment);
	w.field_literal("rule", rule.id);
	w.field_literal("severity", severity_name(rule.severity));
	w.field_string("description", rule.description);
	if (!rule.attack.empty()) {
		w.begin_array("attack");
		for (const std::string &id : rule.attack)
			w.element_string(id);
		w.end_array();
	}
	if (rule.sigma) {
		w.field_string("sigma_id", rule.sigma->id);
		w.field_string("level", rule.sigma->level);
		w.begin_array("tags");
		for (const std::string &tag : rule.sigma->tags)
			w.element_string(tag);
		w.end_array();
	}
	text.resize(static_cast<size_t>(w.position() - text.data()));
	return text;
}

// One function over one local writer, like the event line (event_json.h):
// the write position stays in a register.
[[gnu::flatten]] char *write_alert_line(char *out, std::string_view rule_fields, const EventView &ev,
					int64_t boot_to_unix_ns)
{
	JsonWriter w(out);
	const Record &r = *ev.rec;
	const struct guard_header &h = r.header;
	w.field_literal("type", "alert");
	w.field_time("time", static_cast<int64_t>(h.boot_ns) + boot_to_unix_ns);
	w.raw_fields(rule_fields);
	w.field_literal("event", record_kind_name(h.kind));
	w.field_uint("boot_ns", h.boot_ns);
	w.field_uint("pid", h.pid);
	w.field_uint("tid", h.tid);
	w.field_uint("ppid", h.ppid);
	w.field_uint("uid", h.uid);
	w.field_uint("euid", h.euid);
	w.field_string("comm", string_field(Field::comm, ev));
	if (ev.self && ev.self->exe_len)
		w.field_string("exe", ev.self->exe_view(), ev.self->exe_plain);
	if (ev.cgroup)
		w.raw_fields(ev.cgroup->json_view());

	uint16_t kind = h.kind;
	RecordFamily family = record_family(kind);
	if (family == RecordFamily::exec) {
		w.field_string("path", r.path);
		if (!r.path_given.empty())
			w.field_string("path_given", r.path_given);
		if (!r.interpreter.empty())
			w.field_string("interpreter", r.interpreter);
		w.field_string("cwd", r.cwd);
		w.field_string_list("argv", r.argv);
		if (kind == GUARD_RECORD_EXEC_FAILED)
			write_result(w, ev);
		if (h.flags & GUARD_EXEC_FILELESS)
			w.field_bool("fileless", true);
		if (h.flags & GUARD_EXEC_MEMFD)
			w.field_bool("memfd", true);
	} else if (family == RecordFamily::file) {
		w.field_string("path", r.path);
		if (!r.path_given.empty())
			w.field_string("path_given", r.path_given);
		std::string_view second = string_field(Field::new_path, ev);
		if (!second.empty())
			w.field_string("new_path", second);
		if (kind == GUARD_RECORD_FILE_SYMLINK)
			w.field_string("target", r.path2);
		if (kind == GUARD_RECORD_FILE_OPEN)
			w.field_literal("access", access_name(r.open_flags));
		write_result(w, ev);
		if (h.flags & GUARD_VIA_IO_URING)
			w.field_literal("via", "io_uring");
	} else if (family == RecordFamily::net) {
		w.field_literal("family", family_name(r.family));
		if (r.family == AF_INET || r.family == AF_INET6) {
			char buf[addr_text_max];
			char *end = write_addr(buf, r.family, r.addr);
			w.field_literal("addr", std::string_view(buf, static_cast<size_t>(end - buf)));
			w.field_uint("port", r.port);
		} else if (!r.unix_path.empty()) {
			w.field_string("unix_path", r.unix_path);
		}
		if ((h.flags & GUARD_NET_RACED) && (r.given_family == AF_INET || r.given_family == AF_INET6)) {
			char buf[addr_text_max];
			char *end = write_addr(buf, r.given_family, r.given_addr);
			w.field_literal("addr_given", std::string_view(buf, static_cast<size_t>(end - buf)));
			w.field_uint("port_given", r.given_port);
		}
		if (kind == GUARD_RECORD_NET_SEND)
			w.field_uint("count", r.count);
		write_result(w, ev);
		if (h.flags & GUARD_VIA_IO_URING)
			w.field_literal("via", "io_uring");
	} else if (family == RecordFamily::fork) {
		w.field_uint("child_pid", r.child_pid);
	} else if (family == RecordFamily::exit) {
		w.field_int("exit_code", r.exit_code);
		w.field_uint("signal", r.signal);
	} else if (family != RecordFamily::unknown) {
		w = write_privilege_fields(w, r); // few and small: all of them
	}

	if (ev.parent) {
		w.field_string("parent_comm", ev.parent->comm_view(), ev.parent->comm_plain);
		if (ev.parent->exe_len)
			w.field_string("parent_exe", ev.parent->exe_view(), ev.parent->exe_plain);
	}
	w.begin_array("ancestry");
	for (size_t i = 0; i < ev.ancestor_count; i++) {
		const Process *p = ev.ancestors[i];
		w.begin_element_object();
		w.field_uint("pid", p->pid);
		w.field_string("comm", p->comm_view(), p->comm_plain);
		if (p->exe_len)
			w.field_string("exe", p->exe_view(), p->exe_plain);
		w.end_object();
	}
	w.end_array();
	return w.finish();
}

} // namespace guard
