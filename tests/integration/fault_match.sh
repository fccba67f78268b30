#!/usr/bin/env bash
# Direction and protocol selection of the filter kinds, proven by real traffic between
# a and b (198.18.5.1, .2), each running the same peer: UDP listeners on 7000, 7001 and
# 7003, a TCP one on 7000; after one warm-up datagram each way (ARP resolved before the
# fault at 1 s), 20 rounds at 50 ms from 1.3 s of: UDP to peer:7000, UDP from local
# port 7000 to peer:7003, UDP to peer:7001, a TCP connection to peer:7000 carrying a line.
# Each peer prints what it received per flow.
#  1. loss a.lan 100% out: b receives nothing from a, a receives all 20 of b's datagrams.
#  2. loss a.lan 100% in: the reverse.
#  3. blackhole a.lan match udp port 7000: both UDP flows with port 7000 (as destination
#     and as source) are dropped both ways; UDP 7001 and TCP 7000 pass, all 20.
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
source "$FL_TOP/tests/integration/lib.sh"
py=$(command -v python3) || skip "python3 not installed"
cat >"$FL_WORK/peer.py" <<'PY'
import select, socket, sys, time
peer, n = sys.argv[1], 20
def udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    return s
u = {p: udp(p) for p in (7000, 7001, 7003)}
lt = socket.socket()
lt.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lt.bind(("0.0.0.0", 7000))
lt.listen(64)
rx = {"udp-dport7000": 0, "udp-sport7000": 0, "udp7001": 0, "tcp7000": 0}
flow = {7000: "udp-dport7000", 7003: "udp-sport7000", 7001: "udp7001"}
conns = []
def pump(until):
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select(list(u.values()) + [lt] + conns, [], [], left)
        for s in r:
            if s is lt:
                c, _ = lt.accept()
                conns.append(c)
            elif s in conns:
                d = s.recv(100)
                if d.startswith(b"m"):
                    rx["tcp7000"] += 1
                if not d:
                    conns.remove(s)
                    s.close()
            else:
                d = s.recv(100)
                if d.startswith(b"m"):
                    rx[flow[s.getsockname()[1]]] += 1
eph = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
eph.sendto(b"w", (peer, 7001))  # warm-up: ARP both ways before the fault
start = time.monotonic()
pump(start + 1.3)
for i in range(n):
    eph.sendto(b"m", (peer, 7000))
    u[7000].sendto(b"m", (peer, 7003))
    eph.sendto(b"m", (peer, 7001))
    try:
        c = socket.create_connection((peer, 7000), timeout=0.04)
        c.sendall(b"m")
        c.close()
    except OSError:
        pass
    pump(time.monotonic() + 0.05)
pump(time.monotonic() + 0.8)
for k, v in rx.items():
    print("rx", k, v)
sys.stdout.flush()
PY
# start NAME FAULT: one run in the background (the three at once, each in its lab);
# finish NAME: its exit status checked, the peers' counts in $FL_WORK/NAME.a / NAME.b
start() {
	local f="$FL_WORK/$1.scn"
	cat >"$f" <<EOF
scenario $1
duration 5s
network lan 198.18.5.0/24
node a on lan
node b on lan
service a exec "$py $FL_WORK/peer.py 198.18.5.2"
service b exec "$py $FL_WORK/peer.py 198.18.5.1"
at 1s $2
EOF
	faultline run --dry-run "$f" | grep -F "$2  revert at end" || fail "$1: dry-run does not show '$2'"
	{ faultline run -q --run-dir "$FL_WORK/runs-$1" "$f"; echo $? >"$FL_WORK/$1.rc"; } &
}
finish() {
	[ "$(cat "$FL_WORK/$1.rc")" = 0 ] || fail "$1: run exited $(cat "$FL_WORK/$1.rc")"
	d="$FL_WORK/runs-$1/latest"
	cp "$d/a.exec.out" "$FL_WORK/$1.a"
	cp "$d/b.exec.out" "$FL_WORK/$1.b"
	sed "s/^/$1 a: /" "$FL_WORK/$1.a"
	sed "s/^/$1 b: /" "$FL_WORK/$1.b"
	EV="$d/events.jsonl"
}
got() { sed -n "s/^rx $2 //p" "$FL_WORK/$1"; }
want() { # want FILE FLOW N
	[ "$(got "$1" "$2")" = "$3" ] || fail "$1: $2 received $(got "$1" "$2"), wanted $3"
}

start out 'loss a.lan 100% out'
start in 'loss a.lan 100% in'
start port 'blackhole a.lan match udp port 7000'
wait
finish out
grep -q '"ev":"apply".*"fault":"loss".*"percent":100,"dir":"out"' "$EV" || fail "out: no apply event with dir out"
for fl in udp-dport7000 udp-sport7000 udp7001 tcp7000; do want out.b $fl 0; done
for fl in udp-dport7000 udp-sport7000 udp7001; do want out.a $fl 20; done
want out.a tcp7000 0 # b's SYNs arrive, a's answers do not leave

finish in
grep -q '"ev":"apply".*"fault":"loss".*"percent":100,"dir":"in"' "$EV" || fail "in: no apply event with dir in"
for fl in udp-dport7000 udp-sport7000 udp7001 tcp7000; do want in.a $fl 0; done
for fl in udp-dport7000 udp-sport7000 udp7001; do want in.b $fl 20; done
want in.b tcp7000 0

finish port
grep -q '"ev":"apply".*"fault":"blackhole".*"match":"udp","port":7000' "$EV" || fail "port: no apply event with the selector"
for n in a b; do
	want port.$n udp-dport7000 0
	want port.$n udp-sport7000 0
	want port.$n udp7001 20
	want port.$n tcp7000 20
done
echo pass
