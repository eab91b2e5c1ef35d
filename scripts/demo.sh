#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The main job on an embedded default: installs the build dependencies it lacks, builds ocitool
# (release) and serves a generated demo store (demo/hello:latest with an SBOM) on loopback.
# Extra arguments go to `ocitool serve`, e.g. --port 5001. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-deps.sh --build-only
echo "demo: building ocitool (release); a first build takes 5 to 10 minutes, later ones seconds"
swift build -c release --product ocitool
exec "$(swift build -c release --show-bin-path)/ocitool" serve --demo "$@"
