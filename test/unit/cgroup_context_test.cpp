// SPDX-License-Identifier: GPL-2.0-or-later
// Cgroup paths as each container runtime and systemd name them, read for
// container_id, container_runtime, pod_uid and service; and the cache that
// keeps what they say, resolved once per cgroup.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "engine/cgroup_cache.h"
#include "engine/cgroup_context.h"
#include "synthetic/fake_cgroups.h"

using namespace guard;

namespace {

const std::string id64 = "4f1c0d7e9a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5";
const std::string pod = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

std::string underscored(std::string s)
{
	for (char &c : s)
		if (c == '-')
			c = '_';
	return s;
}

struct Parsed {
	std::string id, runtime, pod_uid, service;
};

Parsed parse(const std::string &path)
{
	CgroupContext c = parse_cgroup_path(path);
	return {std::string(c.container_id), std::string(c.container_runtime), std::string(c.pod_uid_view()),
		std::string(c.service)};
}

} // namespace

TEST_CASE("each runtime's cgroup names give its container id")
{
	struct Case {
		std::string path, id, runtime, pod_uid;
	} cases[] = {
		{"/system.slice/docker-" + id64 + ".scope", id64, "docker", ""},
		{"/docker/" + id64, id64, "docker", ""},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + underscored(pod) +
			 ".slice/cri-containerd-" + id64 + ".scope",
		 id64, "containerd", pod},
		{"/kubepods.slice/kubepods-pod" + underscored(pod) + ".slice/crio-" + id64 + ".scope", id64, "cri-o", pod},
		{"/kubepods/besteffort/pod" + pod + "/" + id64, id64, "cri", pod},
		{"/machine.slice/libpod-" + id64 + ".scope", id64, "podman", ""},
		{"/machine.slice/libpod-" + id64 + ".scope/container", id64, "podman", ""},
		{"/libpod_parent/libpod-" + id64, id64, "podman", ""},
		{"/lxc.payload.web1", "web1", "lxc", ""},
		{"/lxc.payload.web1/system.slice", "web1", "lxc", ""},
	};
	for (const Case &c : cases) {
		CAPTURE(c.path);
		Parsed p = parse(c.path);
		CHECK(p.id == c.id);
		CHECK(p.runtime == c.runtime);
		CHECK(p.pod_uid == c.pod_uid);
	}
}

TEST_CASE("a runtime's helper cgroups and look-alikes are no container")
{
	for (const std::string &path : std::initializer_list<std::string>{"/", "/system.slice/libpod-conmon-" + id64 + ".scope",
				 "/kubepods.slice/crio-conmon-" + id64 + ".scope", "/lxc.monitor.web1", "/lxc.payload.",
				 "/system.slice/docker-" + id64.substr(1) + ".scope", "/system.slice/docker.service",
				 "/system.slice/docker-" + id64 + ".slice", "/user.slice/user-1000.slice/session-3.scope",
				 "/docker", "/" + id64, "/kubepods/besteffort/podx/" + id64}) {
		CAPTURE(path);
		Parsed p = parse(path);
		CHECK(p.id.empty());
		CHECK(p.runtime.empty());
	}
	// An upper-case id is not how any runtime writes one.
	std::string upper = id64;
	upper[0] = 'F';
	CHECK(parse("/docker/" + upper).id.empty());
}

