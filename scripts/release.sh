#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds the release artifacts into dist/ (gitignored):
#   ocitool-VERSION-linux-ARCH.tar.gz  the binary, man pages, bash/zsh/fish completions, README, LICENSE
#   ocitool_DEBVERSION_DEBARCH.deb     the same, installed where Debian puts them; Depends: from dpkg-shlibdeps
#   SHA256SUMS
#
#   bash scripts/release.sh        (run it under `nice` on a shared machine: a release build takes minutes)
#
# The binary links the Swift runtime and Foundation statically (--static-swift-stdlib), so the target machine
# needs no Swift toolchain; it is stripped, and `ocitool --version` prints `git describe --tags --always
# --dirty`, without a leading v (written to the gitignored Sources/ocitool/Support/ReleaseVersion.swift, compiled in through
# -DOCITOOL_RELEASE_BUILD; a developer's `swift build` keeps Version.swift's value). The shared libraries it
# still needs are checked against ALLOWED_LIBRARIES below: Debian's, nothing from the toolchain. Man pages
# come from swift-argument-parser's generate-manual plugin and completions from
# `ocitool --generate-completion-script`, so both follow the command definitions.
# The build directory is .build-static (OCITOOL_RELEASE_SCRATCH overrides it; the man page tool is built in
# .build-static-plugin), apart from the developer's .build, and is reused between runs. Timestamps come from
# the last commit (SOURCE_DATE_EPOCH), archives are sorted and owned by root: two runs on one commit give the
# same tarball and .deb.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
SCRATCH=${OCITOOL_RELEASE_SCRATCH:-.build-static}
DIST=$ROOT/dist

# The shared libraries the binary may need: Debian's C libraries (sonames, any version suffix).
ALLOWED_LIBRARIES='^(libarchive|libssl|libcrypto|libcurl|libcrypt|libsodium|libz|libzstd|libsqlite3|libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|libutil|libresolv|ld-linux-x86-64|ld-linux-aarch64)\.so(\.[0-9]+)*$'

fail() { echo "error: $*" >&2; exit 1; }
step() { echo "release: $*"; }

bash scripts/install-test-deps.sh --build-only
for tool in git dpkg-deb dpkg-shlibdeps readelf strip perl gzip tar sha256sum; do
    command -v "$tool" >/dev/null || fail "$tool is required (apt-get install dpkg-dev binutils)"
done

