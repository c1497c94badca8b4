#!/bin/sh
# Fuzzes the pure core (src/rules, src/explain, src/flow) with cargo-fuzz: every libFuzzer
# target in fuzz/ runs for SECONDS (default 10), from the seeds committed in fuzz/corpus/<target>/
# plus the corpus earlier runs grew. Fails on any crash, panic, broken invariant, hang or
# memory blow-up; the input that did it is left in fuzz/artifacts/<target>/. See docs/fuzzing.md.
#
#   sh scripts/fuzz.sh          # 10 s per target: the CI smoke run
#   sh scripts/fuzz.sh 600      # a long run: 10 minutes per target
#
# Needs the nightly toolchain (`rustup toolchain install nightly`): without it this prints why
# and exits 0. cargo-fuzz is installed once when missing (`cargo install cargo-fuzz --locked`,
# a few minutes). Environment: FUZZ_JOBS (targets run at once, default: one more than the
# cores, at most 3), FUZZ_TARGET_DIR (build and working corpus; default a cache outside the work
# tree, so a fresh clone does not rebuild libFuzzer), FUZZ_TARGETS (a subset, space-separated).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
started=$(date +%s)

seconds="${1:-10}"
case "$seconds" in
  '' | *[!0-9]*) echo "usage: sh scripts/fuzz.sh [seconds-per-target]" >&2; exit 2 ;;
esac

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: SKIPPED: the nightly Rust toolchain is not installed; cargo-fuzz needs it (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz (once, a few minutes)"
  cargo install cargo-fuzz --locked
fi

targets="${FUZZ_TARGETS:-connection token_response jwt widget_message url session readers}"
target_dir="${FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meld-repair/fuzz-target}"
# One more than the cores, at most 3: on 2 cores the 6 targets take two rounds, not three.
jobs="${FUZZ_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}"
[ "$jobs" -gt 3 ] && jobs=3
[ "$jobs" -lt 1 ] && jobs=1
mkdir -p "$target_dir/logs"

# Safe Rust only (the core has no `unsafe`), so no AddressSanitizer: it would halve the speed
# and find nothing the panics, overflow checks and debug assertions below do not.
echo "fuzz: building the targets (nightly, debug assertions and overflow checks on)"
cargo +nightly fuzz build --sanitizer none --debug-assertions --target-dir "$target_dir" >"$target_dir/logs/build.log" 2>&1 || {
  tail -n 40 "$target_dir/logs/build.log" >&2
  echo "fuzz: the build failed" >&2
  exit 1
}
bin="$target_dir/x86_64-unknown-linux-gnu/release"

run_target() {
  name=$1
  corpus="$target_dir/corpus/$name"
  artifacts="$root/fuzz/artifacts/$name"
  mkdir -p "$corpus" "$artifacts"
  max_len=4096
  [ "$name" = jwt ] && max_len=20000 # past the 16 KB token cap
  dict=""
  [ -f "$root/fuzz/dict/$name.dict" ] && dict="-dict=$root/fuzz/dict/$name.dict"
  # New inputs go to the first corpus directory (the cache), never into fuzz/corpus/.
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a blow-up is a failure.
  if "$bin/$name" "$corpus" "$root/fuzz/corpus/$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    $dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$target_dir/logs/$name.log" 2>&1; then
    echo 0 >"$target_dir/logs/$name.rc"
  else
    echo $? >"$target_dir/logs/$name.rc"
  fi
}

echo "fuzz: $seconds s per target, $jobs at a time: $targets"
rm -f "$target_dir"/logs/*.rc
# All targets run for the same time, so batches of $jobs are as good as a pool.
set -- $targets
while [ $# -gt 0 ]; do
  batch=""
  while [ $# -gt 0 ] && [ "$(echo $batch | wc -w)" -lt "$jobs" ]; do
    run_target "$1" &
    batch="$batch $!"
    shift
  done
  for pid in $batch; do wait "$pid" || true; done
done

passed=0
failed=0
printf '%-16s %12s %10s %8s  %s\n' target runs exec/s corpus result
for name in $targets; do
  log="$target_dir/logs/$name.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  corpus=$(ls "$target_dir/corpus/$name" | wc -l)
  if [ "$(cat "$target_dir/logs/$name.rc" 2>/dev/null || echo missing)" = 0 ]; then
    passed=$((passed + 1))
    printf '%-16s %12s %10s %8s  %s\n' "$name" "$runs" "$speed" "$corpus" ok
  else
    failed=$((failed + 1))
    printf '%-16s %12s %10s %8s  %s\n' "$name" "${runs:--}" "${speed:--}" "$corpus" FAILED
    echo "---- $name: the last lines of $log" >&2
    tail -n 40 "$log" >&2
    ls -d "$root/fuzz/artifacts/$name"/* >&2 2>/dev/null || true
  fi
done
echo "fuzz: $(($(date +%s) - started)) s in all; crashes would be in fuzz/artifacts/<target>/"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
