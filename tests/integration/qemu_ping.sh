#!/usr/bin/env bash
# A QEMU guest on a lab bridge next to a netns node: the guest boots to agent-ready,
# its interface is named after the network and carries its scenario address, and the
# netns node reaches it (busybox ping from the node's namespace). fl-relay serves the
# guest's tap as it serves a veth: a delay on what the guest sends (1-2 s), then on
# what it receives (2.5-3.5 s), shows in the ping's round trips.
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v busybox >/dev/null || skip "busybox not installed"
"$FL_TOP/vm-images/build" >"$FL_WORK/vm-image.log" 2>&1 ||
	skip "guest image cannot be built: $(tail -1 "$FL_WORK/vm-image.log")"

f=$(scn guest-ping <<'S'
scenario guest-ping
duration 5s
network lan 198.18.0.0/24
node g1 qemu on lan
node h1 on lan
service h1 exec "busybox ping -c 80 -i 0.05 -W 2 198.18.0.1"
at 1s delay g1.lan 30ms for 1s
at 2.5s delay g1.lan 20ms in for 1s
S
)
check "faultline run" faultline run --run-dir "$FL_WORK/runs-ping" "$f"
run="$FL_WORK/runs-ping/latest"
ready=$(grep '"ev":"guest-ready"' "$run/events.jsonl") || fail "no guest-ready event"
echo "$ready"
echo "$ready" | grep -q '"src":"g1"' || fail "guest-ready not from g1"
cat "$run/h1.exec.out"
grep -q ' packets received' "$run/h1.exec.out" || fail "netns node did not reach the guest"
# round trips by seq (one every 50 ms from about the timeline's start)
rtt() { # the median round trip of seq LO..HI (a guest under TCG on a busy machine
	# has the odd slow answer)
	awk -v lo="$1" -v hi="$2" -F'[ =]' '/seq=/ {
		for (i = 1; i <= NF; i++) { if ($i == "seq") s = $(i + 1); if ($i == "time") t = $(i + 1) }
		if (s >= lo && s <= hi) print t }' "$run/h1.exec.out" | sort -n |
		awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : -1}'
}
before=$(rtt 6 16) out=$(rtt 26 36) in=$(rtt 56 66)
echo "median round trip: before $before ms, delay out 30ms $out ms, delay in 20ms $in ms"
awk -v b="$before" -v o="$out" -v i="$in" 'BEGIN {exit !(b >= 0 && b < 10 && o >= 30 && o < 40 && i >= 20 && i < 30)}' ||
	fail "the relay's delay does not show on the guest's round trips"
grep -q '"ev":"apply".*"fault":"delay".*"path":"relay"' "$run/events.jsonl" || fail "no relayed delay apply"
grep -q 'fl-init: ready' "$run/g1.console" || fail "no fl-init line on the console"
echo "ok: guest reached in $(sed -n 's/.*"boot_ms":\([0-9]*\).*/\1/p' <<<"$ready") ms"
