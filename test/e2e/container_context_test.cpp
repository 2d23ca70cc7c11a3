// SPDX-License-Identifier: GPL-2.0-or-later
// Container and service context on real events: cgroups made under the
// cgroup v2 mount as Docker, containerd under Kubernetes, CRI-O, Podman,
// LXC and systemd name theirs, a shell moved into each, one agent for all.
// Its exec must carry the container id, runtime and pod the path says (and
// the shell in a container, the SHELL_IN_CONTAINER alert). The cgroups are
// removed afterwards; with no writable cgroup v2 hierarchy the test says so
// and checks nothing.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "engine/cgroup_cache.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;

namespace {

// A 64-hex-digit id of its own for each case, so no event can be another's.
std::string hex_id(int n)
{
	char id[65];
	std::snprintf(id, sizeof id, "%056x%08x", unsigned(::getpid()), unsigned(n));
	return id;
}

// The directories of a cgroup path under root, made one by one (removed in
// the reverse order).
class Cgroups {
public:
	explicit Cgroups(std::string root) : root_(std::move(root)) {}
	~Cgroups()
	{
		for (auto it = made_.rbegin(); it != made_.rend(); ++it)
			for (int i = 0; i < 100 && ::rmdir(it->c_str()) != 0 && errno == EBUSY; i++)
				std::this_thread::sleep_for(std::chrono::milliseconds(5)); // the exited shell is let go
	}
	// mkdir -p root/rel; false when the hierarchy refuses.
	bool make(const std::string &rel)
	{
		if (made_.empty()) {
			if (::mkdir(root_.c_str(), 0755) != 0)
				return false;
			made_.push_back(root_);
		}
		std::string path = root_;
		for (size_t at = 0; at != std::string::npos;) {
			size_t slash = rel.find('/', at);
			path += "/" + rel.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
			at = slash == std::string::npos ? slash : slash + 1;
			if (::mkdir(path.c_str(), 0755) == 0)
				made_.push_back(path);
			else if (errno != EEXIST)
				return false;
		}
		return true;
	}
	const std::string &root() const { return root_; }

private:
	std::string root_;
	std::vector<std::string> made_;
};

// Forks a child that moves itself into the cgroup and runs sh -c 'exit 0'; waits.
pid_t shell_in(const std::string &cgroup_dir)
{
	pid_t pid = ::fork();
	if (pid == 0) {
		int fd = ::open((cgroup_dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
		if (fd < 0 || ::write(fd, "0", 1) != 1)
			_exit(125);
		::close(fd);
		::execl("/bin/sh", "sh", "-c", "exit 0", (char *)nullptr);
		_exit(127);
	}
	int status = 0;
	::waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? pid : -1;
}

} // namespace

TEST_CASE("container context: cgroups named as each runtime names them give their events container_id and runtime")
{
	REQUIRE(test::running_as_root());
	CgroupFs fs;
	if (!fs.open()) {
		MESSAGE("skipped: no cgroup v2 hierarchy is mounted here");
		return;
	}
	Cgroups cgroups(fs.mount_point() + "/guard-e2e-" + std::to_string(::getpid()));
	if (!cgroups.make("probe")) {
		MESSAGE("skipped: the cgroup v2 hierarchy at " << fs.mount_point()
							<< " is not writable: " << std::string(std::strerror(errno)));
		return;
	}
	const std::string pod = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", pod_ = "0b1c2d3e_4f50_6172_8394_a5b6c7d8e9f0";
	struct Case {
		std::string rel, id, runtime, pod_uid, service;
	} cases[] = {
		{"system.slice/docker-" + hex_id(1) + ".scope", hex_id(1), "docker", "", ""},
		{"docker/" + hex_id(2), hex_id(2), "docker", "", ""},
		{"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + pod_ + ".slice/cri-containerd-" +
			 hex_id(3) + ".scope",
		 hex_id(3), "containerd", pod, ""},
		{"kubepods.slice/crio-" + hex_id(4) + ".scope", hex_id(4), "cri-o", "", ""},
		{"machine.slice/libpod-" + hex_id(5) + ".scope", hex_id(5), "podman", "", ""},
		{"machine.slice/libpod-conmon-" + hex_id(6) + ".scope", "", "", "", ""},
		{"lxc.payload.guard-e2e", "guard-e2e", "lxc", "", ""},
		{"system.slice/guard-e2e.service", "", "", "", "guard-e2e.service"},
	};
	for (const Case &c : cases)
		REQUIRE(cgroups.make(c.rel));

	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	INFO("output: " << guard.output_text());
	for (const Case &c : cases) {
		CAPTURE(c.rel);
		pid_t pid = shell_in(cgroups.root() + "/" + c.rel);
		REQUIRE(pid > 0);
		auto exec = test::find_event(guard, "exec", pid);
		REQUIRE(exec);
		std::string cgroup = cgroups.root().substr(fs.mount_point().size()) + "/" + c.rel;
		CHECK(exec->str("cgroup") == cgroup);
		CHECK(exec->has("container_id") == !c.id.empty());
		if (!c.id.empty()) {
			CHECK(exec->str("container_id") == c.id);
			CHECK(exec->str("container_runtime") == c.runtime);
			CHECK(test::alerted(guard, pid, "SHELL_IN_CONTAINER", "\"container_id\":\"" + c.id + "\""));
		}
		CHECK(exec->has("pod_uid") == !c.pod_uid.empty());
		if (!c.pod_uid.empty())
			CHECK(exec->str("pod_uid") == c.pod_uid);
		CHECK(exec->has("service") == !c.service.empty());
		if (!c.service.empty())
			CHECK(exec->str("service") == c.service);
	}
	// Outside every container: no alert for a shell.
	pid_t host = test::run_and_wait("/bin/sh", {"-c", "exit 0"});
	REQUIRE(test::find_event(guard, "exec", host));
	CHECK(guard.output_text().find("\"rule\":\"SHELL_IN_CONTAINER\",\"severity\":\"medium\",\"description\":\"a shell "
				       "started inside a container (Docker, containerd, CRI-O, Podman, LXC): someone exec'ing "
				       "into it, or a workload taken over\",\"attack\":[\"T1059.004\",\"T1609\"],\"event\":\"exec\","
				       "\"boot_ns\":") != std::string::npos);
	CHECK(guard.output_text().find("\"pid\":" + std::to_string(host) + ",\"tid\"") != std::string::npos);
	CHECK_FALSE(test::alerted(guard, host, "SHELL_IN_CONTAINER"));
}
