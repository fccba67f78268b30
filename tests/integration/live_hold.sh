#!/usr/bin/env bash
# A look inside a live lab: `faultline run --hold` keeps the lab after its 1 s timeline;
# `faultline ps` lists it, `exec` runs commands in a node (its address shows, its exit
# status comes back), `shell` (driven by tmux) runs a command whose output shows,
# `inject` fires a blackhole by hand that the load client's requests feel and that
# events.jsonl records with "by":"hand"; SIGINT ends the hold with a judged run and a
# clean teardown. Then a kill -9 of a held run leaves no process, cgroup or socket
# listener behind (the runner compares the host's network state before and after).
. "$FL_TOP/tests/integration/lib.sh"
command -v tmux >/dev/null || skip "no tmux (scripts/install-deps installs it)"
command -v jq >/dev/null || skip "no jq"
tag=$(printf %s "${FL_TEST_TAG:-$$}" | tr -c 'a-zA-Z0-9_-' -)
name=live-hold-$tag
tsock=fltest-live-$tag
f=$(scn live_hold <<EOF
scenario $name
duration 1s
network lan 198.18.9.0/24
node web1 on lan
node client on lan
service web1 web
service client load http://198.18.9.1/ rate 50/s timeout 200ms
EOF
)
cleanup() {
	tmux -L "$tsock" kill-server 2>/dev/null
	[ -z "${pid:-}" ] || kill -9 "$pid" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

# hold RUNS: start a held run in the background (pid in $pid, stdout in RUNS.out) and
# wait until it says it is ready; its run directory in $dir.
hold() {
	faultline run --hold --run-dir "$1" "$f" >"$1.out" 2>"$1.err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q '^ready:' "$1.out" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^ready:' "$1.out" || fail "no 'ready' from run --hold: $(cat "$1.err")"
	dir=$(cd "$1/latest" && pwd -P)
	grep -q "faultline shell $1/.* web1" "$1.out" || fail "no 'faultline shell' hint: $(cat "$1.out")"
}

hold "$FL_WORK/runs"
out=$(faultline ps) || fail "ps exited $?"
echo "$out" | grep -q "^$name  pid $pid  held  $dir\$" || fail "ps does not list the run: $out"
echo "$out" | grep -A2 "  $dir\$" | grep -q "client .*netns .*198.18.9.2/24 lan" ||
	fail "ps does not list client's address: $out"
[ "$(stat -c %a "$dir/control.sock")" = 600 ] || fail "control.sock is not 0600"

# exec, by scenario name and by directory
out=$(faultline exec "$name" client -- ip -o -4 addr show lan) || fail "exec exited $?"
echo "$out" | grep -q "inet 198.18.9.2/24" || fail "exec: no client address in: $out"
faultline exec "$dir" web1 -- sh -c 'exit 7'
[ $? = 7 ] || fail "exec did not pass the exit status 7 through"
faultline exec "$name" nosuch -- true 2>"$FL_WORK/err" && fail "exec into no node worked"
grep -q "no node 'nosuch' (nodes: web1, client)" "$FL_WORK/err" || fail "exec: $(cat "$FL_WORK/err")"

# shell, in a terminal of its own
tmux -L "$tsock" new-session -d -s live -x 160 -y 40 "SHELL=/bin/sh faultline shell $name web1" ||
	fail "tmux could not start"
sleep 0.3
tmux -L "$tsock" send-keys -t live "ip -o -4 addr show lan; echo done-\$FL_NODE" Enter
for _ in $(seq 60); do
	screen=$(tmux -L "$tsock" capture-pane -p -t live)
	echo "$screen" | grep -q "^done-web1" && break
	sleep 0.05
done
echo "$screen" | grep -q "inet 198.18.9.1/24" || fail "shell: no web1 address on screen: $screen"
echo "$screen" | grep -q "^done-web1" || fail "shell: the command did not finish: $screen"
tmux -L "$tsock" kill-server

# inject: refused with the scenario language's error, then a blackhole by hand
faultline inject "$name" "blackhole web9.lan for 2s" 2>"$FL_WORK/err" && fail "a bad fault was taken"
grep -q "inject:1:11: unknown node 'web9'" "$FL_WORK/err" || fail "inject: $(cat "$FL_WORK/err")"
sleep 0.5 # some requests of the held lab before the fault
out=$(faultline inject "$name" "blackhole web1.lan for 2s") || fail "inject exited $?"
echo "inject: $out"
echo "$out" | grep -q "blackhole web1.lan applied, reverted in 2.000 s" || fail "inject said: $out"
sleep 2.8 # the fault, and requests after it
ev=$dir/events.jsonl
a=$(jq -r 'select(.ev=="apply" and .by=="hand") | .t_ns' "$ev")
r=$(jq -r 'select(.ev=="revert" and .by=="hand") | .t_ns' "$ev")
[ -n "$a" ] && [ -n "$r" ] || fail "no apply/revert by hand in events.jsonl"
# requests scheduled inside the window fail; before it and after it (plus a timeout) they pass
read -r in_ok in_bad before after < <(awk -F, -v a="$a" -v r="$r" 'NR > 1 {
	if ($1 >= a && $1 + 200e6 < r) { if ($4 == "ok") iok++; else ibad++ }
	else if ($1 < a && $4 == "ok") b++
	else if ($1 > r + 200e6 && $4 == "ok") z++
} END { print iok + 0, ibad + 0, b + 0, z + 0 }' "$dir/requests.csv")
echo "during the blackhole: $in_ok ok, $in_bad failed; ok before: $before, after: $after"
[ "$in_ok" = 0 ] && [ "$in_bad" -ge 50 ] || fail "the blackhole did not stop the requests"
[ "$before" -ge 20 ] && [ "$after" -ge 10 ] || fail "requests did not pass outside the fault"

# SIGINT ends the hold: judged, torn down, exit status of the expectations (none: 0)
kids=$(pgrep -P "$pid")
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ $rc = 0 ] || fail "held run ended by SIGINT exited $rc: $(cat "$FL_WORK/runs.err")"
grep -q "by hand: #1 blackhole web1.lan at .* (after the timeline: not judged)" "$FL_WORK/runs.out" ||
	fail "the report does not show the fault by hand: $(cat "$FL_WORK/runs.out")"
grep -q '"ev":"hold-end","signal":"INT"' "$ev" || fail "no hold-end in events.jsonl"
[ ! -e "$dir/control.sock" ] || fail "control.sock left after teardown"
for k in $kids; do kill -0 "$k" 2>/dev/null && fail "process $k of the run survived"; done
faultline ps | grep -q "$dir" && fail "ps still lists the ended run"

# kill -9 of a held run: nothing of it survives
hold "$FL_WORK/runs9"
kids=$(pgrep -P "$pid")
[ -n "$kids" ] || fail "held run has no child processes"
faultline exec "$name" client -- true || fail "exec into the second run exited $?"
kill -9 "$pid"
wait "$pid" 2>/dev/null
dead=$pid
pid=
for _ in $(seq 100); do
	left=
	for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
	[ -z "$left" ] && break
	sleep 0.05
done
[ -z "$left" ] || fail "processes of the killed run survived:$left"
ls -d /sys/fs/cgroup/freezer/faultline/"$dead"-* 2>/dev/null && fail "cgroup of the killed run left"
faultline ps | grep -q "$FL_WORK/runs9" && fail "ps lists the killed run"
faultline exec "$FL_WORK/runs9/latest" client -- true 2>/dev/null && fail "exec into a killed run worked"
echo ok
