#!/usr/bin/env bash
# Runs tests/Shim.Benchmarks (BenchmarkDotNet) and prints one summary table of every benchmark.
# Usage: hack/bench.sh [--filter PATTERN] [--job short|medium|default]   (default: all benchmarks, short job)
set -euo pipefail
cd "$(dirname "$0")/.."
filter='*'; job=short
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) filter=$2; shift 2;;
    --job) job=$2; shift 2;;
    *) echo "bench: unknown argument $1" >&2; exit 2;;
  esac
done
artifacts=$(mktemp -d)
trap 'rm -rf "$artifacts"' EXIT
echo "bench: running '$filter' ($job job); this takes a few minutes on 2 cores" >&2
dotnet run -c Release --project tests/Shim.Benchmarks -- --filter "$filter" --job "$job" \
  --inProcess --exporters csv --artifacts "$artifacts" >"$artifacts/run.log" 2>&1 || { tail -40 "$artifacts/run.log" >&2; exit 1; }
python3 - "$artifacts/results" <<'PY'
import csv, glob, os, sys
stats = {"Method", "Job", "Mean", "Error", "StdDev", "Median", "Allocated", "Ratio", "RatioSD", "Gen0", "Gen1", "Gen2", "Alloc Ratio", "Op/s"}
raw = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*-report.csv"))):
    cls = os.path.basename(path).split("-report")[0].split(".")[-1]
    with open(path, newline="") as f:
        raw += [(cls, r) for r in csv.DictReader(f)]
if not raw:
    print("bench: no results", file=sys.stderr); sys.exit(1)
# Job settings repeat on every row; a benchmark parameter is a column whose value varies somewhere.
keys = {k for _, r in raw for k in r if k not in stats}
varying = sorted(k for k in keys if len({r.get(k) for _, r in raw}) > 1)
rows = [(cls, r.get("Method", ""), " ".join(f"{k}={r[k]}" for k in varying if r.get(k)), r.get("Mean", ""), r.get("Allocated", "")) for cls, r in raw]
head = ("Class", "Benchmark", "Params", "Mean", "Allocated")
w = [max(len(str(x[i])) for x in rows + [head]) for i in range(5)]
line = lambda x: "| " + " | ".join(str(x[i]).ljust(w[i]) for i in range(5)) + " |"
print(line(head))
print("|" + "|".join("-" * (n + 2) for n in w) + "|")
for r in rows: print(line(r))
PY
