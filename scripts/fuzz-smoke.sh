#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in their own build dir and runs
# each for a short while on its checked-in seeds (tests/fuzz/corpus/<name>/).
# New inputs go to a scratch dir, never into the repository; a finding fails the
# run and is kept (its path is printed).
#
#   scripts/fuzz-smoke.sh                      # 20 s per target, build dir build-fuzz
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh processor   # one target, 10 minutes
#
# Env: FUZZ_BUILD_DIR (build-fuzz), FUZZ_SECONDS (20), JOBS (2), FUZZ_WORK (a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-20}
work=${FUZZ_WORK:-$(mktemp -d /tmp/ingestd-fuzz.XXXXXX)}

cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DINGESTD_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target fuzz_targets

# Every UBSan report is fatal except the suppressed third-party ones.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$src/tests/fuzz/ubsan.supp}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build"/fuzz/*_fuzz; do targets+=("$(basename "$bin" _fuzz)"); done
fi

failed=0
for name in "${targets[@]}"; do
  bin=$build/fuzz/${name}_fuzz
  seeds=$src/tests/fuzz/corpus/$name
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  dict=()
  [ -f "$src/tests/fuzz/$name.dict" ] && dict=(-dict="$src/tests/fuzz/$name.dict")
  echo "== $name: ${seconds}s (seeds: $(ls "$seeds" 2>/dev/null | wc -l), work dir $work/$name)"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      "${dict[@]}" -artifact_prefix="$work/$name/artifacts/" "$work/$name/corpus" "$seeds" \
      >"$work/$name/log" 2>&1; then
    echo "!! $name: finding (log $work/$name/log, inputs $work/$name/artifacts/)"
    grep -E "ERROR|invariant|SUMMARY|Test unit written|error" "$work/$name/log" | head -20 || true
    failed=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/$name/log" | tr '\n' ' ' || true
    echo
  fi
done
exit $failed
