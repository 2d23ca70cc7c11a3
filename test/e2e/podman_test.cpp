// SPDX-License-Identifier: GPL-2.0-or-later
// One real container: Debian's podman runs a shell in an image the test
// builds from busybox-static (no registry is reachable), and the shell's
// exec must carry the id podman gave the container, podman as its runtime,
// another mount namespace than the host's, and the SHELL_IN_CONTAINER alert.
// `make test` installs podman and busybox-static; without them, or in a
// chroot (/ no mount point: podman's storage, and unshare -m, make / private
// before they start), the test says so and checks nothing.
//
// Three things of this kind of machine are worked around, none of them
// guard's: crun refuses the v1/v2 hybrid cgroup layout, so podman runs in a
// mount namespace of its own with the cgroup v2 hierarchy mounted alone at
// /sys/fs/cgroup (the same hierarchy guard reads ids from); root here lacks
// CAP_SYS_RESOURCE, so the container's rlimits stay below ours and
// --privileged spares crun the device-filter program whose RLIMIT_MEMLOCK
// raise fails; v2 has no pids controller in that layout (--pids-limit 0).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "engine/cgroup_cache.h"
#include "test/support/command.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;

namespace {

bool installed(const char *path) { return ::access(path, X_OK) == 0; }

// A root file system of one static busybox, as a tar podman can import.
std::string busybox_image_tar(const std::string &dir)
{
	std::string root = dir + "/rootfs", tar = dir + "/busybox.tar";
	std::filesystem::create_directories(root + "/bin");
	std::filesystem::copy_file("/bin/busybox", root + "/bin/busybox");
	std::filesystem::create_symlink("busybox", root + "/bin/sh");
	auto made = test::run_command({{"tar", "-C", root, "-cf", tar, "."}});
	REQUIRE(made.exit_code() == 0);
	return tar;
}

// podman's objects of this test, removed at the end whatever happened. The
// cgroups podman made under its cgroupfs parent stay behind when the mount
// namespace that saw them is gone: rmdir removes each one only when empty.
struct PodmanObjects {
	std::string image, container, cgroup_parent, id;
	~PodmanObjects()
	{
		if (!container.empty())
			test::run_command({{"podman", "rm", "-f", container}});
		if (!image.empty())
			test::run_command({{"podman", "rmi", "-f", image}});
		if (cgroup_parent.empty())
			return;
		if (!id.empty())
			::rmdir((cgroup_parent + "/libpod-" + id).c_str());
		::rmdir((cgroup_parent + "/conmon").c_str());
		::rmdir(cgroup_parent.c_str());
	}
};

std::string trimmed(std::string s)
{
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	return s;
}

} // namespace

TEST_CASE("a real podman container: its shell's exec carries podman's container id, and SHELL_IN_CONTAINER")
{
	REQUIRE(test::running_as_root());
	if (!installed("/usr/bin/podman") || !installed("/bin/busybox")) {
		MESSAGE("skipped: podman or busybox-static is not installed (make test installs them)");
		return;
	}
	if (!test::root_is_mount_point()) {
		MESSAGE("skipped: / is no mount point here (a chroot): podman cannot make it private");
		return;
	}
	CgroupFs fs;
	if (!fs.open()) {
		MESSAGE("skipped: no cgroup v2 hierarchy is mounted here");
		return;
	}
	test::ScratchDir dir("guard-podman");
	PodmanObjects podman;
	std::string name = "guard-e2e-" + std::to_string(::getpid());
	podman.image = "localhost/" + name + ":busybox";
	auto imported = test::run_command({{"podman", "import", "-q", busybox_image_tar(dir.path), podman.image}});
	INFO("podman import: " << imported.err);
	REQUIRE(imported.exit_code() == 0);

	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	podman.container = name;
	podman.cgroup_parent = fs.mount_point() + "/libpod_parent";
	const std::string run = "mount -t cgroup2 none /sys/fs/cgroup && "
				"exec podman --cgroup-manager cgroupfs run --name " + name +
				" --privileged --pids-limit 0 --network none"
				" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 " +
				podman.image + " /bin/sh -c 'echo in-container'";
	auto ran = test::run_command({{"unshare", "-m", "sh", "-c", run}});
	INFO("podman run: " << ran.out << ran.err);
	REQUIRE(ran.exit_code() == 0);
	CHECK(ran.out.find("in-container") != std::string::npos);
	std::string id = trimmed(test::run_command({{"podman", "inspect", "--format", "{{.Id}}", name}}).out);
	REQUIRE(id.size() == 64);
	podman.id = id;

	INFO("output: " << guard.output_text());
	auto line = guard.find_line([&](const std::string &l) {
		return l.find("\"type\":\"exec\"") != std::string::npos &&
		       l.find("\"container_id\":\"" + id + "\"") != std::string::npos;
	});
	REQUIRE(line);
	test::Event exec;
	exec.line = *line;
	REQUIRE(exec.parser.parse(exec.line).get(exec.doc) == simdjson::SUCCESS);
	CHECK(exec.str("container_runtime") == "podman");
	CHECK(exec.str("cgroup").find("libpod-" + id) != std::string::npos);
	struct stat host_ns {};
	REQUIRE(::stat("/proc/self/ns/mnt", &host_ns) == 0);
	CHECK(exec.num("mnt_ns") != int64_t(host_ns.st_ino));
	CHECK(test::alerted(guard, pid_t(exec.num("pid")), "SHELL_IN_CONTAINER", "\"container_id\":\"" + id + "\""));
	CHECK(guard.stop(SIGTERM) == 0);
}
