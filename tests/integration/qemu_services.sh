#!/usr/bin/env bash
# Services inside a QEMU guest: fl-web runs in guest g1 (started through fl-agent) and
# serves a netns fl-lb; a busybox loop in the guest (an exec service) watches its own
# carrier. The timeline kills the guest's fl-web (the lb marks it down, requests fail),
# restarts it (served again), then takes the guest's link down for 1.5 s (QMP set_link:
# the guest itself sees carrier 0). Also checks that the guest's events reached the run
# directory with times on the host's clock. And the guest kernel's console is read while
# it runs: two lines a service writes to the kernel log (/dev/kmsg; the WARNING at the
# kernel's own level for it, 4, which `quiet` alone would keep off the console) in the
# kernel's words for an RCU stall and a WARN come back as
# "kernel-warning" events, counted by the kernel-warnings metrics and in the JSON
# report's guest entry. (They are written, not provoked: this shows the reading and
# the classes, not the kernel's own detectors.)
# runner: weight 2
#   a TCG guest keeps a CPU busy while it boots
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
need_guest_image

f=$(scn guest-services <<'S'
scenario guest-services
duration 16s
network lan 198.18.0.0/24
node g1 qemu on lan
node lb on lan
node client on lan
service g1 web
service g1 exec "while true; do echo $(cat /sys/class/net/lan/carrier); sleep 0.2; done"
service g1 exec "sh -c 'sleep 2; echo \"<3>rcu: INFO: rcu_preempt self-detected stall on CPU\" >/dev/kmsg; echo \"<4>WARNING: CPU: 0 PID: 1 at fl/test.c:1 fl_test+0x0/0x1\" >/dev/kmsg'" name kmsg
service lb lb vip 198.18.0.100 backends g1 interval 200ms fall 2 rise 2
service client load http://198.18.0.100/ rate 20/s timeout 1s
at 4s kill g1 web
at 7s restart g1 web
at 12s link down g1.lan for 1500ms
expect requests >= 100
expect kernel-warnings-rcu-stall == 1
expect kernel-warnings == 2
S
)
d="$FL_WORK/runs-services"
faultline run --run-dir "$d" --json "$FL_WORK/services.json" "$f" >"$FL_WORK/run.out" 2>&1
rc=$?
cat "$FL_WORK/run.out"
[ $rc -le 1 ] || fail "faultline run exited $rc"
r="$d/latest"
ev="$r/events.jsonl"

# fl-web ran in the guest, was killed by the fault and came back with another pid
grep -q '"src":"g1","ev":"start","svc":"web","pid":[0-9]*,"guest":true' "$ev" ||
	fail "fl-web was not started in the guest"
grep -q '"src":"g1","ev":"exit","svc":"web","pid":[0-9]*,"signal":9,' "$ev" ||
	fail "no SIGKILL exit of the guest's fl-web"
[ "$(grep -c '"src":"g1","ev":"start","svc":"web"' "$ev")" = 2 ] ||
	fail "the guest's fl-web was not restarted"

# its events file came back, times on the host base (between its start and the end)
start=$(sed -n 's/^{"t_ns":\([0-9]*\),"src":"g1","ev":"start","svc":"web".*/\1/p' "$ev" | head -1)
end=$(sed -n 's/^{"t_ns":\([0-9]*\),"src":"run","ev":"end".*/\1/p' "$ev")
ready=$(sed -n 's/^{"t_ns":\([0-9]*\),.*"ev":"ready".*/\1/p' "$r/g1.web.events" | head -1)
[ -n "$ready" ] || fail "no ready event of the guest's fl-web in the run directory"
echo "g1 web: started $start, ready $ready (host ns), run end $end"
[ "$ready" -gt "$start" ] && [ "$ready" -lt $((start + 5000000000)) ] ||
	fail "guest event time $ready not on the host base (start $start)"

# requests: served by g1 before the kill and after the restart, failing in between
t0=$(sed -n 's/^{"t_ns":\([0-9]*\),"src":"run","ev":"t0".*/\1/p' "$ev")
awk -F, -v t0="$t0" 'NR > 1 {
	s = ($1 - t0) / 1e9
	if (s < 4) { before++; if ($4 == "ok" && $6 == "g1") okb++ }
	if (s > 5 && s < 7) { mid++; if ($4 == "ok") okm++ }
	if (s > 9 && s < 12) { after++; if ($4 == "ok" && $6 == "g1") oka++ }
} END {
	printf "before kill %d/%d ok, killed %d/%d ok, after restart %d/%d ok\n",
		okb, before, okm, mid, oka, after
	exit !(okb > 0.9 * before && okm < 0.5 * mid && oka > 0.9 * after)
}' "$r/requests.csv" || fail "requests did not follow the kill and restart"

# the guest saw its own carrier go and come back
out="$r/g1.exec.out"
seq=$(tr -d ' \n' <"$out")
echo "carrier seen in the guest: $seq"
grep -q '1\+0\+1' <<<"$seq" || fail "the guest did not see its carrier go down and up"
grep -q '"fault":"link down","target":"g1.lan"' "$ev" || fail "no link down applied"

# the kernel's console, read while the guest ran
grep '"ev":"kernel-warning"' "$ev" || fail "no kernel-warning event"
grep -q '"src":"g1","ev":"kernel-warning","class":"rcu-stall","line":"[^"]*rcu: INFO: rcu_preempt self-detected stall' "$ev" ||
	fail "the RCU stall line was not classified"
grep -q '"class":"warning"' "$ev" || fail "the WARNING line was not classified"
grep -q '^rcu-stall .*self-detected stall' "$r/g1.kernel-warnings" || fail "no g1.kernel-warnings file"
python3 - "$FL_WORK/services.json" <<'P' || fail "kernel warnings in the JSON report"
import json, sys
j = json.load(open(sys.argv[1]))
g = [x for x in j["guests"] if x["node"] == "g1"][0]
assert g["kernel_warnings"] == {"total": 2, "rcu-stall": 1, "warning": 1}, g
assert j["metrics"]["kernel-warnings"] == 2, j["metrics"]
ex = {e["metric"]: e["passed"] for e in j["expectations"]}
assert ex["kernel-warnings"] and ex["kernel-warnings-rcu-stall"], ex
print("JSON: g1 kernel_warnings", g["kernel_warnings"])
P
echo "ok"
