#!/usr/bin/env bash
# Between two relayed faults on one port the relay is out of the path and must see
# nothing: 450 pings at 10 ms from a to b run through `duplicate a.lan 0%` at 1 s, the
# 2 s gap, and a second one at 4 s. A relay whose sockets still queued the gap's frames
# (bind() to protocol 0 keeps the old protocol) read them when the second fault began
# and sent them on, seconds late (here they mostly die on the still disabled bridge
# port, with more of them some get through as duplicates): its counters then showed
# the gap's 200 requests on top of the 100 of its own second. Wanted: every ping back,
# and the second fault's relay counters no more than the frames of its own second.
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
source "$FL_TOP/tests/integration/lib.sh"
cat >"$FL_WORK/relay_rebind.scn" <<'EOF'
scenario relay_rebind
duration 7s
network lan 198.18.5.0/24
node a on lan
node b on lan
service a exec "busybox ping -c1 -W1 198.18.5.2 >/dev/null; busybox usleep 1300000; busybox ping -i 0.01 -c 450 -W 1 198.18.5.2 | tail -3"
at 1s duplicate a.lan 0% for 1s
at 4s duplicate a.lan 0% for 1s
EOF
faultline run -q --run-dir "$FL_WORK/runs" "$FL_WORK/relay_rebind.scn" || fail "run exited $?"
d="$FL_WORK/runs/latest"
cat "$d/a.exec.out"
grep -q '"ev":"apply".*"fault":"duplicate".*"path":"relay"' "$d/events.jsonl" ||
	skip "duplicate does not go through fl-relay on this kernel"
rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$d/a.exec.out")
[ -n "$rx" ] || fail "no ping summary"
[ "$rx" -ge 445 ] || fail "only $rx of 450 pings came back"
out=$(grep '"ev":"revert","id":2,' "$d/events.jsonl" | sed -n 's/.*"out":{"frames":\([0-9]*\).*/\1/p')
echo "second fault: the relay read $out frames from a (about 100 pings in its second)"
[ -n "$out" ] && [ "$out" -le 150 ] || fail "the relay read ${out:-?} frames from a in 1 s of 100 pings"
echo pass
