#!/usr/bin/env bash
# The relayed packet faults (fl-relay, no sch_netem needed), proven on real traffic
# between a (198.18.5.1) and b (.2) in one run: from 1 s to 6.5 s, on what a sends,
#   duplicate 5% match udp port 9001     corrupt 5% match udp port 9002
#   reorder 5% match udp port 9003       loss 5% burst 4 match udp port 9004
#   delay 20ms jitter 5ms match udp port 9005
# all at once on one port (composition). From 1.5 s a sends 4 s of sequence-numbered
# UDP: 2,500 datagrams/s to each of 9001-9004 (10,000 each) and 1,000/s to 9005,
# which b echoes; b counts per flow what arrived, duplicates, late arrivals (a lower
# number than one already seen), the loss runs, and its own checksum-error counters.
#  - duplicate: copies / sent within 4-6%, nothing missing
#  - corrupt: missing within 4-6%, and b's IP header and UDP errors (checksums, a
#    length made too long) equal the relay's count of flipped bits (within 2: a
#    frame lost on the way on a busy machine): every flip is caught, at the receiver
#  - reorder: late arrivals within 4-6%, nothing missing
#  - loss burst 4: missing within 3-7%, mean run of lost datagrams 2.8-5.2 (about
#    125 runs: each bound is some 3 standard deviations out)
#  - delay: the echo's round trip median, less a plain round trip's, within 1 ms of
#    20 ms (out only: the replies
#    are not delayed), p5..p95 spread 6-11 ms (jitter +-5 ms), some echoes late
#  - flows the selectors do not name are untouched (9001 loses nothing; 9005's echoes
#    are not duplicated)
#  - corrupt 20% in on a TCP stream b sends a (4 MiB from 1.5 s, offloaded segment
#    trains of up to 64 KiB): the trains chosen are cut into wire segments and one
#    bit of the first flipped; a's IP and TCP checksum errors equal the relay's
#    flips, and the stream arrives intact (TCP resends what was dropped)
#  - a filter composes with the relay: `blackhole a.lan out match udp port 9006` at the
#    same time drops all of 9006's 2,000 datagrams (500/s), though they reach the bridge
#    through the relay's veth, not a's port
#  - reverted: a round trip after the faults is back under 10 ms (20 without); the events name the
#    path "relay" and carry the relay's counters
# runner: exclusive
#   40,000 datagrams/s through fl-relay and a delay median held within 1 ms of 20 ms:
#   a neighbour's load moves both
source "$FL_TOP/tests/integration/lib.sh"
py=$(command -v python3) || skip "python3 not installed"
cat >"$FL_WORK/relay_peer.py" <<'PY'
import json, select, socket, struct, sys, time
def snmp():
    v = {}
    lines = open("/proc/net/snmp").read().split("\n")
    for h, d in zip(lines[0::2], lines[1::2]):
        if not h:
            continue
        k, names = h.split(":")
        for n, x in zip(names.split(), d.split(":")[1].split()):
            v[k + n] = int(x)
    return v
