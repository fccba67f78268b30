#!/usr/bin/env bash
# kill -9 of faultline while a guest runs: QEMU dies with it (PR_SET_PDEATHSIG) and the
# tap, which lived only in the lab namespace, goes with the namespace. The runner also
# compares the host's links, addresses, routes and processes before and after.
# runner: weight 2
#   a TCG guest keeps a CPU busy while it boots
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
need_guest_image

f=$(scn guest-kill <<'S'
scenario guest-kill
duration 120s
network lan 198.18.0.0/24
node g1 qemu on lan
node h1 on lan
S
)
faultline run --run-dir "$FL_WORK/runs-kill9" "$f" >"$FL_WORK/run.log" 2>&1 &
fl=$!
ev="$FL_WORK/runs-kill9/latest/events.jsonl"
for _ in $(seq 600); do
	grep -q '"ev":"guest-ready"' "$ev" 2>/dev/null && break
	kill -0 $fl 2>/dev/null || { cat "$FL_WORK/run.log"; fail "faultline ended early"; }
	sleep 0.1
done
grep -q '"ev":"guest-ready"' "$ev" || { kill -9 $fl; fail "guest not ready in 60 s"; }
qpid=$(sed -n 's/.*"ev":"guest-start","pid":\([0-9]*\).*/\1/p' "$ev")
[ -n "$qpid" ] && kill -0 "$qpid" || fail "no running QEMU pid in guest-start"
grep -q qemu-system "/proc/$qpid/cmdline" || fail "pid $qpid is not QEMU"
echo "faultline $fl, QEMU $qpid: kill -9 faultline"
kill -9 $fl
wait $fl 2>/dev/null
for _ in $(seq 50); do
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$qpid" 2>/dev/null; then
	kill -9 "$qpid" # our own leftover: do not leave it to the next test
	fail "QEMU $qpid survived faultline's kill -9"
fi
ip -o link show | grep -q 't[0-9]*\.[0-9]' && fail "a tap appeared on the host"
echo "ok: QEMU gone after faultline's kill -9"
