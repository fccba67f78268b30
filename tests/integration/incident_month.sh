# Incident 2019-07, phase 5: the second half of July in two minutes, with and without
# the mitigations. The reproduction must trip the two-minute alert rule (scaled) and
# show split-brain; the mitigated month must not.
# runner: cost 121
# runner: weight 2
#   several labs at once (or heartbeats every 100 ms that a starved CPU turns into
#   split-brain)
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
exec "$FL_TOP/scripts/demo" --jobs 2 --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/5-*.scn
