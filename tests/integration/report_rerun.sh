#!/usr/bin/env bash
# faultline report: a kept run directory judged again without a lab. A short failover
# run with --set, --seed, --json, --svg, --junit and --html; its scenario file is then
# removed (the run directory's copy is what report reads). Then:
#   - report RUN_DIR --json gives the run's JSON byte for byte (no member differs), the
#     same SVG, JUnit and exit status, also when the directory is named with a trailing
#     slash (run_dir is the directory as named: the test names it as the run did);
#   - --expect judges other expectations: a success threshold just above / below the
#     measured value fails / passes (exit 1 / 0); a bad one is refused with its position;
#   - --html writes the run's own page byte for byte, which headless Chromium renders:
#     the verdict, the expectations,
#     the timeline SVG with its bars and legend, every relative link resolving in the
#     run directory, a screenshot that shows the timeline's colours;
#   - report runs/ --html index.html: an index of every kept run (a copy of the run, and
#     a directory with no start record listed as not judged), each linking to its page.
# runner: weight 2
#   headless Chromium renders two pages (a CPU for seconds)
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v python3 >/dev/null || skip "python3 not installed"
chromium=$(command -v chromium || command -v chromium-browser) ||
	skip "chromium not installed (scripts/install-deps installs it)"

f=$(scn rerun <<'EOF2'
scenario rerun
description "A short failover, judged again from its run directory"
duration 5s
seed 3
param rate "100/s"

network public  198.18.62.0/24
network private 198.18.63.0/24

node lb1    on public private
node lb2    on public private
node web1   on private
node web2   on private
node client on public

service web1 web
service web2 web
service lb1  lb vip 198.18.62.100 backends web1 web2 priority 150 advert 100ms
service lb2  lb vip 198.18.62.100 backends web1 web2 priority 100 advert 100ms
service client load http://198.18.62.100/ rate ${rate} timeout 1s

at 2s kill lb1 lb
random 30/m from 1s until 4s loss client.public 20% for 300ms

expect failover < 2s
expect split-brain == 0s
expect success >= 50%
EOF2
)
rc_run=0
faultline run -q --run-dir runs --set rate=80/s --seed 11 --json run.json --svg run.svg \
	--junit run.xml --html run.html "$f" 2>run.err || rc_run=$?
[ "$rc_run" -le 1 ] || fail "run: exit $rc_run: $(cat run.err)"
rm "$f"
d=$(jq -r .run_dir run.json)
[ -d "$d" ] && [ "$d" = "runs/$(readlink runs/latest)" ] || fail "run_dir '$d'"
jq -e '.seed == 11 and .params.rate == "80/s" and (.faults | length) >= 1' run.json >/dev/null ||
	fail "run.json: seed/params/faults: $(jq -c '{seed, params, faults}' run.json)"

echo "== the same figures"
rc=0
faultline report "$d" --json again.json --svg again.svg --junit again.xml >again.txt 2>again.err ||
	rc=$?
[ "$rc" = "$rc_run" ] || fail "report: exit $rc, the run $rc_run: $(cat again.err)"
cmp run.json again.json || fail "JSON differs: $(diff run.json again.json | head -20)"
cmp run.svg again.svg || fail "SVG differs"
cmp run.xml again.xml || fail "JUnit differs"
grep -q "^scenario rerun (seed 11)  run $d\$" again.txt || fail "table: $(cat again.txt)"
faultline report "$d/" -q --json slash.json || [ $? = 1 ] || fail "report $d/"
cmp run.json slash.json || fail "a trailing slash changes the JSON"

