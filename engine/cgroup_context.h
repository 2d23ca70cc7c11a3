/* SPDX-License-Identifier: GPL-2.0-or-later */
// What a cgroup v2 path says about the processes in it: the container they
// run in, as each runtime names its cgroups, and the systemd service.
//
//   docker          /system.slice/docker-<64 hex>.scope, /docker/<64 hex>
//   containerd      .../cri-containerd-<64 hex>.scope (Kubernetes, systemd driver)
//   cri             /kubepods/<qos>/pod<uid>/<64 hex> (Kubernetes, cgroupfs
//                   driver: the path does not name the runtime)
//   cri-o           .../crio-<64 hex>.scope
//   podman          /machine.slice/libpod-<64 hex>.scope, .../libpod-<64 hex>
//   lxc             /lxc.payload.<name>
//
// Kubernetes pods also give pod_uid: kubepods-<qos>-pod<uid>.slice (systemd
// writes the UID's dashes as underscores) or pod<uid>. A runtime's helper
// cgroups (libpod-conmon-<id>.scope, crio-conmon-<id>.scope, lxc.monitor.*)
// are no container: their ids are not 64 hex digits, or their prefix is
// another. The innermost match wins (a container in a container is the
// inner one); service is the innermost "<name>.service" component.
#pragma once

#include <cstddef>
#include <string_view>

namespace guard {

struct CgroupContext {
	static constexpr size_t pod_uid_len = 36; // a UUID

	std::string_view container_id;      // a view into the path, or empty
	std::string_view container_runtime; // one of the names above, or empty
	std::string_view service;           // a view into the path, or empty
	char pod_uid[pod_uid_len] = {};     // dashes restored
	bool has_pod_uid = false;

	std::string_view pod_uid_view() const { return has_pod_uid ? std::string_view(pod_uid, pod_uid_len) : ""; }
};

// Reads path (as the cgroup v2 mount shows it, from its root: "/a/b").
CgroupContext parse_cgroup_path(std::string_view path);

} // namespace guard
