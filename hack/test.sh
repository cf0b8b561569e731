#!/usr/bin/env bash
# Builds with warnings as errors and runs the whole suite (every tier: unit, Qemu, Containerd, Netns, Lab).
# Extra arguments go to `dotnet test`, e.g. hack/test.sh --filter Category=Qemu
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Shim.sln -warnaserror --nologo -v quiet -clp:ErrorsOnly
log=$(mktemp)
set +e
dotnet test Shim.sln --no-build --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
