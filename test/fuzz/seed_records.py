#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Remakes the record and recording seeds of the fuzz targets from
# test/fixtures/seed_workload.rec (run it when that recording is made again,
# as after a change of the record ABI): the recording whole and cut short in
# a frame, and its frames in groups of 16 (a record seed is frames as they
# are: u32 length, then the record's bytes).
import os
import struct
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
source = os.path.join(root, "test", "fixtures", "seed_workload.rec")
corpus = os.path.join(root, "test", "fuzz", "corpus")
HEADER = 32

data = open(source, "rb").read()
if data[:8] != b"GUARDREC":
    sys.exit(f"{source}: not a recording")
frames, at = [], HEADER
while at + 4 <= len(data):
    (n,) = struct.unpack_from("<I", data, at)
    frames.append(data[at:at + 4 + n])
    at += 4 + n

recording = os.path.join(corpus, "recording")
open(os.path.join(recording, "seed_workload.rec"), "wb").write(data)
middle = HEADER + sum(len(f) for f in frames[:len(frames) // 2]) + 7
open(os.path.join(recording, "cut_short.rec"), "wb").write(data[:middle])

record = os.path.join(corpus, "record")
for name in os.listdir(record):
    os.remove(os.path.join(record, name))
for i in range(0, len(frames), 16):
    with open(os.path.join(record, f"workload-{i // 16:02d}"), "wb") as out:
        out.write(b"".join(frames[i:i + 16]))
print(f"{len(frames)} frames: {(len(frames) + 15) // 16} record seeds, 2 recordings")
