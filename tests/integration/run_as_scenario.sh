# `faultline run --dry-run --as-scenario OUT`: for every bundled scenario, the written
# scenario (only 'at' lines) dry-runs to the same firings as the original: times,
# kinds, targets, arguments, reverts; only the "(flap k/n)" notes go. No lab is built.
. "$FL_TOP/tests/integration/lib.sh"
n=0
for f in "$FL_TOP"/scenarios/*/*.scn "$FL_TOP"/tests/data/scn/good-*.scn; do
	out="$FL_WORK/$(basename "$f")"
	want=$(faultline run --dry-run --as-scenario "$out" "$f") || fail "$f: --as-scenario failed"
	got=$(faultline run --dry-run "$out") || fail "$f: the written scenario does not load"
	grep -v '^[[:space:]]*#' "$out" | grep -Eq '^[[:space:]]*(every|random) |any\(|flap ' && fail "$f: written with every/random/any/flap left"
	[ "$(tail -n +2 <<<"$want" | sed 's| (flap [0-9]*/[0-9]*)||')" = "$(tail -n +2 <<<"$got")" ] ||
		fail "$f: the written scenario fires differently: $(diff <(tail -n +2 <<<"$want") <(tail -n +2 <<<"$got") | head -4)"
	[ "$(faultline run --dry-run --as-scenario - "$f")" = "$(cat "$out")" ] || fail "$f: '-' writes something else"
	n=$((n + 1))
done
rc=0; faultline run --as-scenario "$FL_WORK/x.scn" "$f" 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "--as-scenario without --dry-run: exit $rc, wanted 2"
echo "ok: $n scenarios written as plain 'at' schedules fire the same"
