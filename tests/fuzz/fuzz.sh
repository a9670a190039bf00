#!/bin/sh
# fuzz.sh TARGET SECONDS FLAGS CORPUS [SEEDS...] -- runs one libFuzzer
# target of `make fuzz` for SECONDS, new inputs going to CORPUS, and fails
# on a finding, which libFuzzer leaves in tests/fuzz/run/findings/.
target=$1 seconds=$2 flags=$3 corpus=$4
shift 4
log=$target.log
echo "fuzz: $seconds s of $target (log: $log)"
status=0
# shellcheck disable=SC2086 # FLAGS is a list of options
"./$target" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix=tests/fuzz/run/findings/ $flags "$corpus" "$@" > "$log" 2>&1 || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$status" -ne 0 ]; then
  grep -E 'check failed|ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 20
  echo "fuzz: FINDING after ${runs:-?} executions (exit status $status); the input is in"
  echo "fuzz: tests/fuzz/run/findings/.  SAMRENA_FUZZ_TRACE=1 $target FILE"
  echo "fuzz: replays it and lists the operations; then add it to the target's regressions."
  exit 1
fi
echo "fuzz: $runs executions in $seconds s, no finding"
