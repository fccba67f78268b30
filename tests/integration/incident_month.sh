# Incident 2019-07, phase 5: the second half of July in two minutes, with and without
# the mitigations. The reproduction must trip the two-minute alert rule (scaled) and
# show split-brain; the mitigated month must not.
# runner: cost 121
# runner: weight 3
#   two labs for two minutes with 100 ms heartbeats: beside other tests the mitigated
#   month measured split-brain 0.3 ms (twice, whole-suite runs); alone it passed
#   (121.5 s). Beside it at most one light test.
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
exec "$FL_TOP/scripts/demo" --jobs 2 --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/5-*.scn
