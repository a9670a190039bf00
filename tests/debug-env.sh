#!/bin/sh
# SAMRENA_DEBUG switches the debug mode on in every arena of a program that
# was not rebuilt: a write past a push is reported on stderr with the
# arena's name, the allocation's number and size; memory given back by a
# reset reads 0xDD; a clean program reports nothing; and without the
# variable (or with it empty or 0) nothing changes.  Natively, the whole
# Check suite then runs in the debug mode and must pass without a report.
probe="${top_builddir:-.}/tests/debug_probe${EXEEXT:-}"
run() { $SAMRENA_TEST_RUNNER "$probe" "$@"; }
status=0
fail() { echo "FAIL: $*"; status=1; }
report='samrena: debug: arena "probe": written past the end of allocation #2 (10 bytes'
# Under AddressSanitizer an overrun is the sanitizer's to report, as it is
# made (tests/poison.sh): only the checks that make none run here.
overruns=yes
[ "$(run poisons | tr -d '\r')" = yes ] && overruns=no

for strategy in chained virtual; do
  for value in unset '' 0; do
    if [ "$value" = unset ]; then
      mode=$(env -u SAMRENA_DEBUG $SAMRENA_TEST_RUNNER "$probe" mode "$strategy" | tr -d '\r')
      err=$(env -u SAMRENA_DEBUG $SAMRENA_TEST_RUNNER "$probe" overrun "$strategy" 2>&1 >/dev/null)
    else
      mode=$(SAMRENA_DEBUG=$value run mode "$strategy" | tr -d '\r')
      err=$(SAMRENA_DEBUG=$value run overrun "$strategy" 2>&1 >/dev/null)
    fi
    [ "$mode" = off ] || fail "$strategy, SAMRENA_DEBUG $value: the mode is $mode"
    [ $overruns = no ] || [ -z "$err" ] || fail "$strategy, SAMRENA_DEBUG $value: reported: $err"
  done

  SAMRENA_DEBUG=1; export SAMRENA_DEBUG
  mode=$(run mode "$strategy" | tr -d '\r')
  [ "$mode" = on ] || fail "$strategy: SAMRENA_DEBUG=1 left the mode $mode"
  if [ $overruns = yes ]; then
    err=$(run overrun "$strategy" 2>&1 >/dev/null) || fail "$strategy: overrun probe failed"
    case $err in
      *"$report"*) ;;
      *) fail "$strategy: the overrun was not reported as expected: $err" ;;
    esac
    [ "$(printf '%s\n' "$err" | grep -c 'samrena: debug')" -eq 1 ] ||
      fail "$strategy: more than the one overrun reported: $err"
    err=$(run scratch "$strategy" 2>&1 >/dev/null)
    case $err in
      *'samrena: debug: arena "scratch": written past the end of allocation #1 (8 bytes'*) ;;
      *) fail "$strategy: the scratch overrun was not reported: $err" ;;
    esac
  fi
  err=$(run clean "$strategy" 2>&1) || fail "$strategy: clean probe failed"
  [ -z "$err" ] || fail "$strategy: a clean program was reported: $err"
  run pattern "$strategy"
  case $? in
    0|77) ;;
    *) fail "$strategy: memory given back by reset does not read 0xDD" ;;
  esac
  unset SAMRENA_DEBUG
done

# The suite again, in the debug mode: natively, and not where the library
# poisons for a sanitizer (the guards are then the sanitizer's to check,
# and the sanitizer build's own run of the suite is the long part of CI).
suite="${top_builddir:-.}/tests/check_samrena${EXEEXT:-}"
if [ $overruns = no ]; then
  echo "the Check suite in the debug mode: not under a sanitizer's poisoning"
elif [ -z "$SAMRENA_TEST_RUNNER" ] && [ -f "$suite" ]; then
  log=debug-env-suite.log
  if ! SAMRENA_DEBUG=1 CK_VERBOSITY=normal "$suite" > "$log" 2>&1; then
    fail "the Check suite fails under SAMRENA_DEBUG=1:"; grep -E ':[FE]:' "$log" | head -20
  fi
  if grep 'samrena: debug' "$log"; then
    fail "the Check suite made the reports above under SAMRENA_DEBUG=1"
  fi
  tail -n 1 "$log"
  rm -f "$log"
else
  echo "the Check suite in the debug mode: only natively, with Check"
fi
[ $status -eq 0 ] && echo "debug-env: overruns reported, patterns written, clean runs silent"
exit $status
