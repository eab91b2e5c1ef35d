#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The test command: installs missing apt dependencies, builds, runs every Swift test suite
# (output left visible), then the interop checks against skopeo and umoci with the built
# binary (Tests/interop/layout.sh), the signature checks against trixie's skopeo
# (Tests/interop/trust.sh), then the examples, then the release artifacts (scripts/release.sh)
# installed and run on a clean Debian root (Tests/release/package.sh, as root). Exits non-zero if
# anything failed; the last line is the total, `N passed, N failed` (Swift tests, interop checks,
# the examples script and the release checks together).
#
# Everything the tests write goes to a private temporary directory (TMPDIR), removed at the end
# whatever happened, so a run leaves nothing in /tmp.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-deps.sh

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ocitool-test-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export TMPDIR="$scratch"

echo "== swift build"
swift build

# Two runs, one process each: the CLI tests wait on child processes from synchronous test functions, which
# holds threads of Swift concurrency's pool (two on a 2-core machine); in the same process they starved the
# in-process servers' timing-sensitive tests. Each run's summary: "Test run with N tests in M suites ...".
swift_total=0
swift_failed=0
run_swift_tests() {
    local name=$1
    shift
    echo "== swift test $*"
    local log="$scratch/swift-test-$name.log" status=0
    swift test "$@" 2>&1 | tee "$log" || status=$?
    local total failed
    total=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .*/\1/p' "$log" | tail -n 1)
    failed=$(grep -c '^✘ Test .*failed' "$log" || true)
    if [ -z "$total" ]; then
        # No summary: the run crashed or never started; count it as one failure.
        total=1
        failed=1
    elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
    fi
    swift_total=$((swift_total + total))
    swift_failed=$((swift_failed + failed))
}
run_swift_tests library --skip CLITests
run_swift_tests cli --filter CLITests

echo "== interop (Tests/interop/layout.sh)"
ocitool="$(swift build --show-bin-path)/ocitool"
interop_log="$scratch/interop.log"
interop_status=0
bash Tests/interop/layout.sh "$ocitool" 2>&1 | tee "$interop_log" || interop_status=$?
interop_passed=$(grep -c '^ok - ' "$interop_log" || true)
interop_failed=$(grep -c '^not ok - ' "$interop_log" || true)
if [ "$interop_status" -ne 0 ] && [ "$interop_failed" -eq 0 ]; then interop_failed=1; fi

echo "== interop (Tests/interop/trust.sh: signatures against trixie's skopeo)"
trust_log="$scratch/interop-trust.log"
trust_status=0
bash Tests/interop/trust.sh "$ocitool" 2>&1 | tee "$trust_log" || trust_status=$?
trust_passed=$(grep -c '^ok - ' "$trust_log" || true)
trust_failed=$(grep -c '^not ok - ' "$trust_log" || true)
if [ "$trust_status" -ne 0 ] && [ "$trust_failed" -eq 0 ]; then trust_failed=1; fi
interop_passed=$((interop_passed + trust_passed))
interop_failed=$((interop_failed + trust_failed))

echo "== interop (Tests/interop/s3.sh: two serve replicas over one Ceph bucket)"
s3_log="$scratch/interop-s3.log"
s3_status=0
bash Tests/interop/s3.sh "$ocitool" 2>&1 | tee "$s3_log" || s3_status=$?
s3_passed=$(grep -c '^ok - ' "$s3_log" || true)
s3_failed=$(grep -c '^not ok - ' "$s3_log" || true)
if [ "$s3_status" -ne 0 ] && [ "$s3_failed" -eq 0 ]; then s3_failed=1; fi
interop_passed=$((interop_passed + s3_passed))
interop_failed=$((interop_failed + s3_failed))

echo "== examples (examples/pipeline.sh, so the README's walkthrough stays true)"
examples_passed=1
examples_failed=0
if ! OCITOOL="$ocitool" bash examples/pipeline.sh >"$scratch/example.log" 2>&1; then
    examples_passed=0
    examples_failed=1
    tail -20 "$scratch/example.log"
fi

echo "== release (scripts/release.sh, then Tests/release/package.sh: the .deb on a clean Debian root)"
release_log="$scratch/release.log"
release_status=0
release_started=$(date +%s)
if bash scripts/release.sh >"$scratch/release-build.log" 2>&1; then
    echo "ok - scripts/release.sh: a static binary, the tarball and the .deb in dist/ ($(( $(date +%s) - release_started )) s)" |
        tee "$release_log"
    sed -n 's/^release: //p' "$scratch/release-build.log"
    package_started=$(date +%s)
    bash Tests/release/package.sh 2>&1 | tee -a "$release_log" || release_status=$?
    echo "# Tests/release/package.sh took $(( $(date +%s) - package_started )) s"
else
    tail -30 "$scratch/release-build.log"
    echo "not ok - scripts/release.sh" | tee "$release_log"
fi
release_passed=$(grep -c '^ok - ' "$release_log" || true)
release_failed=$(grep -c '^not ok - ' "$release_log" || true)
if [ "$release_status" -ne 0 ] && [ "$release_failed" -eq 0 ]; then release_failed=1; fi

passed=$((swift_total - swift_failed + interop_passed + examples_passed + release_passed))
failed=$((swift_failed + interop_failed + examples_failed + release_failed))
echo "test.sh: swift test $swift_total tests ($swift_failed failed), interop $interop_passed passed ($interop_failed failed), examples $([ "$examples_failed" -eq 0 ] && echo ok || echo FAILED), release $release_passed passed ($release_failed failed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
