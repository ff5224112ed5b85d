#!/usr/bin/env bash
# Runs the busted suite on the plain build and on the ASan + UBSan build (the sanitized
# sfewlua host runs busted itself), then prints one line: "N passed, N failed".
# Usage: tests/run.sh [plain|asan|"plain asan"] [busted args...]
set -u
cd "$(dirname "$0")/.."
modes=${1:-plain asan}
[ $# -gt 0 ] && shift
busted_bin=$(command -v busted || echo /usr/bin/busted)
build=${BUILD:-build}
total_pass=0
total_fail=0
# Names, sizes and times of the files under reports/ and data/.
snapshot() { find reports data -type f -printf '%p %s %T@\n' 2>/dev/null | sort; }
for mode in $modes; do
  case $mode in
    plain)
      export SFEWLUA="$PWD/$build/sfewlua"
      runner=(lua5.4 "$busted_bin" --cpath="$build/?.so") ;;
    asan)
      export SFEWLUA="$PWD/build-asan/sfewlua"
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23"
      export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
      runner=("$SFEWLUA" "$busted_bin") ;;
    *) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
  esac
  log=$(mktemp)
  # The suite's temporary files go to a folder of their own (tests/setup.lua), which must
  # be empty at the end; reports/ and data/ must be left as they were.
  export SFEW_TEST_TMP
  SFEW_TEST_TMP=$(mktemp -d)
  before=$(snapshot)
  "${runner[@]}" -o TAP "$@" >"$log" 2>&1
  rc=$?
  left=$(ls -A "$SFEW_TEST_TMP")
  if [ -n "$left" ]; then
    echo "not ok - the $mode suite left temporary files behind: $(echo $left | head -c 300)" >>"$log"
  fi
  if [ "$before" != "$(snapshot)" ]; then
    echo "not ok - the $mode suite changed reports/ or data/:" >>"$log"
    diff <(echo "$before") <(snapshot) | head -n 20 >>"$log"
  fi
  rm -rf "$SFEW_TEST_TMP"
  pass=$(grep -c '^ok ' "$log")
  fail=$(grep -c '^not ok ' "$log")
  # Failures with their details; the passing lines would only be noise.
  awk '/^not ok /{show=1} /^ok /{show=0} show' "$log"
  if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then
    # The runner itself died (a crash, a sanitizer report, a leak): say so and count it.
    echo "not ok - the $mode suite exited with status $rc:"
    grep -v '^ok ' "$log" | tail -n 40
    fail=1
  fi
  echo "$mode suite: $pass passed, $fail failed"
  rm -f "$log"
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
done
echo "$total_pass passed, $total_fail failed"
[ $total_fail -eq 0 ]
