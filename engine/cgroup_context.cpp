// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/cgroup_context.h"

namespace guard {

namespace {

bool is_hex64(std::string_view s)
{
	if (s.size() != 64)
		return false;
	for (char c : s)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	return true;
}

std::string_view without_suffix(std::string_view s, std::string_view suffix)
{
	return s.ends_with(suffix) ? s.substr(0, s.size() - suffix.size()) : s;
}

// "<prefix><64 hex>.scope" (scope optional when scope_optional): the id, or empty.
std::string_view scoped_id(std::string_view name, std::string_view prefix, bool scope_optional)
{
	if (!name.starts_with(prefix))
		return {};
	std::string_view rest = name.substr(prefix.size());
	if (rest.ends_with(".scope"))
		rest.remove_suffix(6);
	else if (!scope_optional)
		return {};
	return is_hex64(rest) ? rest : std::string_view();
}

// A pod UID as systemd's slice (underscores) or cgroupfs (dashes) writes it.
bool set_pod_uid(CgroupContext &c, std::string_view uid)
{
	if (uid.size() != CgroupContext::pod_uid_len)
		return false;
	for (size_t i = 0; i < uid.size(); i++) {
		char ch = uid[i] == '_' ? '-' : uid[i];
		bool dash_place = i == 8 || i == 13 || i == 18 || i == 23;
		bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
		if (dash_place ? ch != '-' : !hex)
			return false;
		c.pod_uid[i] = ch;
	}
	c.has_pod_uid = true;
	return true;
}

// The pod of a kubepods path: "kubepods-<qos>-pod<uid>.slice",
// "kubepods-pod<uid>.slice" or, below /kubepods, "pod<uid>". True when name
// is a pod's.
bool read_pod(CgroupContext &c, std::string_view name, bool under_kubepods)
{
	if (name.starts_with("kubepods") && name.ends_with(".slice")) {
		size_t at = name.rfind("-pod");
		return at != std::string_view::npos && set_pod_uid(c, without_suffix(name.substr(at + 4), ".slice"));
	}
	return under_kubepods && name.starts_with("pod") && set_pod_uid(c, name.substr(3));
}

void set_container(CgroupContext &c, std::string_view runtime, std::string_view id)
{
	c.container_runtime = runtime;
	c.container_id = id;
}

} // namespace

CgroupContext parse_cgroup_path(std::string_view path)
{
	CgroupContext c;
	std::string_view previous;
	bool under_kubepods = false, previous_is_pod = false;
	while (!path.empty()) {
		size_t slash = path.find('/');
		std::string_view name = path.substr(0, slash);
		path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
		if (name.empty())
			continue;
		std::string_view id;
		if (!(id = scoped_id(name, "docker-", false)).empty())
			set_container(c, "docker", id);
		else if (previous == "docker" && is_hex64(name))
			set_container(c, "docker", name);
		else if (!(id = scoped_id(name, "cri-containerd-", false)).empty())
			set_container(c, "containerd", id);
		else if (!(id = scoped_id(name, "crio-", false)).empty())
			set_container(c, "cri-o", id);
		else if (!(id = scoped_id(name, "libpod-", true)).empty())
			set_container(c, "podman", id);
		else if (name.starts_with("lxc.payload.") && name.size() > 12)
			set_container(c, "lxc", name.substr(12));
		else if (previous_is_pod && is_hex64(name))
			set_container(c, "cri", name);
		else if (name.ends_with(".service") && name.size() > 8)
			c.service = name;
		previous_is_pod = read_pod(c, name, under_kubepods);
		under_kubepods |= name == "kubepods" || name.starts_with("kubepods.") || name.starts_with("kubepods-");
		previous = name;
	}
	return c;
}

} // namespace guard
