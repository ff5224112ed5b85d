#!/usr/bin/env bash
# Runs each libFuzzer target for N seconds from its seed corpus (plus the regressions, which
# must not crash); prints executions per target; exits non-zero if any target found a bug.
# Usage: tests/fuzz/run.sh SECONDS TARGET...
set -u
cd "$(dirname "$0")/../.."
secs=$1
shift
status=0
for t in "$@"; do
  out=build-fuzz/corpus/$t
  mkdir -p "$out" "build-fuzz/finds/$t"
  dirs=("$out" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && dirs+=("tests/fuzz/regressions/$t")
  log=build-fuzz/$t.log
  ASAN_OPTIONS=detect_leaks=1 ./build-fuzz/${t}_fuzz -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/finds/$t/" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  if [ $rc -ne 0 ]; then
    echo "fuzz $t: FAILED (status $rc) after ${execs:-?} runs; see $log and build-fuzz/finds/$t/"
    grep -m5 -E 'ERROR|SUMMARY|runtime error' "$log"
    status=1
  else
    echo "fuzz $t: ${execs:-?} runs, nothing found"
  fi
done
exit $status
