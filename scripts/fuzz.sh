#!/usr/bin/env bash
# Fuzzes the pure core with cargo-fuzz (libFuzzer): the settings reader and
# validator, conditions, mapping and templates, the delivery engine, the
# stored-record reader and the regular expressions (targets in
# fuzz/fuzz_targets/, see fuzz/README.md).
#
#   bash scripts/fuzz.sh [seconds-per-target]     (default 5: the npm test run)
#
# Environment: FUZZ_TARGETS="engine stored_record" runs only those targets;
# FUZZ_JOBS=N runs N targets at a time (default 1); WMWH_FUZZ_STRICT=1 turns
# off the harness filters for known, open bugs (fuzz/src/lib.rs, `known`).
#
# Installs cargo-fuzz once (cargo install, a few minutes). It needs nightly
# flags: RUSTC_BOOTSTRAP=1 lets the stable toolchain take them. With rustup's
# toolchain the targets run under AddressSanitizer; a toolchain without the
# sanitizer runtime (Debian's rustc) runs them without it (-s none).
#
# Prints the executions of every target and the total; fails on any crash,
# hang (a single input over 10 s) or invariant violation, leaving the input
# under fuzz/artifacts/<target>/. Runs of a minute or more grow
# fuzz/corpus/<target>/ (ignored by git; only the seed-* files are committed);
# shorter ones start from the seeds alone.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

secs=${1:-5}
case "$secs" in '' | *[!0-9]*) echo "usage: $0 [seconds-per-target]" >&2; exit 2 ;; esac
targets=${FUZZ_TARGETS:-settings_json conditions_mapping_templates engine stored_record regex}
jobs=${FUZZ_JOBS:-1}

say() { printf '\033[1mfuzz:\033[0m %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (a few minutes, once)"
  cargo install -q --locked cargo-fuzz --version '^0.13' || { echo "fuzz: cargo install cargo-fuzz failed" >&2; exit 1; }
fi
say "ok: $(cargo fuzz --version) with $(rustc --version)"

sanitizer=address
if ! ls "$(rustc --print sysroot)"/lib/rustlib/*/lib/librustc-*_rt.asan.a >/dev/null 2>&1; then
  sanitizer=none
  say "this toolchain has no AddressSanitizer runtime: fuzzing without it (-s none)"
fi

cd fuzz
say "building the targets ($sanitizer sanitizer, debug assertions on)"
cargo fuzz build -s "$sanitizer" >build.log 2>&1 || { cat build.log; echo "fuzz: build failed" >&2; exit 1; }
rm -f build.log

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run_one() {
  local t=$1 dict=()
  case "$t" in
    settings_json | stored_record) dict=(-dict=dict/json.dict) ;;
    regex) dict=(-dict=dict/regex.dict) ;;
  esac
  mkdir -p "corpus/$t" "artifacts/$t"
  # A short run starts from the committed seeds only (replaying a corpus
  # grown by long runs would take longer than the run); a long one grows it.
  local corpus="corpus/$t"
  if [ "$secs" -lt 60 ]; then
    corpus="$logs/corpus-$t"
    mkdir -p "$corpus"
    cp corpus/"$t"/seed-* "$corpus"/
  fi
  # -timeout: one input running 10 s counts as a hang (a crash).
  cargo fuzz run -s "$sanitizer" "$t" "$corpus" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" "${dict[@]}" \
    >"$logs/$t.log" 2>&1
}

failed=()
declare -A name_of=()
wait_one() {
  local pid
  if wait -n -p pid; then :; else failed+=("${name_of[$pid]}"); fi
  unset "name_of[$pid]"
}
for t in $targets; do
  say "running $t for ${secs}s"
  run_one "$t" &
  name_of[$!]=$t
  if [ "${#name_of[@]}" -ge "$jobs" ]; then wait_one; fi
done
while [ "${#name_of[@]}" -gt 0 ]; do wait_one; done

total=0
printf '\n%-30s %14s %8s %10s\n' target executions seconds exec/s
for t in $targets; do
  log="$logs/$t.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  runs=${runs:-0}
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  took=${took:-?}
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  printf '%-30s %14s %8s %10s\n' "$t" "$runs" "$took" "${rate:-?}"
  total=$((total + runs))
done
printf '%-30s %14s\n' total "$total"

if [ "${#failed[@]}" -gt 0 ]; then
  for t in "${failed[@]}"; do
    printf '\n\033[31mfuzz: %s failed\033[0m\n' "$t"
    grep -E -A12 "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|SUMMARY" "$logs/$t.log" | head -40 || tail -40 "$logs/$t.log"
    ls -1 "artifacts/$t"/* 2>/dev/null | sed 's/^/  input: fuzz\//' || true
    echo "  reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $t <input>"
  done
  exit 1
fi
say "no crash, hang or invariant violation in $total executions"
