#!/usr/bin/env bash
# Several scenarios in one `faultline run`: each in its own lab, one after another, a
# final table across them, the exit status of the worst, one JSON array, one JUnit file
# with a testsuite each, one SVG each. Then the live progress line: drawn on a terminal
# (tmux), absent when stdout is a file.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v xmllint >/dev/null || skip "xmllint not installed"
lab() { # NAME DURATION TIMELINE...: a web server and a client, nothing else
	local name=$1 dur=$2
	shift 2
	scn "$name" <<SCN
scenario $name
duration $dur
network net 198.18.0.0/24
node web on net=198.18.0.10
node client on net
service web web
service client load http://198.18.0.10/ rate 50/s timeout 300ms
$(printf '%s\n' "$@")
expect success >= 99%
SCN
}
good=$(lab steady 3s)
bad=$(lab cut 3s 'param down "100ms"' 'at 1s link down web.net for ${down}')
rc=0
# --set reaches the files that declare the param (only cut does)
faultline run --run-dir runs --set down=1s --json all.json --junit all.xml --svg t.svg "$good" "$bad" \
	>out.txt 2>&1 || rc=$?
cat out.txt
[ "$rc" = 1 ] || fail "exit $rc, wanted 1 (the worst of 0 and 1)"
grep -q '^steady  *1  *1  *0  *PASS$' out.txt || fail "final table: steady"
grep -q '^cut  *1  *0  *1  *FAIL$' out.txt || fail "final table: cut"
grep -q '^2 scenarios, 1 passed, 1 failed$' out.txt || fail "final table: totals"
jq -e 'type == "array" and length == 2 and .[0].scenario == "steady" and .[0].passed and
       .[1].scenario == "cut" and (.[1].passed | not) and .[0].run_dir != .[1].run_dir and
       .[0].params == {} and .[1].params.down == "1s" and
       .[1].faults[0].reverted_ms - .[1].faults[0].applied_ms > 900' \
	all.json >/dev/null || fail "JSON array"
xmllint --noout --schema "$FL_TOP/tests/data/junit/junit.xsd" all.xml || fail "JUnit invalid"
[ "$(grep -c '<testsuite ' all.xml)" = 2 ] || fail "JUnit: not one testsuite per scenario"
for f in t-steady.svg t-cut.svg; do xmllint --noout "$f" || fail "$f"; done
[ ! -e t.svg ] || fail "t.svg written with several scenarios"
! grep -q $'\r' out.txt || fail "progress line written to a file"

# A bad file among good ones: nothing runs (every file is checked first), exit 2;
# the same for a --set that no file declares.
echo "scenario broken" >broken.scn
rc=0
faultline run --run-dir runs "$good" broken.scn >bad.txt 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "bad input: exit $rc, wanted 2"
rc=0
faultline run --run-dir runs --set nope=1 "$good" "$bad" >bad.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "no scenario declares param 'nope'" bad.txt || fail "--set nope: exit $rc"

command -v tmux >/dev/null || skip "tmux not installed (the rest passed)"
long=$(lab progress 6s "at 2s link down web.net for 2s")
sock=$FL_WORK/tmux.sock
tmux -S "$sock" new -d -x 150 -y 20 "faultline run --run-dir runs '$long'; sleep 30"
trap 'tmux -S "$sock" kill-server 2>/dev/null' EXIT
# Poll the terminal: the line must show the fault (2..4 s) at some point, then go.
seen=
for _ in $(seq 40); do
	sleep 0.25
	live=$(tmux -S "$sock" capture-pane -p)
	if echo "$live" | grep -Eq '^progress \[ *[0-9.]+s/6\.0s\] faults 1  requests [0-9]+ ok [0-9]+ failed'; then
		seen=$live
		break
	fi
done
[ -n "$seen" ] || fail "no progress line with the fault on the terminal: $live"
echo "on the terminal: $seen"
for _ in $(seq 40); do
	sleep 0.25
	end=$(tmux -S "$sock" capture-pane -p)
	echo "$end" | grep -q '^progress: ran' && break
done
echo "$end" | grep -q '^progress: ran 6.0 s' || fail "no summary line on the terminal: $end"
echo "$end" | grep -q 'faults [01]  requests' && fail "progress line left on the terminal: $end"
echo "run_several: ok"