def sock(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", port))
    s.setblocking(False)
    return s
ports = [9001, 9002, 9003, 9004, 9005, 9006]
import hashlib, threading
BULK = 4 << 20
def bulk():  # seeded bytes, the same on both sides
    return hashlib.shake_256(b"fault_relay").digest(BULK)
if sys.argv[1] == "sink":
    before = snmp()
    def tcp_send():  # from 1.5 s, 4 MiB to a:9100 (a TCP stream through corrupt in)
        time.sleep(1.5)
        c = socket.create_connection(("198.18.5.1", 9100), timeout=5)
        c.sendall(bulk())
        c.close()
    threading.Thread(target=tcp_send, daemon=True).start()
    ss = {sock(p): p for p in ports}
    seen = {p: {} for p in ports}
    late = {p: 0 for p in ports}
    top = {p: -1 for p in ports}
    end = time.monotonic() + 7.5
    while time.monotonic() < end:
        r, _, _ = select.select(list(ss), [], [], 0.1)
        for s in r:
            p = ss[s]
            while True:
                try:
                    d, a = s.recvfrom(2048)
                except BlockingIOError:
                    break
                q = struct.unpack("!I", d[:4])[0]
                seen[p][q] = seen[p].get(q, 0) + 1
                if q < top[p]:
                    late[p] += 1
                top[p] = max(top[p], q)
                if p == 9005:
                    s.sendto(d, a)
    after = snmp()
    out = {"csum_errors": sum(after[k] - before[k] for k in
                              ("IpInHdrErrors", "UdpInErrors"))}
    for p in ports:
        got = seen[p]
        hi = max(got) if got else -1
        runs, run = [], 0
        for q in range(hi + 1):
            if q not in got:
                run += 1
            elif run:
                runs.append(run)
                run = 0
        out[str(p)] = {"unique": len(got), "dups": sum(got.values()) - len(got),
                       "late": late[p], "top": hi, "runs": runs}
    print(json.dumps(out))
    sys.exit(0)
peer = sys.argv[2]
tcp = {"bytes": 0, "intact": False}
def tcp_recv():
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", 9100))
    l.listen(1)
    c, _ = l.accept()
    got = bytearray()
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        got += d
    tcp["bytes"], tcp["intact"] = len(got), bytes(got) == bulk()
before = snmp()
threading.Thread(target=tcp_recv, daemon=True).start()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
s.setblocking(False)
start = time.monotonic()
time.sleep(1.5)
t0 = time.monotonic()
n = {p: 0 for p in ports}
rtt, echoed = [], {}
# An echo's round trip ends at the kernel's receive time (SO_TIMESTAMPNS, the realtime
# clock, as the stamp it carries): how late this loop gets round to reading it is the
# loop's own lag, not the relay's (2-3 ms of it at the median on a slower machine).
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux's value; Python lacks the name
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
def drain():
    while True:
        try:
            d, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(16))
        except BlockingIOError:
            return
        rx = time.time()
        for lvl, typ, data in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and len(data) >= 16:
                sec, nsec = struct.unpack("qq", data[:16])
                rx = sec + nsec / 1e9
        q, ts = struct.unpack("!Id", d[:12])
        echoed[q] = echoed.get(q, 0) + 1
        if echoed[q] == 1:
            rtt.append((rx - ts) * 1000)
pad = b"x" * 52
want = {9001: 10000, 9002: 10000, 9003: 10000, 9004: 10000, 9005: 4000, 9006: 2000}
while any(n[p] < want[p] for p in ports):
    el = time.monotonic() - t0
    for p in ports:
        while n[p] < min(want[p], el * want[p] / 4.0):
            s.sendto(struct.pack("!Id", n[p], time.time()) + pad, (peer, p))
            n[p] += 1
    drain()
    time.sleep(0.0005)
t_end = time.monotonic() + 0.3
while time.monotonic() < t_end:
    drain()
    time.sleep(0.001)
# after the faults (6.5 s): plain round trips
while time.monotonic() - start < 6.8:
    time.sleep(0.01)
after = []
for i in range(20):
    ts = time.monotonic()
    s.sendto(struct.pack("!Id", 1000000 + i, ts) + pad, (peer, 9005))
    r, _, _ = select.select([s], [], [], 0.2)
    if r:
        after.append((time.monotonic() - ts) * 1000)
        s.recvmsg(2048, socket.CMSG_SPACE(16))
    time.sleep(0.01)
