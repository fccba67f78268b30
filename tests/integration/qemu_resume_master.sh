#!/usr/bin/env bash
# The resume-as-master case (issue: a stopped guest cannot see its own stall): lb1, the
# master, is an fl-lb in a QEMU guest; lb2 a netns fl-lb; both `ha safe`. lb1 is
# stopped through QMP for 3 s, long past lb2's takeover, then resumed. Its clocks
# stopped with it, so only the outside clock (the guest's RTC, which QEMU keeps on the
# host's time) can tell it that time passed. It must: lb1 reports the unseen time,
# leaves master for "stall" before it sends anything, and is silent on the wire from
# the stall until lb2 hands the VIP back (priority 0); the run measures no split-brain.
# runner: weight 2
#   a TCG guest (a CPU while it boots) and 200 ms adverts whose takeover it times
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
need_guest_image
f=$(scn resume <<'S'
scenario resume-master
duration 14s
network public  198.18.0.0/24
network private 198.18.1.0/24
node lb1    qemu on public private
node lb2    on public private
node web1   on private
node client on public
service web1 web
service lb1  lb vip 198.18.0.100 backends web1 priority 150 advert 200ms heartbeat private,public ha safe
service lb2  lb vip 198.18.0.100 backends web1 priority 100 advert 200ms heartbeat private,public ha safe
service client load http://198.18.0.100/ rate 50/s timeout 2s
at 4s stall lb1 for 3s
expect split-brain == 0s
expect failover < 1500ms
expect success >= 95%
S
)
faultline run --run-dir "$FL_WORK/runs" --json "$FL_WORK/r.json" "$f" >"$FL_WORK/run.out" 2>&1
rc=$?
cat "$FL_WORK/run.out"
d="$FL_WORK/runs/latest"
python3 - "$d" <<'P' || fail "resume-as-master"
import json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/events.jsonl")]
lb1 = [json.loads(l) for l in open(d + "/lb1.lb.events")]
apply = next(e["t_ns"] for e in ev if e.get("ev") == "apply" and e.get("fault") == "stall")
revert = next(e["t_ns"] for e in ev if e.get("ev") == "revert" and e.get("fault") == "stall")
unseen = [e for e in lb1 if e["ev"] == "unseen" and e["t_ns"] >= revert]
if not unseen:  # what lb1 said, for the reader of a failed run
    for e in lb1:
        if e["ev"] in ("unseen", "state", "stall", "ready"):
            print("lb1 %+.3f s after the resume: %s" % ((e["t_ns"] - revert) / 1e9, e))
    print("lb1.lb.events: %d lines; the run's errors: %s" % (len(lb1), [
        e for e in ev if e.get("ev") in ("error", "warning") or "error" in e][:5]))
assert unseen, "lb1 did not see the stall"
print("lb1 found %d ms unseen after a 3000 ms stop" % unseen[0]["total_ms"])
assert unseen[0]["total_ms"] >= 1800, unseen[0]
left = [e for e in lb1 if e["ev"] == "state" and e["t_ns"] >= revert]
assert left and left[0]["from"] == "master" and left[0]["reason"] == "stall", left[:1]
adv = [e for e in ev if e.get("src") == "wire" and e.get("ev") == "vrrp"]
back = next(e["t_ns"] for e in adv if e["node"] == "lb2" and e["prio"] == 0 and e["t_ns"] > revert)
spoke = [e for e in adv if e["node"] == "lb1" and apply < e["t_ns"] < back]
assert not spoke, "lb1 claimed at %.3f s, after the resume at %.3f s" % (
    spoke[0]["t_ns"] / 1e9, revert / 1e9)
print("lb1 silent from the stall (%.3f s) to lb2's handoff (%.3f s)" % (apply / 1e9, back / 1e9))
P
[ $rc = 0 ] || fail "faultline run exited $rc"
echo ok
