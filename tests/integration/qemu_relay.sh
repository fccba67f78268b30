#!/usr/bin/env bash
# fl-relay serves a guest's tap as it serves a veth: a delay on what the guest sends
# (1-2 s), then on what it receives (2.5-3.5 s), shows in a netns node's pings of it;
# and from 4 s a `bandwidth g1.lan 4mbit out` (fl-relay's pacing: the guest's own
# interface is inside it) holds a TCP upload from the guest to 4 Mbit/s on the wire,
# +-10%.
# runner: weight 2
#   a TCG guest keeps a CPU busy while it boots; a rate through it held to +-10%
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v busybox >/dev/null || skip "busybox not installed"
need_guest_image

PY=$(command -v python3) || skip "python3 not installed"
# A TCP sink: the payload's bytes per 100 ms, printed at the end as "t bytes" lines.
cat >"$FL_WORK/sink.py" <<'P'
import socket, time
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 9000))
l.listen(1)
c, _ = l.accept()
t0, got = time.monotonic(), []
while True:
    d = c.recv(65536)
    if not d:
        break
    got.append((time.monotonic() - t0, len(d)))
for t, n in got:
    print("%.3f %d" % (t, n))
P
f=$(scn guest-relay <<S
scenario guest-relay
duration 8s
network lan 198.18.0.0/24
node g1 qemu on lan
node h1 on lan
service h1 exec "busybox ping -c 80 -i 0.05 -W 2 198.18.0.1"
service h1 exec "$PY $FL_WORK/sink.py" name sink
service g1 exec "sh -c 'sleep 4.2; dd if=/dev/zero bs=1k count=1200 2>/dev/null | nc 198.18.0.2 9000'" name up
at 1s delay g1.lan 30ms for 1s
at 2.5s delay g1.lan 20ms in for 1s
at 4s bandwidth g1.lan 4mbit out
S
)
check "faultline run" faultline run --run-dir "$FL_WORK/runs-relay" "$f"
run="$FL_WORK/runs-relay/latest"
grep -q '"ev":"guest-ready"' "$run/events.jsonl" || fail "no guest-ready event"
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
grep -q '"ev":"apply".*"fault":"bandwidth".*"path":"relay"' "$run/events.jsonl" || fail "no relayed bandwidth apply"
# the wire rate over the transfer's middle (after the first 0.5 s, TCP's start), with
# 1448 bytes of payload per 1514-byte frame
rate=$(awk '{t[NR] = $1; n[NR] = $2} END {
	if (NR < 10) { print -1; exit }
	a = t[1] + 0.5; b = t[NR] - 0.2; s = 0
	for (i = 1; i <= NR; i++) if (t[i] > a && t[i] <= b) s += n[i]
	print (b > a) ? s * 8 / (b - a) * 1514 / 1448 / 1e6 : -1 }' "$run/h1.sink.out")
echo "guest upload through bandwidth 4mbit out: $rate Mbit/s on the wire"
awk -v r="$rate" 'BEGIN {exit !(r >= 3.6 && r <= 4.4)}' || fail "upload at $rate Mbit/s, wanted 4 +-10%"
echo ok
