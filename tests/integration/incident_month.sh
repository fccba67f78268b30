# Incident 2019-07, phase 5: the second half of July in two minutes, with and without
# the mitigations. The reproduction must trip the two-minute alert rule (scaled) and
# show split-brain; the mitigated month must not.
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
exec "$FL_TOP/scripts/demo" --jobs 2 --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/5-*.scn
