/* SPDX-License-Identifier: GPL-2.0-or-later */
// The seed's config/rules.json (mini-edr-part1.txt), byte for byte: it must
// load unchanged and behave as its author described.
#pragma once

namespace guard::test {

inline constexpr const char kSeedRules[] = R"({
  "output": {
    "type": "file",
    "path": "./log/events.jsonl"
  },
  "rules": {
    "exec_from_tmp": {
      "enabled": true,
      "severity": "medium",
      "paths": ["/tmp/", "/var/tmp/", "/dev/shm/"]
    },
    "shadow_read": {
      "enabled": true,
      "severity": "high",
      "paths": ["/etc/shadow"]
    },
    "suspicious_connect": {
      "enabled": true,
      "severity": "high",
      "process_names": ["sh", "bash", "dash", "zsh", "python", "python3", "perl", "ruby", "nc", "ncat", "socat"],
      "exclude_private_ip": true
    }
  }
}
)";

} // namespace guard::test