TEST_CASE("a systemd service, inside or outside a container; a pod without its container yet")
{
	CHECK(parse("/system.slice/ssh.service").service == "ssh.service");
	CHECK(parse("/system.slice/ssh.service").id.empty());
	CHECK(parse("/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service").service == "dbus.service");
	Parsed inside = parse("/machine.slice/libpod-" + id64 + ".scope/system.slice/nginx.service");
	CHECK(inside.id == id64);
	CHECK(inside.service == "nginx.service");
	CHECK(parse("/.service").service.empty());
	Parsed pod_only = parse("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + underscored(pod) + ".slice");
	CHECK(pod_only.pod_uid == pod);
	CHECK(pod_only.id.empty());
	CHECK(parse("/kubepods.slice/kubepods-besteffort-podnotauid.slice").pod_uid.empty());
	CHECK(parse("/system.slice/pod" + pod).pod_uid.empty()); // pod<uid> counts below kubepods only
}

TEST_CASE("a container in a container is the inner one")
{
	std::string inner(64, 'a');
	Parsed p = parse("/system.slice/docker-" + id64 + ".scope/docker/" + inner);
	CHECK(p.id == inner);
	CHECK(p.runtime == "docker");
}

namespace {

// Paths by id, counting how often each was asked.
class CountingPaths : public CgroupPathSource {
public:
	std::map<uint64_t, std::string> paths;
	std::map<uint64_t, int> asked;
	size_t path_of(uint64_t id, char *out, size_t cap) override
	{
		asked[id]++;
		auto it = paths.find(id);
		if (it == paths.end() || it->second.size() > cap)
			return 0;
		it->second.copy(out, cap);
		return it->second.size();
	}
};

} // namespace

TEST_CASE("the cgroup cache resolves each id once, known or not, and keeps its JSON fields")
{
	CountingPaths source;
	source.paths[7] = "/system.slice/docker-" + id64 + ".scope";
	source.paths[8] = "/system.slice/cron.service";
	source.paths[9] = "/odd\"name\xff";
	source.paths[10] = "/" + std::string(CgroupInfo::path_max, 'x'); // longer than an entry holds
	CgroupCache cache(&source);
	for (int round = 0; round < 3; round++) {
		const CgroupInfo *docker = cache.lookup(7);
		REQUIRE(docker);
		CHECK(docker->in_container());
		CHECK(docker->container_id() == id64);
		CHECK(docker->json_view() == "\"cgroup\":\"" + source.paths[7] + "\",\"container_id\":\"" + id64 +
						     "\",\"container_runtime\":\"docker\"");
		const CgroupInfo *cron = cache.lookup(8);
		REQUIRE(cron);
		CHECK_FALSE(cron->in_container());
		CHECK(cron->json_view() == "\"cgroup\":\"/system.slice/cron.service\",\"service\":\"cron.service\"");
		const CgroupInfo *odd = cache.lookup(9);
		REQUIRE(odd);
		CHECK(odd->json_view() == "\"cgroup\":\"/odd\\\"name\xef\xbf\xbd\",\"cgroup_hex\":\"2f6f6464226e616d65ff\"");
		CHECK(cache.lookup(10) == nullptr);
		CHECK(cache.lookup(11) == nullptr);
		CHECK(cache.lookup(0) == nullptr);
	}
	CHECK(cache.find(7) == cache.lookup(7));
	CHECK(cache.find(12) == nullptr); // find never resolves
	CHECK(source.asked == std::map<uint64_t, int>{{7, 1}, {8, 1}, {9, 1}, {10, 1}, {11, 1}});
	CHECK(cache.stats().resolved == 5);
	CHECK(cache.stats().unknown == 2);
}

TEST_CASE("a full cgroup cache starts over and resolves the ids it meets again, once each")
{
	CountingPaths source;
	CgroupCache cache(&source);
	for (uint64_t id = 1; id <= CgroupCache::capacity; id++)
		source.paths[id] = "/system.slice/u" + std::to_string(id) + ".service";
	for (uint64_t id = 1; id <= CgroupCache::capacity; id++) {
		const CgroupInfo *e = cache.lookup(id);
		REQUIRE(e);
		CHECK(e->service() == "u" + std::to_string(id) + ".service");
	}
	CHECK(cache.stats().restarts == 1); // at three quarters full
	CHECK(cache.stats().resolved == CgroupCache::capacity);
	CHECK(cache.lookup(CgroupCache::capacity)); // still there: resolved after the last restart
	CHECK(cache.stats().resolved == CgroupCache::capacity);
}

TEST_CASE("no path source: nothing is resolved, nothing known")
{
	CgroupCache cache(nullptr);
	CHECK(cache.lookup(1) == nullptr);
	CHECK(cache.find(1) == nullptr);
	CHECK(cache.stats().resolved == 0);
}
