#!/usr/bin/env bash
# scenarios/stacks/keepalived-nginx-{reproduce,mitigated}.scn side by side (--jobs 2):
# a real keepalived + nginx pair whose VRRP a firewall change on lb1's public
# interface drops. The reproduction reproduces for the right reason: split-brain
# during the fault is measured on the wire (lb2 announced the VIP after the change
# while lb1 kept it; keepalived says both are master), and both nginx served the
# client. The mitigation (unicast VRRP over the private network) passes for the right
# reason: no split-brain, lb2 never announced the VIP after the change and is backup
# by its own account. No keepalived or nginx is left.
# runner: weight 2
#   two labs at once with 100 ms VRRP adverts that a starved CPU turns into takeovers
source "$FL_TOP/tests/integration/lib.sh"
command -v keepalived >/dev/null || skip "keepalived not installed"
command -v nginx >/dev/null || skip "nginx not installed (Debian package nginx)"
s=$FL_TOP/scenarios/stacks
rc=0
faultline run -q --jobs 2 --run-dir "$FL_WORK/runs" --json "$FL_WORK/kn.json" \
	"$s/keepalived-nginx-reproduce.scn" "$s/keepalived-nginx-mitigated.scn" || rc=$?
[ "$rc" = 0 ] || fail "run exited $rc, wanted 0 (reproduced, pass)"
python3 - "$FL_WORK/kn.json" <<'P' || fail "report"
import json, sys

def last_state(d, node):  # keepalived's own last "Entering X STATE"
    st = None
    for f in ("out", "err"):
        for line in open("%s/%s.keepalived.%s" % (d, node, f)):
            if "Entering " in line and " STATE" in line:
                st = line.split("Entering ")[1].split()[0]
    return st

def announced_after_fault(d, node):  # wire announcements of the VIP by NODE
    ev = [json.loads(l) for l in open(d + "/events.jsonl")]
    t = [e["t_ns"] for e in ev if e.get("ev") == "apply" and e.get("match") == "vrrp"]
    assert len(t) == 1, t
    return sum(1 for e in ev if e.get("src") == "wire" and e.get("node") == node
               and e["t_ns"] > t[0] and (e.get("ip") == "198.18.0.100"
                                        or "198.18.0.100" in e.get("vips", "")))

def served(d, node):
    return sum(1 for _ in open("%s/%s.nginx.access" % (d, node)))

runs = {j["scenario"]: j for j in json.load(open(sys.argv[1]))}
for name in ("keepalived-nginx-reproduce", "keepalived-nginx-mitigated"):
    j = runs[name]
    d, f = j["run_dir"], j["metrics_during_faults"]
    print("%s: %s; split-brain during the fault %.0f ms, success %.2f%%, errors %d, "
          "outage %.0f ms; lb2 announced the VIP %d times after the change; served "
          "lb1 %d, lb2 %d; keepalived lb1 %s, lb2 %s"
          % (name, j["verdict"], f["split-brain"], f["success"], f["errors"],
             f["outage"], announced_after_fault(d, "lb2"), served(d, "lb1"),
             served(d, "lb2"), last_state(d, "lb1"), last_state(d, "lb2")))
    assert served(d, "lb1") > 300 and last_state(d, "lb1") == "MASTER"
    if name.endswith("reproduce"):
        assert j["verdict"] == "reproduced"
        assert f["split-brain"] > 5000, f["split-brain"]   # ~7.7 s of the 8 s
        assert announced_after_fault(d, "lb2") > 0 and last_state(d, "lb2") == "MASTER"
        assert served(d, "lb2") > 100                      # the client followed lb2 too
    else:
        assert j["verdict"] == "pass"
        assert f["split-brain"] == 0 and f["vip-moves"] == 0
        assert announced_after_fault(d, "lb2") == 0 and last_state(d, "lb2") == "BACKUP"
P
pgrep -af "$FL_WORK/runs/" && fail "keepalived or nginx left running"
echo ok
