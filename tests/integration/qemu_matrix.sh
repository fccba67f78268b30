#!/usr/bin/env bash
# The kernel-parameter matrix: scenarios/examples/kernel-matrix.scn (a guest fl-lb pair,
# the master stalled for 5 s) run by `faultline matrix` with the default command line
# and with "noapic". Both columns must pass, and the matrix JSON must show what was
# really in effect: IO-APIC lines by default, none (XT-PIC instead) under noapic.
# runner: cost 73
# runner: exclusive
#   two TCG guests booting at once, a CPU each: the whole machine
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
need_guest_image

j="$FL_WORK/matrix.json"
faultline matrix --run-dir "$FL_WORK/runs-matrix" --json "$j" --set append= \
	--set append=noapic "$FL_TOP/scenarios/examples/kernel-matrix.scn"
rc=$?
[ -s "$j" ] || fail "no matrix JSON (exit $rc)"
python3 - "$j" <<'P' || fail "matrix JSON"
import json, re, sys
m = json.load(open(sys.argv[1]))
cols = m["columns"]
assert [c["value"] for c in cols] == ["", "noapic"], [c["value"] for c in cols]
for c in cols:
    r = c["result"]
    assert r is not None, "column %r has no result" % c["value"]
    assert len(r["guests"]) == 2, r["guests"]
    for g in r["guests"]:
        io, xt = map(int, re.match(r"IO-APIC (\d+) lines, XT-PIC (\d+) lines",
                                   g["interrupts"]).groups())
        print("%-7s %s: %s; clocksource %s; cmdline %s" % (c["value"] or "default",
              g["node"], g["interrupts"], g["clocksource"], g["cmdline"]))
        if c["value"] == "noapic":
            assert "noapic" in g["cmdline"].split(), g["cmdline"]
            assert io == 0 and xt > 0, g
        else:
            assert "noapic" not in g["cmdline"].split(), g["cmdline"]
            assert io > 0, g
    for e in r["expectations"]:
        print("%-7s %s" % (c["value"] or "default", json.dumps(e)[:160]))
P
[ $rc = 0 ] || fail "faultline matrix exited $rc (an expectation failed)"
echo "ok"
