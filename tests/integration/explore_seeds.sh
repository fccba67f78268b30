#!/usr/bin/env bash
# faultline explore over 6 seeds of a small scenario with a `random` fault, 3 labs at a
# time, and at the same moment a separate `faultline run --seed S` of each seed: every
# seed's verdict in explore's table and JSON is the one its own run gave, and some
# seeds pass while others fail (the schedule decides). Also: --until-fail at --jobs 1
# stops at the first failing seed; bad --seeds is exit 2.
# runner: weight 2
#   several labs at once (or heartbeats every 100 ms that a starved CPU turns into
#   split-brain)
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
f=$(scn explore_rnd <<'SCN'
scenario rnd
seed 1
duration 3s
network net 198.18.0.0/24
node web on net=198.18.0.10
node client on net
service web web
service client load http://198.18.0.10/ rate 50/s timeout 300ms
random 1800/h from 500ms until 2500ms link down web.net for 400ms
expect success >= 99%
SCN
)
cd "$FL_WORK"
pids= first=
for s in 1 2 3 4 5 6; do
	faultline run -q --run-dir "runs-$s" --seed $s "$f" >/dev/null 2>"run-$s.err" &
	pids="$pids $!"
done
rc=0
faultline explore "$f" --seeds 1-6 --jobs 3 --run-dir runs-x --json x.json >x.txt 2>&1 || rc=$?
cat x.txt
want_rc=0
for s in 1 2 3 4 5 6; do
	set -- $pids
	r=0
	wait "$1" || r=$?
	pids=${pids#* $1}
	[ "$r" = 0 ] || [ "$r" = 1 ] || fail "faultline run --seed $s exited $r: $(cat run-$s.err)"
	[ "$r" = 0 ] && want=pass || { want=FAIL; want_rc=1; first=${first:-$s}; }
	grep -Eq "^  $s +$want( |\$)" x.txt || fail "seed $s: explore says otherwise than its run ($want)"
	jq -e --argjson s $s --argjson p "$([ $want = pass ] && echo true || echo false)" \
		'.runs[] | select(.seed == $s) | .passed == $p and .exit == (if $p then 0 else 1 end)' \
		x.json >/dev/null || fail "seed $s: JSON verdict differs from its run ($want)"
	echo "seed $s: $want in both"
done
[ "$rc" = "$want_rc" ] || fail "explore exited $rc, wanted $want_rc"
jq -e '.ran == 6 and (.runs | length) == 6 and ([.runs[].run_dir] | unique | length) == 6 and
       .metrics.success.seeds == 6 and .metrics.success.min <= .metrics.success.median and
       .metrics.success.median <= .metrics.success.p95 and .metrics.success.p95 <= .metrics.success.max' \
	x.json >/dev/null || fail "JSON: runs or statistics"
grep -Eq '^  success +6  ' x.txt || fail "no statistics line for success"
n_fail=$(jq '.failed' x.json)
[ "$n_fail" -gt 0 ] && [ "$n_fail" -lt 6 ] || fail "wanted some seeds to pass and some to fail, $n_fail of 6 failed"

# --until-fail, one at a time: seeds up to the first that failed alone, none after
rc=0
faultline explore -q "$f" --seeds "$first-6" --jobs 1 --until-fail --run-dir runs-u \
	--json u.json >u.txt 2>&1 || rc=$?
cat u.txt
[ "$rc" = 1 ] && jq -e --argjson s "$first" '.ran == 1 and .runs[0].seed == $s and
	(.runs[0].passed | not)' u.json >/dev/null || fail "--until-fail: exit $rc, or ran on"

rc=0
faultline explore "$f" --seeds 1-9x >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--seeds 1-9x: exit $rc, wanted 2"
echo "explore_seeds: ok"
