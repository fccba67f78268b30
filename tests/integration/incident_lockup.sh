# Incident 2019-07, phase 2: QEMU backends freezing at random; untuned health checks
# fail the SLA, fast ones hold it. Also: the guests really booted with the command
# line of the `append` param (empty / noapic), as the report's guest facts show.
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
"$FL_TOP/scripts/demo" --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/2-lockup-*.scn
rc=$?
[ $rc = 0 ] || exit $rc
n=$(jq -r 'if type == "array" then .[] else . end | select(.scenario == "lockup-mitigated") | .guests[] | select(.cmdline | test("(^| )noapic( |$)")) | .node' "$FL_WORK"/out/*.json | wc -l)
[ "$n" = 2 ] || fail "lockup-mitigated: $n of 2 guests report noapic on their kernel command line"
n=$(jq -r 'if type == "array" then .[] else . end | select(.scenario == "lockup-reproduce") | .guests[] | select(.cmdline | test("noapic")) | .node' "$FL_WORK"/out/*.json | wc -l)
[ "$n" = 0 ] || fail "lockup-reproduce: $n guests report noapic, wanted none"
echo "ok: phase 2 as expected; guests' command lines as the param says"
