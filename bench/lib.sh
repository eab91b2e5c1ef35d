# SPDX-License-Identifier: Apache-2.0
#
# What every bench script starts with; sourced after it sets ROOT (the repository root).

# bench_ocitool [PATH]: sets OCITOOL to PATH, else $OCITOOL, else a release build made here.
bench_ocitool() {
    OCITOOL=${1:-${OCITOOL:-}}
    if [ -z "$OCITOOL" ]; then
        echo "# building release binary (swift build -c release)"
        (cd "$ROOT" && swift build -c release --product ocitool >/dev/null)
        OCITOOL="$(cd "$ROOT" && swift build -c release --show-bin-path)/ocitool"
    fi
    [ -x "$OCITOOL" ] || { echo "error: $OCITOOL is not an executable" >&2; exit 2; }
}

# require_tools TOOL...: exits 2 naming the first tool that is not installed.
require_tools() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 2; }
    done
}
