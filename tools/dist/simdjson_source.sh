#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Puts simdjson's one-file library source, singleheader/simdjson.cpp, in DIR,
# for the static build. Debian's libsimdjson-dev ships simdjson.h and the
# shared library only (no static archive), so the static guard compiles the
# source of exactly the installed version: Debian's own source package,
# fetched with apt-get source (signed indices, checksums, Debian's patches
# applied by dpkg-source). apt's state is kept under DIR, from deb-src
# twins of the machine's enabled deb sources: the system's apt configuration
# is neither read for writing nor changed.
set -euo pipefail
dir=${1:?usage: simdjson_source.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The source package and version behind the installed header.
source=$(dpkg-query -W -f='${source:Package}=${source:Version}' libsimdjson-dev)
if [ -f "$dir/simdjson.cpp" ] && [ "$(cat "$dir/version" 2>/dev/null)" = "$source" ]; then
	exit 0
fi

apt_dir=$dir/apt
rm -rf "$apt_dir" "$dir"/src
mkdir -p "$apt_dir/deb822" "$apt_dir/one-line" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dir/src"
# deb-src twins of the enabled sources: deb822 files and one-line lists,
# kept apart: a machine that names one archive in both (with and without
# Signed-By) makes apt refuse the two together.
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt_dir/deb822/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] && sed -nE 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "$f" >"$apt_dir/one-line/$(basename "$f").list"
done
echo "guard: fetching Debian's source of $source (for the static build's simdjson)" >&2
fetched=
for parts in "$apt_dir/deb822" "$apt_dir/one-line"; do
	[ -n "$(ls -A "$parts")" ] || continue
	apt=(apt-get -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$parts"
	     -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o Debug::NoLocking=1
	     -o APT::Sandbox::User="$(id -un)")
	if "${apt[@]}" update >&2; then
		fetched=yes
		break
	fi
done
[ -n "$fetched" ] || { echo "guard: apt-get update of the deb-src twins of /etc/apt's sources failed" >&2; exit 1; }
(cd "$dir/src" && "${apt[@]}" source "$source" >&2)
cpp=$(find "$dir/src" -path '*/singleheader/simdjson.cpp' | head -n 1)
header=${cpp%.cpp}.h
if [ -z "$cpp" ] || ! cmp -s "$header" /usr/include/simdjson.h; then
	echo "guard: $source: no singleheader/simdjson.cpp matching /usr/include/simdjson.h" >&2
	exit 1
fi
cp "$cpp" "$dir/simdjson.cpp"
cp "$dir/src"/*/LICENSE "$dir/LICENSE"
echo "$source" >"$dir/version"
rm -rf "$apt_dir" "$dir/src"
