// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/alert_json.h"

#include "engine/event_json.h"

namespace guard {

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
// the write position stays in a register. After the rule, the same fields
// as the event's own line, written by the same functions, so the two never
// drift apart; then what only the process table knows.
[[gnu::flatten]] char *write_alert_line(char *out, std::string_view rule_fields, const char *action,
					const EventView &ev, int64_t boot_to_unix_ns)
{
	JsonWriter w(out);
	const Record &r = *ev.rec;
	const struct guard_header &h = r.header;
	w.field_literal("type", "alert");
	w.field_time("time", static_cast<int64_t>(h.boot_ns) + boot_to_unix_ns);
	w.raw_fields(rule_fields);
	if (action)
		w.field_literal("action", action);
	w.field_literal("event", record_kind_name(h.kind));
	w.field_uint("boot_ns", h.boot_ns);
	write_task_fields(w, h);
	if (ev.self && ev.self->exe_len)
		w.field_string("exe", ev.self->exe_view(), ev.self->exe_plain);
	// An exec's own fields carry it (write_event_fields).
	if (h.kind != GUARD_RECORD_EXEC)
		if (std::string_view sha = exe_sha256(ev); !sha.empty())
			w.field_literal("exe_sha256", sha);
	if (ev.cgroup)
		w.raw_fields(ev.cgroup->json_view());
	write_event_fields(w, r);
	write_parent_fields(w, ev.parent);
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
