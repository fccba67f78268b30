# Incident 2019-07, phase 4: single servers silently cut off the private network.
# Default checks and a database without a copy fail the SLA; tuned checks and a
# replica hold it.
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
exec "$FL_TOP/scripts/demo" --jobs 2 --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/4-*.scn
