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

# Three runs, one process each: the CLI tests wait on child processes, and the object-storage tests on the
# bucket, from synchronous test functions, which holds threads of Swift concurrency's pool (two on a 2-core
# machine); in the same process they starved the in-process servers' timing-sensitive tests. Each run's
# summary: "Test run with N tests in M suites ...".
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
run_swift_tests library --skip CLITests --skip ObjectStorageTests
run_swift_tests bucket --filter ObjectStorageTests
run_swift_tests cli --filter CLITests

ocitool="$(swift build --show-bin-path)/ocitool"
interop_passed=0
interop_failed=0
# run_interop SCRIPT TITLE: one interop script against the built binary, its ok/not ok lines counted.
run_interop() {
    local script=$1 title=$2 log status=0 passed failed
    log="$scratch/interop-$(basename "$script" .sh).log"
    echo "== interop ($script: $title)"
    bash "$script" "$ocitool" 2>&1 | tee "$log" || status=$?
    passed=$(grep -c '^ok - ' "$log" || true)
    failed=$(grep -c '^not ok - ' "$log" || true)
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    interop_passed=$((interop_passed + passed))
    interop_failed=$((interop_failed + failed))
}
run_interop Tests/interop/layout.sh "layouts and archives against skopeo and umoci"
run_interop Tests/interop/trust.sh "signatures against trixie's skopeo"
run_interop Tests/interop/s3.sh "two serve replicas over one Ceph bucket"

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
