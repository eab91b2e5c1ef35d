// SPDX-License-Identifier: Apache-2.0

#if !OCITOOL_RELEASE_BUILD
/// What `ocitool --version` prints in a developer's `swift build`. `scripts/release.sh` builds with
/// `-DOCITOOL_RELEASE_BUILD` and writes `ReleaseVersion.swift` beside this file (gitignored) with the
/// `git describe --tags --always --dirty` of the tree instead.
let ocitoolVersion = "0.1.0-dev"
#endif
