#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 20) from generated seeds; a crash fails the
# run and leaves its input in .build/fuzz/artifacts/. Usage: tools/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-20}
OUT=.build/fuzz
tools/fuzz/build.sh
python3 tools/fuzz/seeds.py "$OUT/seeds"
mkdir -p "$OUT/artifacts"
status=0
for target in FuzzFramer FuzzJSONLine FuzzRuleLoader FuzzSparse FuzzConfigParser FuzzCRI FuzzJournalJSON FuzzDecompress; do
  mkdir -p "$OUT/corpus/$target"
  log="$OUT/$target.log"
  # The corpus directory comes first: new inputs are kept there between runs. The per-input
  # timeout is generous because FuzzSparse compiles the whole catalogue (Hyperscan, under ASAN)
  # on its first input: about 8 s of CPU for 194 rules, which a loaded machine stretches past 10 s.
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$OUT/$target" -max_total_time="$SECONDS_EACH" -timeout=60 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$target-" \
       "$OUT/corpus/$target" "$OUT/seeds/$target" > "$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    echo "fuzz: $target: ${SECONDS_EACH}s, $runs executions, coverage $cov edges, no crash"
  else
    echo "fuzz: $target FAILED; see $log and $OUT/artifacts/"
    grep -E 'ERROR|SUMMARY|Fatal error|precondition' "$log" | head -5
    status=1
  fi
done
exit $status
