#!/usr/bin/env bash
# fl-web and fl-load in a namespace of their own: open-loop load is all ok with the
# right record count, big bodies verify, --latency delays, a killed backend gives
# refused, a wrong checksum gives bad-body, a silent server gives timeout, a black hole
# gives connect-timeout, SIGTERM ends an unbounded run with its summary.
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
. "$FL_TOP/tests/integration/lib.sh"
command -v ip >/dev/null || skip "no ip(8)"
command -v python3 >/dev/null || skip "no python3 (fake servers)"

ns=fltest-web-${FL_TEST_TAG:-$$}
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$ns" || skip "cannot create a network namespace"
N() { ip netns exec "$ns" "$@"; }
# (background jobs use ip netns exec directly: it execs, so $! is the program's pid)
N ip link set lo up
W=$FL_WORK/web_load.$$
mkdir -p "$W"

# wait_ready FILE: until an "ready" event shows up (3 s)
wait_ready() {
	for _ in $(seq 60); do grep -q '"ev":"ready"' "$1" 2>/dev/null && return 0; sleep 0.05; done
	fail "no ready event in $1"
}
# count CSV OUTCOME: records with that outcome
count() { awk -F, -v o="$2" 'NR > 1 && $4 == o' "$1" | wc -l; }
records() { echo $(($(wc -l <"$1") - 1)); }

ip netns exec "$ns" fl-web --listen 127.0.0.1:8080 --name web1 --events "$W/ev.jsonl" &
web=$!
pids+=("$web")
wait_ready "$W/ev.jsonl"
grep -q '"src":"web1","ev":"ready"' "$W/ev.jsonl" || fail "ready event shape"

echo "== 200/s for 2 s, new connection per request"
N fl-load --url http://127.0.0.1:8080/ --rate 200 --duration 2000 --out "$W/a.csv" \
	--name load1 --events "$W/ev.jsonl" 2>"$W/a.err" || fail "fl-load exit $?"
cat "$W/a.err"
[ "$(head -1 "$W/a.csv")" = "sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes" ] ||
	fail "csv header"
[ "$(records "$W/a.csv")" = 400 ] || fail "want 400 records, got $(records "$W/a.csv")"
[ "$(count "$W/a.csv" ok)" = 400 ] || fail "not all ok"
grep -q 'requests=400 ok=400 ' "$W/a.err" || fail "summary"
grep -q '"src":"load1","ev":"ready"' "$W/ev.jsonl" || fail "fl-load ready event"
# open loop: sched_ns steps exactly 5 ms; latency = end - sched; backend named; sane
awk -F, 'NR > 2 && $1 - prev != 5000000 { bad = 1 } NR > 1 { prev = $1 }
	NR > 1 && (int(($3 - $1) / 1000) != $5 || $6 != "web1" || $7 != 12) { bad = 1 }
	NR > 1 && $5 > 500000 { bad = 1 } END { exit bad }' "$W/a.csv" ||
	fail "records inconsistent"

echo "== /bytes/1000000 with keep-alive"
N fl-load --url http://127.0.0.1:8080/bytes/1000000 --rate 10 --duration 1000 --keepalive \
	--out "$W/b.csv" 2>&1 || fail "fl-load exit"
[ "$(count "$W/b.csv" ok)" = 10 ] || fail "big bodies not all ok"
[ "$(awk -F, 'NR > 1 && $7 == 1000000' "$W/b.csv" | wc -l)" = 10 ] || fail "body length"

echo "== --latency 50"
ip netns exec "$ns" fl-web --listen 127.0.0.1:8081 --name slow --latency 50 --events "$W/ev2.jsonl" &
pids+=($!)
wait_ready "$W/ev2.jsonl"
N fl-load --url http://127.0.0.1:8081/health --rate 40 --duration 500 --out "$W/c.csv" 2>&1 ||
	fail "fl-load exit"
