#!/usr/bin/env bash
# The Lua-level fuzzer: runs tests/fuzz/lua_fuzz.lua in child processes of the ASan + UBSan
# host (build-asan/sfewlua), seed after seed, for SECONDS. Each child makes CALLS calls in an
# empty temporary folder, under a time limit (timeout) and a memory limit (ASan's
# allocation and RSS limits: ulimit -v cannot be used with ASan's shadow memory). A child
# killed by a signal or the timeout, or one that prints a sanitizer report, is a find: its
# last call, with hostile.lua inlined, is saved as build-fuzz/lua/finds/seed-S.lua and
# replayed alone to say whether it reproduces by itself.
# Usage: tests/fuzz/lua_run.sh SECONDS [FIRST_SEED [CALLS]]
set -u
cd "$(dirname "$0")/../.."
root=$PWD
secs=${1:-30}
seed=${2:-${FUZZ_SEED:-1}}
calls=${3:-${FUZZ_CALLS:-400}}
host=$root/build-asan/sfewlua
out=$root/build-fuzz/lua
mkdir -p "$out/finds"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=1024"
ASAN_OPTIONS+=":hard_rss_limit_mb=3072:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# What counts as a report (ASan's "failed to allocate" warnings are allocations refused on
# purpose, which the engine turns into errors).
report='ERROR: (Address|Leak)Sanitizer|AddressSanitizer: hard rss|runtime error:'
finds=0
total=0
children=0
end=$((SECONDS + secs))

# Writes hostile.lua inlined plus one call chunk as a standalone reproducer.
reproducer() { # chunk_file dest
  {
    echo "-- Lua fuzzer reproducer: a call that crashed build-asan/sfewlua."
    echo "local H = (function()"
    grep -v '^--' tests/fuzz/hostile.lua
    echo "end)()"
    echo "local chunk = [==["
    cat "$1"
    echo "]==]"
    echo "pcall(load(chunk, '=call', 't'), H)"
  } >"$2"
}

while [ $SECONDS -lt $end ]; do
  work=$(mktemp -d)
  log=$work/calls.log
  (cd "$work" && timeout -s KILL 120 "$host" "$root/tests/fuzz/lua_fuzz.lua" "$seed" "$calls" \
    "$log" >"$work/stdout" 2>"$work/stderr")
  rc=$?
  children=$((children + 1))
  n=$(grep -c '^--\[\[call ' "$log" 2>/dev/null || echo 0)
  total=$((total + n))
  if [ $rc -ge 124 ] || grep -qE "$report" "$work/stderr"; then
    finds=$((finds + 1))
    last=$work/last.lua
    awk '/^--\[\[call /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$log" >"$last"
    dest=$out/finds/seed-$seed.lua
    reproducer "$last" "$dest"
    cp "$work/stderr" "$out/finds/seed-$seed.stderr"
    (cd "$work" && timeout -s KILL 60 "$host" "$dest" >/dev/null 2>"$work/replay.stderr")
    rrc=$?
    alone="does not reproduce alone"
    if [ $rrc -ge 124 ] || grep -qE "$report" "$work/replay.stderr"; then
      alone="reproduces alone"
    fi
    echo "lua fuzz: seed $seed, call $n: status $rc ($alone): $dest"
    grep -m3 -E 'SUMMARY|runtime error|ERROR' "$work/stderr" | sed 's/^/  /'
  fi
  rm -rf "$work"
  seed=$((seed + 1))
done
echo "lua fuzz: $total calls in $children children (seeds up to $((seed - 1))), $finds finds"
[ $finds -eq 0 ]
