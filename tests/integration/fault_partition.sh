#!/usr/bin/env bash
# 1. partition a / b on one segment with a third node c: during the fault a cannot
#    reach b (nor b a), a still reaches c; after the revert a reaches b again. Probes:
#    single pings logged per target with /proc/uptime.
# 2. partition a -> b,c, one way, b beside a on lan, c behind router r on wan. Inside
#    the fault each node flushes its neighbour cache, then sends 20 rounds at 50 ms of
#    a UDP datagram and an ICMP echo to each of its peers. a's datagrams and echoes to
#    b (same segment) and to c (routed: dropped at the first hop) vanish; b's and c's
#    datagrams to a all arrive (so b resolved a by ARP during the fault) and so do their
#    echo requests (a's Icmp InEchos), while a's echo replies vanish; a still reaches r.
#    After the revert one datagram of a reaches b and c again.
# runner: weight 2
#   each node's 20 rounds must fall inside a 2 s fault (timed from the run's t0, so a
#   late-started python no longer moves them; the first part's pings still run on their
#   own clock): half the slots
source "$FL_TOP/tests/integration/lib.sh"
cat >"$FL_WORK/fault_partition.scn" <<'EOF'
scenario fault_partition
duration 6s
network lan 198.18.5.0/24
node a on lan
node b on lan
node c on lan
service a exec "for i in $(seq 50); do read t x </proc/uptime; busybox ping -c1 -W1 198.18.5.2 >/dev/null 2>&1 && echo b-ok $t || echo b-lost $t; busybox ping -c1 -W1 198.18.5.3 >/dev/null 2>&1 && echo c-ok $t || echo c-lost $t; busybox usleep 50000; done"
service b exec "for i in $(seq 50); do read t x </proc/uptime; busybox ping -c1 -W1 198.18.5.1 >/dev/null 2>&1 && echo a-ok $t || echo a-lost $t; busybox usleep 50000; done"
at 1s partition a / b for 2s
EOF
faultline run -q --run-dir "$FL_WORK/runs" "$FL_WORK/fault_partition.scn" || fail "run exited $?"
d="$FL_WORK/runs/latest"
n() { grep -c "^$1" "$2" || true; }
echo "a: b-lost $(n b-lost "$d/a.exec.out") b-ok $(n b-ok "$d/a.exec.out") c-lost $(n c-lost "$d/a.exec.out") c-ok $(n c-ok "$d/a.exec.out"); b: a-lost $(n a-lost "$d/b.exec.out")"
[ "$(n b-lost "$d/a.exec.out")" -ge 1 ] || fail "a still reached b during the partition"
[ "$(n a-lost "$d/b.exec.out")" -ge 1 ] || fail "b still reached a during the partition"
[ "$(n c-lost "$d/a.exec.out")" = 0 ] || fail "a lost c, which is outside the partition"
tail -1 "$d/a.exec.out" | grep -q '^c-ok' || fail "a cannot reach c at the end"
grep '^b-' "$d/a.exec.out" | tail -1 | grep -q '^b-ok' || fail "a cannot reach b after the revert"

py=$(command -v python3) || skip "python3 not installed (the one-way part)"
cat >"$FL_WORK/oneway.py" <<'PY'
# oneway.py PEER...: at 1.45 s flush the neighbour cache; from then 20 rounds at 50 ms of
# UDP "m" to PEER:7000 and an ICMP echo to PEER; at 3.2 s one UDP "z" to each. Prints
# what it received per source, and the echo requests its kernel answered meanwhile.
# Times are from the run's t0 (events.jsonl's t0 line; CLOCK_MONOTONIC, as
# time.monotonic()), not from its own start: python took 0.4-0.6 s to start here, and
# more beside other tests, which moved rounds timed from its start out of the fault.
import os, select, socket, struct, subprocess, sys, time
events, peers = sys.argv[1], sys.argv[2:]
def t0_of(path, wait):
    end = time.monotonic() + wait
    while time.monotonic() < end:
        try:
            for l in open(path):
                if '"src":"run","ev":"t0"' in l:
                    return int(l.split('"t_ns":')[1].split(",")[0]) / 1e9
        except OSError:
            pass
        time.sleep(0.01)
    sys.exit("no t0 in " + path)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 7000))
ic = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident, got = os.getpid() & 0xFFFF, {}
ns = lambda: time.monotonic_ns()  # the clock of events.jsonl's t_ns
def count(k):
    got[k] = got.get(k, 0) + 1
def in_echos():
    rows = [l.split() for l in open("/proc/net/snmp") if l.startswith("Icmp:")]
    return int(rows[1][rows[0].index("InEchos")])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF
