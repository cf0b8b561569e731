#!/usr/bin/env bash
# Runs tests/Shim.Benchmarks (BenchmarkDotNet) and prints one summary table of every benchmark.
# Usage: hack/bench.sh [--filter PATTERN] [--job short|medium|default]   (default: all benchmarks, short job)
# The cold-process rows (ShimProcessTimings) are medians of BENCH_PROCESS_RUNS (default 12) runs.
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
dotnet build -c Release tests/Shim.Benchmarks --nologo -v quiet >"$artifacts/build.log" 2>&1 || { tail -40 "$artifacts/build.log" >&2; exit 1; }
dotnet run -c Release --no-build --project tests/Shim.Benchmarks -- --filter "$filter" --job "$job" \
  --inProcess --exporters csv --artifacts "$artifacts" >"$artifacts/run.log" 2>&1 || { tail -40 "$artifacts/run.log" >&2; exit 1; }
# Cold shim processes (start, delete, Create → refusal on a fresh daemon) cannot be looped in-process: they run as
# processes of the published out/bin binary (a row says "skipped" when hack/setup.sh has not published it).
case "ShimProcessTimings" in
  $filter)
    echo "bench: timing cold shim processes (${KATAPLUG_BENCH_SHIM:-out/bin/containerd-shim-kataplug-v2})" >&2
    dotnet run -c Release --no-build --project tests/Shim.Benchmarks -- shim-processes --runs "${BENCH_PROCESS_RUNS:-12}" \
      --artifacts "$artifacts" >"$artifacts/processes.log" 2>&1 || { tail -40 "$artifacts/processes.log" >&2; exit 1; };;
esac
# ctr run end to end through a private containerd (hack/bench-ctr.sh): root only, needs out/bin.
mkdir -p "$artifacts/results"
case "CtrRun" in
  $filter)
    if [ "$(id -u)" = 0 ] && [ -x out/bin/containerd-shim-kataplug-v2 ]; then
      echo "bench: ctr run end to end (hack/bench-ctr.sh)" >&2
      bash hack/bench-ctr.sh --runs "${BENCH_CTR_RUNS:-10}" --csv "$artifacts/results/Shim.Benchmarks.CtrRun-report.csv" \
        >"$artifacts/ctr.log" 2>&1 || { tail -40 "$artifacts/ctr.log" >&2; exit 1; }
    else
      printf 'Method,Mean,Allocated,Note\n"ctr run --rm /bin/true, end to end",NA,-,"skipped: needs root and hack/setup.sh (out/bin)"\n' \
        >"$artifacts/results/Shim.Benchmarks.CtrRun-report.csv"
    fi;;
esac
python3 - "$artifacts/results" <<'PY'
import csv, glob, os, sys
stats = {"Note", "Method", "Job", "Mean", "Error", "StdDev", "Median", "Allocated", "Ratio", "RatioSD", "Gen0", "Gen1", "Gen2", "Alloc Ratio", "Op/s"}
raw = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*-report.csv"))):
    cls = os.path.basename(path).split("-report")[0].split(".")[-1]
    with open(path, newline="") as f:
        raw += [(cls, r) for r in csv.DictReader(f)]
if not raw:
    print("bench: no results", file=sys.stderr); sys.exit(1)
# Job settings repeat on every row; a benchmark parameter is a column whose value varies somewhere.
keys = {k for _, r in raw for k in r if k not in stats}
# (Only among the BenchmarkDotNet rows: process and ctr rows have no job columns at all.)
varying = sorted(k for k in keys if len({r[k] for _, r in raw if k in r}) > 1)
# A process-timing row carries its own note (runs, spread, load, or why it was skipped) in place of parameters.
rows = [(cls, r.get("Method", ""), r.get("Note") or " ".join(f"{k}={r[k]}" for k in varying if r.get(k)), r.get("Mean", ""), r.get("Allocated", "")) for cls, r in raw]
head = ("Class", "Benchmark", "Params", "Mean", "Allocated")
w = [max(len(str(x[i])) for x in rows + [head]) for i in range(5)]
line = lambda x: "| " + " | ".join(str(x[i]).ljust(w[i]) for i in range(5)) + " |"
print(line(head))
print("|" + "|".join("-" * (n + 2) for n in w) + "|")
for r in rows: print(line(r))
PY
