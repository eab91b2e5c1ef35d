#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The test command: installs missing apt dependencies, builds, runs every Swift test suite
# (output left visible), then the interop checks against skopeo and umoci with the built
# binary. Exits non-zero if anything failed; the last line is a one-line summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-deps.sh

echo "== swift build"
swift build

echo "== swift test"
swift_test=ok
if ! swift test; then
    swift_test=FAILED
fi

echo "== interop (Tests/interop/layout.sh)"
ocitool="$(swift build --show-bin-path)/ocitool"
interop=ok
if ! bash Tests/interop/layout.sh "$ocitool"; then
    interop=FAILED
fi

echo "== examples (examples/pipeline.sh, so the README's walkthrough stays true)"
examples=ok
if ! OCITOOL="$ocitool" bash examples/pipeline.sh >/tmp/ocitool-example.log 2>&1; then
    examples=FAILED
    tail -20 /tmp/ocitool-example.log
fi

if [ "$swift_test" = ok ] && [ "$interop" = ok ] && [ "$examples" = ok ]; then
    echo "test.sh: PASS (swift build ok, swift test ok, interop ok, examples ok)"
else
    echo "test.sh: FAIL (swift build ok, swift test $swift_test, interop $interop, examples $examples)"
    exit 1
fi
