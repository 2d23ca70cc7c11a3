#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make_deb.sh DIR VERSION OUT.deb: a Debian package of what `make install`
# staged in DIR/debian/guard (PREFIX=/usr), with the control file,
# conffiles (/etc/guard), maintainer scripts and copyright of tools/dist/deb.
set -euo pipefail
dir=$1 version=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
pkg=$dir/debian/guard
binary=$pkg/usr/sbin/guard

# What the binary needs from other packages: dpkg-shlibdeps reads its
# shared libraries; a static binary needs none.
depends=
if readelf -d "$binary" 2>/dev/null | grep -q '(NEEDED)'; then
	printf 'Source: guard\n\nPackage: guard\nArchitecture: any\n' >"$dir/debian/control"
	depends=$(cd "$dir" && dpkg-shlibdeps -O -e"debian/guard/usr/sbin/guard" | sed -n 's/^shlibs:Depends=//p')
fi

doc=$pkg/usr/share/doc/guard
mkdir -p "$doc" "$pkg/DEBIAN"
cp "$here/deb/copyright" "$doc/copyright"
[ -n "$depends" ] || cat "$here/deb/copyright-static" >>"$doc/copyright"
gzip -9nf "$pkg/usr/share/man/man8/guard.8"
for script in postinst prerm postrm; do
	install -m 0755 "$here/deb/$script" "$pkg/DEBIAN/$script"
done
(cd "$pkg" && find etc -type f -printf '/%p\n') >"$pkg/DEBIAN/conffiles"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$(dpkg --print-architecture)/" \
    -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)/" \
    -e "s/@DEPENDS@/$depends/" -e '/^Depends: $/d' "$here/deb/control.in" >"$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
dpkg-deb --root-owner-group --build "$pkg" "$out" >/dev/null
echo "guard: built $out"
