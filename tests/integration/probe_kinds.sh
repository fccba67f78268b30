#!/usr/bin/env bash
# The four probe kinds (fl-probe) against servers of ours in the lab, each scenario with
# the server killed (1-2 s, then restarted), stalled (3-4 s) and blackholed (5-6 s):
# - tcp and udp against an echo server (send "ping" expect "ping"), dns against a tiny
#   A responder (there is no dnsmasq here), exec running a python client that sends a
#   line to the echo server and exits 0 on the echo;
# - in each fault's window the outcomes are the ones that fault gives that protocol (kill:
#   refused, or bad-status for exec's failing command; stall: timeout; blackhole:
#   connect-timeout for tcp, timeout for the rest), and there are no failures outside;
# - the JSON report's counts (refused, timeout...) and outage come from those records
#   unchanged, and the outage matches what the server saw: its longest gap between two
#   answers, within 400 ms;
# - nothing is answered by the server inside the kill or stall windows;
# - an exec probe killed by a fault leaves none of its commands running; two probes of
#   one node write a request log each.
# The five scenarios run at once (7 s each).
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
. "$FL_TOP/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "no python3 (the servers)"
command -v jq >/dev/null || skip "jq not installed"
W=$FL_WORK
cat >"$W/srv.py" <<'PY'
import socket, struct, sys, threading, time
kind, port, log = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "a", buffering=1)
def saw():
    log.write("%d\n" % time.monotonic_ns())
def echo_conn(c):
    d = c.recv(4096)
    if d:
        c.sendall(d)
        saw()
    c.close()
def tcp():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(128)
    while True:
        threading.Thread(target=echo_conn, args=(s.accept()[0],), daemon=True).start()
def dns_answer(q):
    end = 12
    while q[end]:
        end += q[end] + 1
    end += 5
    rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([198, 18, 0, 1])
    return q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:end] + rr
def udp(answer):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        d, a = s.recvfrom(4096)
        s.sendto(answer(d), a)
        saw()
{"tcp": tcp, "udp": lambda: udp(lambda d: d), "dns": lambda: udp(dns_answer)}[kind]()
PY
# scenario NAME PORT SERVER-KIND PROBE...: one server, one client, the three faults. The
# server's node sends every ICMP port unreachable (its own namespace's icmp_ratelimit;
# by default one in a second gets out, and udp and dns would see mostly timeouts).
scenario() {
	cat >"$W/$1.scn" <<SCN
scenario probe_$1
duration 7s
network lan 198.18.7.0/24
node s on lan
node c on lan
service s exec "echo 0 >/proc/sys/net/ipv4/icmp_ratelimit; exec python3 -S -E $W/srv.py $3 $2 $W/$1.log" name srv
service c probe $4 rate 20/s timeout 300ms
at 1s kill s srv for 1s
at 3s stall s for 1s
at 5s blackhole s.lan for 1s
SCN
	: >"$W/$1.log"
	faultline run -q --run-dir "$W/runs-$1" --json "$W/$1.json" "$W/$1.scn" \
		>"$W/$1.out" 2>&1
	echo $? >"$W/$1.rc"
}
scenario tcp 7 tcp 'tcp 198.18.7.1:7 send "ping" expect "ping"' &
scenario udp 7 udp 'udp 198.18.7.1:7 send "ping" expect "ping"' &
scenario dns 53 dns 'dns 198.18.7.1 www.example.com' &
scenario exec 7 tcp 'exec "echo ping | busybox nc 198.18.7.1 7"' &
# an exec probe killed by a fault takes its running commands with it at once (they are
# in process groups of their own, which the kill does not signal; the run's end would
# sweep them, but not before): counted 500 ms after the kill, during the run
cat >"$W/orphans.scn" <<SCN
scenario probe_orphans
duration 2s
network lan 198.18.8.0/24
node c on lan
service c probe exec "sleep 31.5 | cat" rate 10/s timeout 20s
service c exec "sleep 1.5; pgrep -c -x -f 'sleep 31.5' >$W/orphans.left"
service c probe exec "true" rate 10/s name ok2
at 1s kill c probe
SCN
faultline run -q --run-dir "$W/runs-orphans" "$W/orphans.scn" >"$W/orphans.out" 2>&1 &
wait
left=$(cat "$W/orphans.left")
[ "$left" = 0 ] || fail "$left commands of the killed exec probe still ran after the kill"
[ "$(grep -c '"ev":"start","svc":"probe"' "$W/runs-orphans/latest/events.jsonl")" = 1 ] ||
	fail "orphans: the probe did not start"
# two probes of one node: a request log each
d=$W/runs-orphans/latest
[ -f "$d/requests-c.probe.csv" ] && [ -f "$d/requests-c.ok2.csv" ] ||
	fail "two probes on one node: $(cd "$d" && ls requests*)"
