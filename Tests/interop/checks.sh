# SPDX-License-Identifier: Apache-2.0
#
# The TAP-like checks of the interop scripts (sourced, after $T, a scratch directory, is set):
# `check DESCRIPTION COMMAND...` prints `ok - ...` or `not ok - ...` with the command's output, and
# `report_checks` prints `N passed, M failed` and fails when any check did.

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() {
    echo "not ok - $1"
    failed=$((failed + 1))
    if [ -s "$T/log" ]; then sed -e 's/^/#   /' "$T/log" | head -n 40; fi
}
# check DESCRIPTION COMMAND...: runs COMMAND in a subshell with output captured in $T/log. The subshell
# is not an `if`/`||` context, so `set -e` holds inside the check functions: any failing step fails it.
check() {
    local description=$1 status
    shift
    set +e
    (set -e; "$@") >"$T/log" 2>&1
    status=$?
    set -e
    if [ "$status" -eq 0 ]; then ok "$description"; else not_ok "$description"; fi
}
report_checks() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