# --- versions ----------------------------------------------------------------------------------------
DESCRIBE=$(git describe --tags --always --dirty)
VERSION=${DESCRIBE#v} # v1.2.3 -> 1.2.3
# debian_version DESCRIBE: a Debian version for `git describe` output. v1.2.3 -> 1.2.3, v1.2.3-rc1 -> 1.2.3~rc1
# (before 1.2.3), v1.2.3-4-gabc -> 1.2.3+git4.gabc (after it), an untagged abc -> 0~git<commits>.gabc;
# -dirty adds .dirty. A native package: no revision, so no hyphen.
debian_version() {
    local describe=$1 suffix='' version
    case $describe in *-dirty) describe=${describe%-dirty}; suffix=.dirty ;; esac
    if [[ $describe =~ ^(.+)-([0-9]+)-g([0-9a-f]+)$ ]]; then
        version="${BASH_REMATCH[1]}+git${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}"
    elif [[ $describe =~ ^[0-9a-f]{7,}$ ]]; then
        version="0~git$(git rev-list --count HEAD).g$describe"
    else
        version=$describe
    fi
    version=${version#v}
    version=${version//-/\~}
    echo "$version$suffix"
}
DEB_VERSION=$(debian_version "$DESCRIBE")
dpkg --validate-version "$DEB_VERSION" >/dev/null 2>&1 ||
    fail "'$VERSION' maps to '$DEB_VERSION', not a Debian version; tag the commit vMAJOR.MINOR.PATCH"
ARCH=$(uname -m)
DEB_ARCH=$(dpkg --print-architecture)
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH
step "version $VERSION (Debian $DEB_VERSION), $ARCH, timestamps $(date -u -d "@$SOURCE_DATE_EPOCH" +%FT%TZ)"

# --- build -------------------------------------------------------------------------------------------
stamp=Sources/ocitool/Support/ReleaseVersion.swift
stamped=$(printf '%s\n' '// SPDX-License-Identifier: Apache-2.0' \
    '// Written by scripts/release.sh (gitignored): the version of a release build.' '' \
    '#if OCITOOL_RELEASE_BUILD' "let ocitoolVersion = \"$VERSION\"" '#endif')
# Rewritten only when it changes, so that an unchanged tree rebuilds nothing.
[ "$(cat "$stamp" 2>/dev/null)" = "$stamped" ] || printf '%s\n' "$stamped" >"$stamp"
# --disable-local-rpath: no RUNPATH $ORIGIN (nothing is loaded from beside the binary).
build_flags=(-c release --static-swift-stdlib --disable-local-rpath --scratch-path "$SCRATCH" -Xswiftc -DOCITOOL_RELEASE_BUILD)
step "swift build ${build_flags[*]}"
started=$(date +%s)
swift build "${build_flags[@]}" --product ocitool
BINARY=$(swift build "${build_flags[@]}" --show-bin-path)/ocitool
step "built in $(( $(date +%s) - started )) s: $BINARY"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-release.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
strip --strip-all -o "$WORK/ocitool" "$BINARY"
BIN=$WORK/ocitool

# --- shared libraries --------------------------------------------------------------------------------
needed=$(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED entries in $BIN"
unexpected=$(grep -Ev "$ALLOWED_LIBRARIES" <<<"$needed" || true)
[ -z "$unexpected" ] || fail "the binary needs shared libraries outside the allowlist: $(echo $unexpected)"
if readelf -d "$BIN" | grep -Eq '\((RPATH|RUNPATH)\)'; then
    fail "the binary has an RPATH/RUNPATH: $(readelf -d "$BIN" | grep -E '\((RPATH|RUNPATH)\)')"
fi
step "shared libraries: $(echo $needed)"
[ "$("$BIN" --version)" = "$VERSION" ] || fail "ocitool --version says '$("$BIN" --version)', not '$VERSION'"

# --- man pages and completions -----------------------------------------------------------------------
MAN=$WORK/man
COMPLETIONS=$WORK/completions
mkdir -p "$MAN" "$COMPLETIONS"
# swift-argument-parser's generate-manual plugin builds every product again with its own flags (without
# --static-swift-stdlib: a second full release build) before it runs its tool on each executable. So the
# plugin is asked only for its tool (`--help` builds it and exits; in a scratch directory of its own, where
# nothing else is built), and the tool runs on this binary with the plugin's arguments.
swift package --scratch-path "$SCRATCH-plugin" -c release plugin generate-manual --help >"$WORK/plugin.log" 2>&1 ||
    { cat "$WORK/plugin.log" >&2; fail "swift package plugin generate-manual failed"; }
generate_manual=$(find "$SCRATCH-plugin" -name 'generate-manual-tool' -type f -perm -u+x | head -n 1)
[ -n "$generate_manual" ] || fail "swift package plugin generate-manual built no generate-manual-tool in $SCRATCH-plugin"
"$generate_manual" "$BIN" --multi-page --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)" --output-directory "$MAN"
# One page per command, named as man finds it: ocitool-copy.1 for `man ocitool-copy` (the tool writes
# ocitool.copy.1, titled OCITOOL.COPY, and refers to it as ocitool.copy). The blank lines it leaves between
# paragraphs of a discussion become .Pp, mdoc's paragraph break (man warns about each blank line).
for page in "$MAN"/ocitool.*.1; do
    name=$(basename "$page" .1)
    mv "$page" "$MAN/${name//./-}.1"
done
perl -pi -e 's/^(\.(?:Dt|Xr) )(\S+)/$1 . ($2 =~ tr|.|-|r)/e; s/^$/.Pp/' "$MAN"/*.1
[ -s "$MAN/ocitool.1" ] && [ -s "$MAN/ocitool-copy.1" ] || fail "generate-manual wrote no ocitool.1 or ocitool-copy.1"
"$BIN" --generate-completion-script bash >"$COMPLETIONS/ocitool.bash"
"$BIN" --generate-completion-script zsh >"$COMPLETIONS/_ocitool"
"$BIN" --generate-completion-script fish >"$COMPLETIONS/ocitool.fish"
step "$(ls "$MAN" | wc -l) man pages, completions for bash, zsh and fish"

# normalize DIR: every file's mtime to SOURCE_DATE_EPOCH, modes 755 (directories, the binary) and 644.
normalize() {
    find "$1" -type d -exec chmod 755 {} +
    find "$1" -type f -exec chmod 644 {} +
    find "$1" -type f -name ocitool -path '*bin/ocitool' -exec chmod 755 {} +
    find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

rm -rf "$DIST"
mkdir -p "$DIST"

# --- tarball -----------------------------------------------------------------------------------------
TARNAME=ocitool-$VERSION-linux-$ARCH
T=$WORK/$TARNAME
mkdir -p "$T/bin" "$T/share/man/man1" "$T/share/completions"
cp "$BIN" "$T/bin/ocitool"
cp "$MAN"/*.1 "$T/share/man/man1/"
cp "$COMPLETIONS"/* "$T/share/completions/"
cp README.md LICENSE "$T/"
normalize "$T"
tar -C "$WORK" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    --format=gnu -cf - "$TARNAME" | gzip -9n >"$DIST/$TARNAME.tar.gz"

# --- Debian package ----------------------------------------------------------------------------------
D=$WORK/deb
mkdir -p "$D/DEBIAN" "$D/usr/bin" "$D/usr/share/man/man1" "$D/usr/share/doc/ocitool" \
    "$D/usr/share/bash-completion/completions" "$D/usr/share/zsh/vendor-completions" \
    "$D/usr/share/fish/vendor_completions.d"
cp "$BIN" "$D/usr/bin/ocitool"
for page in "$MAN"/*.1; do gzip -9n <"$page" >"$D/usr/share/man/man1/$(basename "$page").gz"; done
cp "$COMPLETIONS/ocitool.bash" "$D/usr/share/bash-completion/completions/ocitool"
cp "$COMPLETIONS/_ocitool" "$D/usr/share/zsh/vendor-completions/_ocitool"
cp "$COMPLETIONS/ocitool.fish" "$D/usr/share/fish/vendor_completions.d/ocitool.fish"
gzip -9n <README.md >"$D/usr/share/doc/ocitool/README.md.gz"
cat >"$D/usr/share/doc/ocitool/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ocitool
Source: https://github.com/ocitool/ocitool

Files: *
Copyright: the ocitool authors
License: Apache-2.0

License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 can be
 found in the file /usr/share/common-licenses/Apache-2.0.
EOF
# dpkg-shlibdeps reads debian/control from its working directory: a minimal one in a directory of its own.
mkdir -p "$WORK/shlibdeps/debian"
printf 'Source: ocitool\n\nPackage: ocitool\nArchitecture: any\n' >"$WORK/shlibdeps/debian/control"
depends=$(cd "$WORK/shlibdeps" && dpkg-shlibdeps -O "$D/usr/bin/ocitool" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || fail "dpkg-shlibdeps computed no dependencies for $D/usr/bin/ocitool"
normalize "$D"
(cd "$D" && find usr -type f | LC_ALL=C sort | xargs md5sum >DEBIAN/md5sums)
cat >"$D/DEBIAN/control" <<EOF
Package: ocitool
Version: $DEB_VERSION
Architecture: $DEB_ARCH
Maintainer: ocitool authors <ocitool@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$D" | cut -f1)
Depends: $depends
Section: admin
Priority: optional
Description: OCI image layouts, a registry over them, and copies between them
 ocitool imports docker save and oci-archive tarballs into OCI image layouts,
 manages their tags, attaches SBOMs and signatures as referrers, checks and
 cleans layouts, serves a directory tree of layouts as an OCI registry, and
 copies images between layouts, archives and registries keeping their digests.
EOF
normalize "$D"
DEB=ocitool_${DEB_VERSION}_$DEB_ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$D" "$DIST/$DEB" >/dev/null
step "Depends: $depends"

(cd "$DIST" && sha256sum "$TARNAME.tar.gz" "$DEB" >SHA256SUMS)
step "done:"
(cd "$DIST" && ls -l "$TARNAME.tar.gz" "$DEB" SHA256SUMS | awk '{ printf "  dist/%s (%s bytes)\n", $NF, $5 }')