echo "== other expectations"
s=$(jq .metrics.success run.json)
above=$(python3 -c "print('%.2f%%' % min($s + 0.5, 100))")
below=$(python3 -c "print('%.2f%%' % max($s - 0.5, 0))")
rc=0
faultline report "$d" -q --expect "success > $above" --json hi.json || rc=$?
[ "$rc" = 1 ] || fail "success > $above (measured $s): exit $rc, wanted 1"
jq -e --arg t "success > $above" '.verdict == "fail" and (.expectations | length) == 1 and
	.expectations[0].text == $t and .expectations[0].passed == false and
	.metrics == input.metrics' hi.json run.json >/dev/null || fail "hi.json: $(jq -c .expectations hi.json)"
rc=0
faultline report "$d" -q --expect "success >= $below" --expect "requests >= 1 of client" || rc=$?
[ "$rc" = 0 ] || fail "success >= $below (measured $s): exit $rc, wanted 0"
rc=0
faultline report "$d" --expect "success >= 50%" --expect "success >= 95% of web1" 2>bad.err || rc=$?
[ "$rc" = 2 ] || fail "a bad --expect: exit $rc, wanted 2"
grep -qx "faultline report: --expect:2:19: node 'web1' has no client service (clients: client.load)" \
	bad.err || fail "bad --expect message: $(cat bad.err)"

echo "== the page, in Chromium"
faultline report "$d" -q --html page.html || [ $? = 1 ] || fail "report --html"
cmp run.html page.html || fail "the run's page and report's differ: $(diff run.html page.html | head)"
browse() { # browse URL ARGS...: headless Chromium on a file of the work dir
	local u=$1; shift
	timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$FL_WORK/chr.XXXX")" "$@" "file://$FL_WORK/$u" 2>>chromium.err
}
# one Chromium for both (each start costs seconds): the DOM as rendered, and a screenshot
# at half scale (a quarter of the pixels for png_colors.py to read)
browse page.html --dump-dom --screenshot="$FL_WORK/page.png" --window-size=1100,1400 \
	--force-device-scale-factor=0.5 >page.dom || fail "chromium: $(tail -3 chromium.err)"
[ -s page.png ] || fail "chromium wrote no screenshot: $(tail -3 chromium.err)"
verdict=$(jq -r .verdict run.json | tr a-z A-Z)
python3 - "$d" "$verdict" page.dom <<'EOF2' || fail "page.html as rendered"
import html.parser, os, sys
run_dir, verdict, dom = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.hrefs = []; s.rects = 0; s.legend = set()
        s.fills = set(); s.text = {}; s.ids = set(); s.svg = 0
    def handle_starttag(s, tag, a):
        a = dict(a); s.stack.append((tag, a.get("id")))
        if a.get("id"): s.ids.add(a["id"])
        if tag == "a": s.hrefs.append(a["href"])
        if tag == "svg": s.svg += 1
        inleg = any(i == "legend" for _, i in s.stack)
        if tag == "rect" and "fill" in a and a["fill"] != "white":
            (s.legend if inleg else s.fills).add(a["fill"]); s.rects += 1
    def handle_endtag(s, tag):
        while s.stack and s.stack.pop()[0] != tag: pass
    def handle_data(s, d):
        for _, i in s.stack:
            if i: s.text[i] = s.text.get(i, "") + d
p = P(); p.feed(dom)
bad = []
if p.svg != 1: bad.append("%d svg elements" % p.svg)
if p.rects < 50: bad.append("only %d bars" % p.rects)
if p.fills - p.legend: bad.append("colours without a legend entry: %s" % sorted(p.fills - p.legend))
if p.text.get("verdict", "").strip() != verdict: bad.append("verdict %r" % p.text.get("verdict"))
for i in ("expectations", "metrics", "faults", "files", "clients"):
    if i not in p.ids: bad.append("no table " + i)
if "success &gt;= 50%" not in dom and "success >= 50%" not in dom: bad.append("no expectation text")
rel = [h for h in p.hrefs if "://" not in h]
if len(rel) != len(p.hrefs): bad.append("absolute links: %s" % [h for h in p.hrefs if "://" in h])
for h in rel:
    if not os.path.exists(h): bad.append("link %s does not resolve" % h)
    elif not os.path.realpath(h).startswith(os.path.realpath(run_dir)): bad.append("link %s leaves the run dir" % h)