[ "$(count "$W/c.csv" ok)" = 20 ] || fail "slow backend not all ok"
awk -F, 'NR > 1 && ($5 < 50000 || $5 > 900000) { bad = 1 } END { exit bad }' "$W/c.csv" ||
	fail "latency not delayed by 50 ms"

echo "== backend killed mid-run: refused"
ip netns exec "$ns" fl-load --url http://127.0.0.1:8080/ --rate 200 --duration 2000 --out "$W/d.csv" 2>"$W/d.err" &
load=$!
sleep 0.8
kill "$web"
wait "$web"
wait "$load" || fail "fl-load exit"
cat "$W/d.err"
[ "$(records "$W/d.csv")" = 400 ] || fail "want 400 records"
[ "$(count "$W/d.csv" ok)" -gt 50 ] || fail "no ok before the kill"
[ "$(count "$W/d.csv" refused)" -gt 50 ] || fail "no refused after the kill"
# nothing ok after the first refused
awk -F, 'NR > 1 && $4 == "refused" { r = 1 } NR > 1 && r && $4 == "ok" { bad = 1 } END { exit bad }' \
	"$W/d.csv" || fail "ok after refused"

echo "== wrong checksum: bad-body; silent server: timeout"
cat >"$W/fake.py" <<'EOF'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
while True:
    c, _ = s.accept()
    c.recv(4096)
    if sys.argv[2] == "bad":
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Backend: fake\r\n"
                  b"X-Checksum: 0000000000000000\r\nConnection: close\r\n\r\nok\n")
        c.close()
    else:
        held = c  # keep it open, say nothing
EOF
ip netns exec "$ns" python3 "$W/fake.py" 8090 bad &
pids+=($!)
ip netns exec "$ns" python3 "$W/fake.py" 8091 silent &
pids+=($!)
sleep 0.5
N fl-load --url http://127.0.0.1:8090/ --rate 20 --duration 250 --out "$W/e.csv" 2>&1
[ "$(count "$W/e.csv" bad-body)" = 5 ] || fail "wrong checksum not caught"
N fl-load --url http://127.0.0.1:8091/ --rate 10 --duration 100 --timeout 300 --out "$W/f.csv" 2>&1
[ "$(count "$W/f.csv" timeout)" = 1 ] || fail "silent server not a timeout"
awk -F, 'NR > 1 && ($5 < 300000 || $5 > 800000) { bad = 1 } END { exit bad }' "$W/f.csv" ||
	fail "timeout not at 300 ms"

echo "== black hole: connect-timeout"
# a veth pair inside the namespace; nobody owns 198.18.99.2, so the SYN goes nowhere
N ip link add bh0 type veth peer name bh1 || fail "veth"
N ip addr add 198.18.99.1/24 dev bh0
N ip link set bh0 up
N ip link set bh1 up
N fl-load --url http://198.18.99.2/ --rate 10 --duration 100 --connect-timeout 200 \
	--out "$W/g.csv" 2>&1
[ "$(count "$W/g.csv" connect-timeout)" = 1 ] || fail "black hole not a connect-timeout"

echo "== unbounded run ends on SIGTERM with its summary"
ip netns exec "$ns" fl-web --listen 127.0.0.1:8082 --name web3 --events "$W/ev3.jsonl" &
pids+=($!)
wait_ready "$W/ev3.jsonl"
ip netns exec "$ns" fl-load --url http://127.0.0.1:8082/ --rate 100 --out "$W/h.csv" 2>"$W/h.err" &
load=$!
sleep 1
kill -TERM "$load"
wait "$load" || fail "fl-load exit after SIGTERM"
cat "$W/h.err"
n=$(records "$W/h.csv")
[ "$n" -ge 80 ] && [ "$n" -le 130 ] || fail "unbounded run: $n records in ~1 s"
grep -q "requests=$n ok=$n " "$W/h.err" || fail "summary after SIGTERM"

echo "== throughput (information only)"
N fl-load --url http://127.0.0.1:8082/ --concurrency 32 --keepalive --duration 1000 \
	--out /dev/null 2>&1
echo PASS
