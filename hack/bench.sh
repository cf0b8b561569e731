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
rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*-report.csv"))):
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            cls = os.path.basename(path).split("-report")[0].split(".")[-1]
            params = [f"{k}={v}" for k, v in r.items() if k not in ("Method","Job","Mean","Error","StdDev","Median","Allocated","Ratio","RatioSD","Gen0","Gen1","Gen2","Alloc Ratio","Op/s") and v and not k[0].islower() and k not in ("Toolchain","IterationCount","LaunchCount","WarmupCount","Runtime","RunStrategy","Platform","Jit","Server","Concurrent","Force","Affinity","EnvironmentVariables","Arguments","NuGetReferences","UnrollFactor","InvocationCount","IterationTime","MaxIterationCount","MaxWarmupIterationCount","MinIterationCount","MinWarmupIterationCount","EvaluateOverhead","MemoryRandomization","MinInvokeCount","MaxRelativeError","MaxAbsoluteError","OutlierMode","Id","AnalyzeLaunchVariance","Weight","InvocationCount","Hardware","HardwareCounters","BuildConfiguration","Clock","CompilerSettings","Baseline","RuntimeMoniker","Framework")]
            rows.append((cls, r.get("Method",""), " ".join(params), r.get("Mean",""), r.get("Allocated","")))
if not rows:
    print("bench: no results", file=sys.stderr); sys.exit(1)
w = [max(len(str(x[i])) for x in rows + [("Class","Benchmark","Params","Mean","Allocated")]) for i in range(5)]
line = lambda x: "| " + " | ".join(str(x[i]).ljust(w[i]) for i in range(5)) + " |"
print(line(("Class","Benchmark","Params","Mean","Allocated")))
print("|" + "|".join("-" * (n + 2) for n in w) + "|")
for r in rows: print(line(r))
PY
