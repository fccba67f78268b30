# Incident 2019-07, phase 3: heartbeat silences and lockups of an HA pair. Plain VRRP
# must fail on split-brain (and outage), ha safe must show none, the single-LB
# fallback has no split-brain but fails on availability. All three at once, each in a
# lab of its own: together they take about 5 s of CPU in their 40 s (measured).
# runner: weight 2
#   several labs at once (or heartbeats every 100 ms that a starved CPU turns into
#   split-brain)
. "$FL_TOP/tests/integration/lib.sh"
d=$FL_TOP/scenarios/incident-2019-07
exec "$FL_TOP/scripts/demo" --jobs 3 --run-dir "$FL_WORK/runs" --out "$FL_WORK/out" "$d"/3-*.scn
