#!/bin/sh
# Poisoning works under the tool the build has: a read after reset, after
# restore, after pool free, past the end of a push, and of the debug mode's
# guard after one is reported; valid use, in the debug mode too, is not.  AddressSanitizer builds check it directly; builds configured
# --with-valgrind check it under memcheck.  Other builds skip (77).
probe="${top_builddir:-.}/tests/poison_probe${EXEEXT:-}"
tool=$($SAMRENA_TEST_RUNNER "$probe" tool | tr -d '\r')
case $tool in
  asan) run() { "$probe" "$@"; }; report='use-after-poison' ;;
  valgrind)
    command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind not installed"; exit 77; }
    # The probe may be libtool's wrapper script: run the real program.
    run() { "${top_builddir:-.}/libtool" --mode=execute valgrind -q --error-exitcode=3 \
              "$probe" "$@"; }; report='Invalid read' ;;
  *) echo "SKIP: built without AddressSanitizer or --with-valgrind: nothing poisons"; exit 77 ;;
esac
status=0
checked=0
for strategy in chained virtual; do
  if ! out=$(run valid "$strategy" 2>&1); then
    echo "FAIL: valid use on $strategy was reported:"; echo "$out"; status=1
  fi
  for scenario in reset restore pool unpushed guard; do
    if out=$(run "$scenario" "$strategy" 2>&1); then
      echo "FAIL: $scenario on $strategy was not reported"; status=1
    elif ! printf '%s\n' "$out" | grep -q "$report"; then
      echo "FAIL: $scenario on $strategy failed without the $tool report:"; echo "$out"; status=1
    fi
    checked=$((checked + 1))
  done
done
[ $status -eq 0 ] && echo "poison ($tool): $checked misuses reported, valid use clean"
exit $status