for need in ("events.jsonl", "requests.csv", "scenario.scn", "lb1.lb.events"):
    if os.path.join(run_dir, need) not in rel: bad.append("no link to " + need)
print("page: %d bars, %d links, legend %s" % (p.rects, len(rel), sorted(p.legend)))
if bad: print("\n".join(bad)); sys.exit(1)
EOF2
# the screenshot shows the page: the ok-requests green and the VIP owners' colours of the SVG
python3 "$FL_TOP/tests/integration/png_colors.py" page.png '#2a9d8f' '#457b9d' '#8338ec' >png.txt ||
	fail "page.png: $(cat png.txt)"
cat png.txt
awk '$1 == "nonwhite" && $2 < 20000 { exit 1 } $1 != "nonwhite" && $2 < 200 { exit 1 }' png.txt ||
	fail "the screenshot is blank or lacks the timeline: $(tr '\n' ' ' <png.txt)"

echo "== the index of runs/"
cp -a "$d" "${d}-copy"
mkdir runs/old && echo '{"t_ns":1,"src":"run","ev":"lab"}' >runs/old/events.jsonl
rc=0
faultline report runs -q --html index.html --json all.json 2>index.err || rc=$?
[ "$rc" = "$rc_run" ] || fail "report runs: exit $rc: $(cat index.err)"
grep -q "runs/old: events.jsonl has no start record" index.err || fail "old: $(cat index.err)"
jq -e 'length == 2 and (map(.metrics) | .[0] == .[1])' all.json >/dev/null || fail "all.json"
browse index.html --dump-dom >index.dom || fail "chromium --dump-dom index"
python3 - "$d" index.dom <<'EOF2' || fail "index.html as rendered"
import html.parser, os, sys
run_dir, dom = sys.argv[1], open(sys.argv[2]).read()
class P(html.parser.HTMLParser):
    def __init__(s): super().__init__(); s.hrefs = []; s.rows = 0; s.texts = []; s.ina = False
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "a": s.hrefs.append(a["href"]); s.texts.append(""); s.ina = True
        if tag == "tr": s.rows += 1
    def handle_endtag(s, tag):
        if tag == "a": s.ina = False
    def handle_data(s, d):
        if s.ina: s.texts[-1] += d
p = P(); p.feed(dom)
want = {run_dir + "/report.html", run_dir + "-copy/report.html", "runs/old/"}
bad = [] if set(p.hrefs) == want else ["links %s, wanted %s" % (p.hrefs, sorted(want))]
bad += ["link %s does not resolve" % h for h in p.hrefs if not os.path.exists(h)]
# each link is named by the run directory it leads to
bad += ["link %s named %r" % (h, t) for h, t in zip(p.hrefs, p.texts)
        if t != os.path.basename(h.replace("/report.html", "").rstrip("/"))]
if p.rows != 4: bad.append("%d rows, wanted a heading and 3 runs" % p.rows)
if "not judged" not in dom: bad.append("old is not listed as not judged")
if bad: print("\n".join(bad)); sys.exit(1)
EOF2
grep -q '<svg' "$d/report.html" || fail "no page in the run directory"
# the page in the run directory links its files by bare names, and the directory as ./
python3 - "$d/report.html" <<'EOF2' || fail "$d/report.html: links"
import os, re, sys
page = sys.argv[1]; base = os.path.dirname(page)
hrefs = re.findall(r'href="([^"]*)"', open(page).read())
bad = [h for h in hrefs if "/" in h.rstrip("/") or not os.path.exists(os.path.join(base, h))]
if "./" not in hrefs or "events.jsonl" not in hrefs or "report.html" in hrefs or bad:
    print("links", hrefs, "bad", bad); sys.exit(1)
EOF2
echo "report_rerun: ok"