[ "$(awk -F, 'NR > 1 && $4 == "ok"' "$d/requests-c.ok2.csv" | wc -l)" -ge 15 ] ||
	fail "the second probe of c: $(cat "$d/requests-c.ok2.csv")"
for k in tcp udp dns exec; do
	cat "$W/$k.out"
	[ "$(cat "$W/$k.rc")" = 0 ] || fail "$k: faultline run exited $(cat "$W/$k.rc")"
done

# judge KIND KILL-OUTCOME BLACKHOLE-OUTCOME: the checks above, on one scenario's run
cat >"$W/judge.py" <<'PY'
import csv, json, sys
kind, on_kill, on_blackhole, w = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
run = "%s/runs-%s/latest" % (w, kind)
ev = [json.loads(l) for l in open(run + "/events.jsonl")]
t0 = next(e["t_ns"] for e in ev if e.get("ev") == "t0")
end = t0 + 7000 * 10**6
faults = {}
for e in ev:
    if e.get("src") == "timeline" and e["ev"] in ("apply", "revert"):
        faults.setdefault(e["fault"], {})[e["ev"]] = e["t_ns"]
        faults[e["fault"]][e["ev"] + "_sched"] = e["sched_ns"]
rec = [r for r in csv.DictReader(open(run + "/requests.csv")) if t0 <= int(r["sched_ns"]) < end]
saw = [int(l) for l in open("%s/%s.log" % (w, kind))]
m = json.load(open("%s/%s.json" % (w, kind)))["metrics"]
bad = []
def check(ok, what):
    if not ok:
        bad.append(what)
def count(o, a=t0, b=end):
    return sum(1 for r in rec if r["outcome"] == o and a <= int(r["sched_ns"]) < b)
# the report's counts are the records' (the metrics read them unchanged)
check(m["requests"] == len(rec), "requests %s, records %d" % (m["requests"], len(rec)))
for o in ("refused", "timeout", "connect-timeout", "bad-status"):
    check(m[o] == count(o), "%s: report %s, records %d" % (o, m[o], count(o)))
check(abs(m["success"] - 100.0 * count("ok") / len(rec)) < 1e-6, "success")
# each fault's outcome: all failures due in its window (less the timeout before its
# revert: those may still be answered) are of its kind, and most of the window fails
ms = 10**6
win = {"kill": on_kill, "stall": "timeout", "blackhole": on_blackhole}
for f, want in win.items():
    a, b = faults[f]["apply"], faults[f]["revert"]
    inside = [r["outcome"] for r in rec if a + 20 * ms <= int(r["sched_ns"]) < b - 300 * ms]
    kinds = sorted(set(inside))
    print("%s %s: %d due, %s" % (kind, f, len(inside), {o: inside.count(o) for o in kinds}))
    check(kinds == [want], "%s: outcomes %s, wanted only %s" % (f, kinds, want))
    check(len(inside) >= 10, "%s: only %d probes due in it" % (f, len(inside)))
    if f != "blackhole":  # a dead or frozen server answers nothing (before the thaw,
        # which comes after the revert's due time and before its event is written)
        n = sum(1 for t in saw if a + 20 * ms <= t < faults[f]["revert_sched"])
        check(n == 0, "%s: the server answered %d times during it" % (f, n))
# the client's outage is the server's longest silence (its answers, the window's ends)
ts = [t0] + sorted(t for t in saw if t0 <= t < end) + [end]
gap = max(b - a for a, b in zip(ts, ts[1:])) / ms
print("%s: outage %.0f ms, server's longest silence %.0f ms" % (kind, m["outage"], gap))
check(abs(m["outage"] - gap) <= 400, "outage %.0f ms vs server silence %.0f ms" % (m["outage"], gap))
# after the last fault every probe is ok, up to a timeout before the window's end (the
# run then stops the services, the server among them, while the last probes run)
quiet = [r for r in rec if faults["blackhole"]["revert"] + 300 * ms <= int(r["sched_ns"]) < end - 300 * ms]
fails = ["%s at %d ms" % (r["outcome"], (int(r["sched_ns"]) - t0) // ms) for r in quiet if r["outcome"] != "ok"]
check(len(quiet) >= 5 and not fails, "after the last fault: %d probes, %s" % (len(quiet), fails))
for b in bad:
    print("FAIL %s: %s" % (kind, b))
sys.exit(1 if bad else 0)
PY
rc=0
python3 "$W/judge.py" tcp refused connect-timeout "$W" || rc=1
python3 "$W/judge.py" udp refused timeout "$W" || rc=1
python3 "$W/judge.py" dns refused timeout "$W" || rc=1
python3 "$W/judge.py" exec bad-status timeout "$W" || rc=1
for k in tcp udp dns exec; do
	echo "$k: $(jq -c '.metrics | {success, outage, p99, errors, requests}' "$W/$k.json")"
done
[ "$rc" = 0 ] || fail "a probe's outcomes do not match what its server saw"
echo pass