def echo(dst, seq):
    h = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"oneway01"
    ic.sendto(struct.pack("!BBHHH", 8, 0, csum(h), ident, seq) + b"oneway01", (dst, 0))
def pump(until):
    while (left := until - time.monotonic()) > 0:
        for s in select.select([u, ic], [], [], left)[0]:
            d, (src, _) = s.recvfrom(200)
            if s is u:
                count("udp-%s %s" % (d[:1].decode(), src))
            elif d[20] == 0 and struct.unpack("!H", d[24:26])[0] == ident:
                count("reply %s" % src)
start = t0_of(events, 4)
echos = in_echos()  # no echo is sent before 1.45 s, by anyone
pump(start + 1.45)
subprocess.run(["ip", "neigh", "flush", "all"], check=True)
first = ns()
for i in range(20):
    for p in peers:
        u.sendto(b"m", (p, 7000))
        echo(p, i)
    pump(time.monotonic() + 0.05)
last = ns()
pump(start + 3.2)
got["echo-requests-in"] = in_echos() - echos
z = ns()
for p in peers:
    u.sendto(b"z", (p, 7000))
pump(start + 3.5)
print("window", first, last, z)
for k in sorted(got):
    print("rx", k, got[k])
PY
cat >"$FL_WORK/oneway.scn" <<SCN
scenario fault_partition_oneway
duration 5s
network lan 198.18.5.0/24
network wan 198.18.6.0/24
node a on lan=198.18.5.1 gateway 198.18.5.3
node b on lan=198.18.5.2 gateway 198.18.5.3
node r on lan=198.18.5.3 wan=198.18.6.1 forward
node c on wan=198.18.6.2 gateway 198.18.6.1
service a exec "$py $FL_WORK/oneway.py $FL_WORK/runs-oneway/latest/events.jsonl 198.18.5.2 198.18.6.2 198.18.5.3"
service b exec "$py $FL_WORK/oneway.py $FL_WORK/runs-oneway/latest/events.jsonl 198.18.5.1"
service c exec "$py $FL_WORK/oneway.py $FL_WORK/runs-oneway/latest/events.jsonl 198.18.5.1"
at 1s partition a->b,c for 2s
SCN
faultline run --dry-run "$FL_WORK/oneway.scn" | grep -F "partition a -> b,c  revert 3.000s" ||
	fail "one way: the dry-run does not show 'partition a -> b,c'"
faultline run -q --run-dir "$FL_WORK/runs-oneway" "$FL_WORK/oneway.scn" || fail "one way: run exited $?"
d="$FL_WORK/runs-oneway/latest"
grep -q '"ev":"apply".*"fault":"partition".*"target":"a -> b,c".*"oneway":true' "$d/events.jsonl" ||
	fail "one way: no apply event with target 'a -> b,c' and \"oneway\":true"
for n in a b c; do sed "s/^/one way $n: /" "$d/$n.exec.out"; done
# the rounds fell inside the fault and the last datagram after it (the services start
# before t0, and the fault is applied at t0 + 1 s: a slow start shows here, not as a
# wrong count)
ev_ns() { sed -n "s/^{\"t_ns\":\([0-9]*\),.*\"ev\":\"$1\".*\"fault\":\"partition\".*/\1/p" "$d/events.jsonl"; }
on=$(ev_ns apply) off=$(ev_ns revert)
for n in a b c; do
	read -r _ first last z < <(grep '^window ' "$d/$n.exec.out") || fail "one way: $n printed no window"
	[ "$on" -lt "$first" ] && [ "$last" -lt "$off" ] && [ "$off" -lt "$z" ] ||
		fail "one way: $n's rounds ($first..$last, then $z) not within the fault ($on..$off)"
done
want() { # want NODE KEY N: NODE counted N of KEY
	local got
	got=$(sed -n "s/^rx $2 //p" "$d/$1.exec.out")
	[ "${got:-0}" = "$3" ] || fail "one way: $1 got ${got:-0} of '$2', wanted $3"
}
want b "udp-m 198.18.5.1" 0  # a -> b on the segment
want c "udp-m 198.18.5.1" 0  # a -> c through r: dropped at a's first hop
want a "udp-m 198.18.5.2" 20 # b -> a, with ARP resolved inside the fault
want a "udp-m 198.18.6.2" 20 # c -> a through r
want a "echo-requests-in" 40 # b's and c's echo requests reach a ...
want b "reply 198.18.5.1" 0  # ... but a's replies do not leave
want c "reply 198.18.5.1" 0
want a "reply 198.18.5.2" 0 # a's echoes to b and c vanish
want a "reply 198.18.6.2" 0
want a "reply 198.18.5.3" 20 # a still reaches the router
want b "udp-z 198.18.5.1" 1  # after the revert
want c "udp-z 198.18.5.1" 1
echo pass
