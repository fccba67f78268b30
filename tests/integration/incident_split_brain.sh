# Incident 2019-07, phase 3: heartbeat silences and lockups of an HA pair. Plain VRRP
# must fail on split-brain (and outage), ha safe must show none, the single-LB
# fallback has no split-brain but fails on availability.
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
exec "$FL_TOP/scripts/demo" --jobs 2 --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/3-*.scn