rtt.sort()
pick = lambda f: rtt[min(len(rtt) - 1, int(f * len(rtt)))] if rtt else -1
snmp_end = snmp()
print(json.dumps({"tcp": tcp, "tcp_csum_errors": sum(snmp_end[k] - before[k] for k in
                  ("IpInHdrErrors", "TcpInErrs")),
                  "sent": n, "echoes": len(rtt), "echo_dups": sum(v - 1 for v in echoed.values()),
                  "p5": pick(0.05), "p50": pick(0.5), "p95": pick(0.95),
                  "after_max": max(after) if after else -1, "after_n": len(after),
                  "after_p50": sorted(after)[len(after) // 2] if after else -1}))
PY
f=$(scn relay <<EOF
scenario fault_relay
duration 9s
network lan 198.18.5.0/24
node a on lan
node b on lan
service b exec "$py $FL_WORK/relay_peer.py sink"
service a exec "$py $FL_WORK/relay_peer.py send 198.18.5.2"
at 1s duplicate a.lan 5% out match udp port 9001 for 5.5s
at 1s corrupt a.lan 5% out match udp port 9002 for 5.5s
at 1s reorder a.lan 5% out match udp port 9003 for 5.5s
at 1s loss a.lan 5% burst 4 out match udp port 9004 for 5.5s
at 1s delay a.lan 20ms jitter 5ms match udp port 9005 for 5.5s
at 1s blackhole a.lan out match udp port 9006 for 5.5s
at 1s corrupt a.lan 20% in match tcp port 9100 for 5.5s
EOF
)
faultline run --dry-run "$f" | grep -F 'loss a.lan 5% burst 4 out match udp port 9004' ||
	fail "dry-run does not show the bursty loss"
faultline run -q --run-dir "$FL_WORK/runs" "$f" || fail "run exited $?"
d="$FL_WORK/runs/latest"
echo "a: $(cat "$d/a.exec.out")"
echo "b: $(cat "$d/b.exec.out")"
[ -s "$d/b.exec.out" ] || { tail -5 "$d/b.exec.err"; fail "b's sink printed nothing (ran past the run's end?)"; }
python3 - "$d/a.exec.out" "$d/b.exec.out" "$d/events.jsonl" <<'P' || fail "effects not as configured"
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
ev = [json.loads(l) for l in open(sys.argv[3]) if '"src":"timeline"' in l]
ev = [e for e in ev if e["ev"] in ("apply", "revert")]  # not "rt", "rt-raises"
bad = []
def within(what, v, lo, hi):
    print("%-44s %8.3f  (want %g..%g)" % (what, v, lo, hi))
    if not lo <= v <= hi:
        bad.append(what)
sent = {int(k): v for k, v in a["sent"].items()}
for p in (9001, 9002, 9003, 9004):
    if sent[p] < 10000:
        bad.append("only %d datagrams sent to %d" % (sent[p], p))
miss = lambda p: 100.0 * (sent[p] - b[str(p)]["unique"]) / sent[p]
within("duplicate 5%: copies / sent, %", 100.0 * b["9001"]["dups"] / sent[9001], 4, 6)
within("duplicate flow: missing, %", miss(9001), 0, 0)
within("corrupt 5%: missing, %", miss(9002), 4, 6)
rev = {e["fault"]: e for e in ev if e["ev"] == "revert" and e.get("dir") != "in"}
flipped = rev["corrupt"]["relay"]["out"]["corrupted"]
# every flip caught where it lands; a frame may still be lost on the way on a busy
# machine (a full backlog: 3 of 464 seen in a make test run, 2026-12-02), hence up to
# 1 % fewer errors than flips, never more
within("corrupt: relay's flips - b's checksum errors", flipped - b["csum_errors"], 0,
       max(2, flipped // 100))
within("reorder 5%: late arrivals, %", 100.0 * b["9003"]["late"] / sent[9003], 4, 6)
within("reorder flow: missing, %", miss(9003), 0, 0)
within("loss 5% burst 4: missing, %", miss(9004), 3, 7)
runs = b["9004"]["runs"]
within("loss burst 4: mean run of lost datagrams", sum(runs) / max(1, len(runs)), 2.8, 5.2)
# less the plain round trip (no fault, after the revert: b's echo and the stacks, 0.5-1 ms
# here), so what is judged is the delay the relay added
within("delay 20ms: echo round trip median - plain one, ms", a["p50"] - a["after_p50"], 19, 21)
within("jitter 5ms: p95 - p5 of the round trip, ms", a["p95"] - a["p5"], 6, 11)
within("jitter: echoes arriving late at b, count", b["9005"]["late"], 1, 1e9)
within("delay flow: echoes duplicated", a["echo_dups"], 0, 0)
within("after the revert: slowest of 20 round trips, ms", a["after_max"], 0, 10)
within("after the revert: round trips answered", a["after_n"], 20, 20)
within("blackhole beside the relay: datagrams through", b["9006"]["unique"], 0, 0)
cin = [e for e in ev if e["ev"] == "revert" and e["fault"] == "corrupt" and e.get("dir") == "in"]
rin = cin[0]["relay"]["in"] if cin else {"corrupted": -1, "unsegmented": -1}
within("corrupt in, TCP: 4 MiB arrived intact", 1 if a["tcp"]["intact"] else 0, 1, 1)
within("corrupt in, TCP: segments corrupted", rin["corrupted"], 1, 1e9)
within("corrupt in, TCP: trains left whole", rin["unsegmented"], 0, 0)
within("corrupt in, TCP: flips - a's checksum errors", rin["corrupted"] - a["tcp_csum_errors"], 0, 2)
for e in ev:
    if e.get("path") != ("nftables" if e["fault"] == "blackhole" else "relay"):
        bad.append("%s %s: path %r" % (e["ev"], e["fault"], e.get("path")))
if bad:
    print("FAIL:", "; ".join(bad))
    sys.exit(1)
P
echo pass
