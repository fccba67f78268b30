#!/usr/bin/env bash
# delay on every frame, each direction, proven by UDP round trips from a to b
# (198.18.5.1 -> .2, b echoes; one every 20 ms):
#   1.0-2.0 s  delay a.lan 20ms          (out, the default)  round trip ~20 ms
#   2.5-3.5 s  delay a.lan 40ms in                            ~40 ms
#   4.0-5.0 s  delay a.lan 15ms both                          ~30 ms (15 each way)
# and under 3 ms between the windows and after them (reverted). Where the kernel has
# sch_netem the first one goes through netem, the others through fl-relay; here all
# through fl-relay. `faultline check` says which, and the events name the path.
# runner: weight 2
#   its windows are on the run's clock, but a sender started late (python under load)
#   misses the first: half the slots, so fewer neighbours
source "$FL_TOP/tests/integration/lib.sh"
py=$(command -v python3) || skip "python3 not installed"
cat >"$FL_WORK/delay_peer.py" <<'PY'
import select, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "echo":
    s.bind(("0.0.0.0", 9000))
    while True:
        d, a = s.recvfrom(2048)
        s.sendto(d, a)
s.setblocking(False)
i = 0
while True: # until the run's end stops it: each line is flushed
    t = time.monotonic()
    s.sendto(struct.pack("!d", t), (sys.argv[2], 9000))
    while time.monotonic() < t + 0.02:
        r, _, _ = select.select([s], [], [], max(0, t + 0.02 - time.monotonic()))
        if r:
            ts = struct.unpack("!d", s.recv(64))[0]
            print("%.6f %.3f" % (ts, (time.monotonic() - ts) * 1000), flush=True)
PY
f=$(scn delay <<EOF
scenario fault_delay
duration 7s
network lan 198.18.5.0/24
node a on lan
node b on lan
service b exec "$py $FL_WORK/delay_peer.py echo"
service a exec "$py $FL_WORK/delay_peer.py send 198.18.5.2"
at 1s delay a.lan 20ms for 1s
at 2.5s delay a.lan 40ms in for 1s
at 4s delay a.lan 15ms both for 1s
EOF
)
faultline check "$f" >"$FL_WORK/check.out" || fail "check exited $?"
cat "$FL_WORK/check.out"
if unshare -n tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then first=netem; else first=relay; fi
grep -q "delay.scn:8:7: delay via $first" "$FL_WORK/check.out" || fail "check: the first delay is not said to go via $first"
grep -q "delay.scn:9:9: delay via relay" "$FL_WORK/check.out" || fail "check: 'delay ... in' not via relay"
faultline run -q --run-dir "$FL_WORK/runs" "$f" || fail "run exited $?"
d="$FL_WORK/runs/latest"
n=$(grep -c '"ev":"apply".*"fault":"delay".*"path":"relay"' "$d/events.jsonl")
[ "$first" = relay ] && want=3 || want=2
[ "$n" = "$want" ] || fail "$n applies name the path relay, wanted $want"
grep -q '"ev":"apply".*"delay_ms":40.*"dir":"in"' "$d/events.jsonl" || fail "no apply event with dir in"
# the median round trip in each window, 0.2 s inside its edges, on the run's clock: the
# sender stamps on CLOCK_MONOTONIC, as events.jsonl does, so its times are taken from the
# timeline's zero (the run's t0 event), however late a loaded machine started it
t0=$(sed -n 's/^{"t_ns":\([0-9]*\),"src":"run","ev":"t0".*/\1/p' "$d/events.jsonl")
[ -n "$t0" ] || fail "no t0 in events.jsonl"
awk -v out="$FL_WORK/medians" -v t0="$t0" '
function med(w,   n, i, j, t, v) {
	n = cnt[w]; for (i = 1; i <= n; i++) v[i] = r[w, i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return n ? v[int((n + 1) / 2)] : -1
}
function win(t) {
	if (t > 0.4 && t < 0.8) return "before"
	if (t > 1.2 && t < 1.8) return "out"
	if (t > 2.7 && t < 3.3) return "in"
	if (t > 4.2 && t < 4.8) return "both"
	if (t > 5.3 && t < 6.3) return "after"
	return ""
}
{ w = win($1 - t0 / 1e9); if (w != "") r[w, ++cnt[w]] = $2 }
END { for (w in cnt) printf "%s %d %.3f\n", w, cnt[w], med(w) > out }' "$d/a.exec.out"
cat "$FL_WORK/medians"
chk() { # chk WINDOW LO HI
	local m
	m=$(awk -v w="$1" '$1 == w {print $3}' "$FL_WORK/medians")
	[ -n "$m" ] || fail "$1: no round trips"
	awk -v m="$m" -v lo="$2" -v hi="$3" 'BEGIN {exit !(m >= lo && m <= hi)}' ||
		fail "$1: median round trip $m ms, wanted $2..$3"
}
chk before 0 3
chk out 19 22
chk in 39 42
chk both 29 32
chk after 0 3
echo pass
