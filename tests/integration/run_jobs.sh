#!/usr/bin/env bash
# faultline run --jobs 2: two scenarios side by side, each in a lab and a run directory
# of its own (their t0s less than a run's length apart), the final table, the exit
# status of the worst, one JSON array, one JUnit file and one SVG each, as without
# --jobs; `faultline matrix --jobs 2` alongside, its columns side by side. Then kill -9 of faultline run --jobs 2 mid-run: each child gets SIGTERM
# (PR_SET_PDEATHSIG) and tears its lab down: no service process, no cgroup left.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v xmllint >/dev/null || skip "xmllint not installed"
lab() { # NAME TIMELINE...
	local name=$1
	shift
	scn "$name" <<SCN
scenario $name
duration 3s
network net 198.18.0.0/24
node web on net=198.18.0.10
node client on net
service web web
service client load http://198.18.0.10/ rate 50/s timeout 300ms
$(printf '%s\n' "$@")
expect success >= 99%
SCN
}
good=$(lab steady)
bad=$(lab cut 'at 1s link down web.net for 1s')
mx=$(lab mx 'param down "100ms"' 'at 1s link down web.net for ${down}')
cd "$FL_WORK"
# the matrix, its columns side by side, at the same time as the run below
faultline matrix --jobs 2 --set down=100ms --set down=1s --run-dir runs-m --json m.json "$mx" \
	>m.txt 2>&1 &
mpid=$!
rc=0
faultline run --jobs 2 --run-dir runs --json all.json --junit all.xml --svg t.svg "$good" "$bad" \
	>out.txt 2>&1 || rc=$?
cat out.txt
[ "$rc" = 1 ] || fail "exit $rc, wanted 1 (the worst of 0 and 1)"
grep -q '^steady  *1  *1  *0  *PASS$' out.txt || fail "final table: steady"
grep -q '^cut  *1  *0  *1  *FAIL$' out.txt || fail "final table: cut"
grep -q '^2 scenarios, 1 passed, 1 failed$' out.txt || fail "final table: totals"
[ "$(grep -c '^scenario \(steady\|cut\) (seed 1)' out.txt)" = 2 ] || fail "each run's table"
jq -e 'type == "array" and length == 2 and .[0].scenario == "steady" and .[0].passed and
       .[1].scenario == "cut" and (.[1].passed | not) and .[0].run_dir != .[1].run_dir' \
	all.json >/dev/null || fail "JSON array"
xmllint --noout --schema "$FL_TOP/tests/data/junit/junit.xsd" all.xml || fail "JUnit invalid"
[ "$(grep -c '<testsuite ' all.xml)" = 2 ] || fail "JUnit: not one testsuite per scenario"
for f in t-steady.svg t-cut.svg; do xmllint --noout "$f" || fail "$f"; done
t0() { sed -n 's/.*"t_ns":\([0-9]*\).*"ev":"t0".*/\1/p' "$1/events.jsonl" | head -1; }
a=$(t0 "$(jq -r '.[0].run_dir' all.json)") b=$(t0 "$(jq -r '.[1].run_dir' all.json)")
[ -n "$a" ] && [ -n "$b" ] || fail "no t0 in a run directory"
d=$((a > b ? a - b : b - a))
[ "$d" -lt 2000000000 ] || fail "the runs' t0s are $d ns apart: not side by side"

mrc=0
wait $mpid || mrc=$?
cat m.txt
[ "$mrc" = 1 ] || fail "matrix --jobs 2: exit $mrc, wanted 1"
jq -e '(.columns | length) == 2 and .columns[0].result.params.down == "100ms" and
       .columns[1].result.params.down == "1s" and
       .columns[1].result.expectations[0].value < .columns[0].result.expectations[0].value' \
	m.json >/dev/null || fail "matrix JSON: columns out of order or not judged"
grep -Eq '^  outage +[0-9.]+ms +[0-9.]+m?s$' m.txt || fail "matrix table"

mark=$((8000 + $$ % 1000)) # lab_kill9.sh has 7000-7999, lab_signals.sh 6000-6999: both may run beside this one
k=$(scn jobs_kill <<SCN
scenario jobs-kill
duration 30s
network lan 198.18.0.0/24
node n1 on lan
node n2 on lan
service n1 exec "sleep $mark.1"
service n2 exec "sleep $mark.2"
SCN
)
faultline run -q --jobs 2 --run-dir runs-k "$k" "$k" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do
	[ "$(grep -l '"ev":"t0"' runs-k/jobs-kill-*/events.jsonl 2>/dev/null | wc -l)" = 2 ] && break
	sleep 0.05
done
[ "$(grep -l '"ev":"t0"' runs-k/jobs-kill-*/events.jsonl 2>/dev/null | wc -l)" = 2 ] || fail "no two runs at t0"
kids=$(pgrep -P $pid) || fail "no child runs"
[ "$(echo "$kids" | wc -l)" = 2 ] || fail "not one child per run: $kids"
kill -9 $pid
wait $pid 2>/dev/null
for _ in $(seq 1 100); do
	pgrep -f "sleep $mark" >/dev/null || break
	sleep 0.05
done
! pgrep -f "sleep $mark" >/dev/null || fail "a service still runs 5 s after kill -9"
for c in $kids; do
	for _ in $(seq 1 100); do kill -0 "$c" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$c" 2>/dev/null || fail "child run $c still there"
	! ls -d /sys/fs/cgroup/freezer/faultline/"$c"-* 2>/dev/null || fail "cgroup of $c left"
done
echo "run_jobs: ok"
