// The inspector's page and style, served by `listen` at /inspector. No build step, no
// network: everything the page needs comes from the listener itself.

/** The inspector page: static markup; everything from deliveries is added by the script as text. */
export const INSPECTOR_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ColiVara webhooks inspector</title>
<link rel="stylesheet" href="/inspector/app.css">
<script src="/inspector/app.js" defer></script>
</head>
<body>
<header>
  <h1>ColiVara webhooks <span>inspector</span></h1>
  <p id="where">Connecting to the listener…</p>
  <span id="conn" class="conn">connecting…</span>
</header>
<section class="timeline">
  <svg id="timeline" viewBox="0 0 1000 104" role="img" aria-label="Timeline: each delivery (circle: green accepted, red rejected, amber duplicate) and the answer it got (square: green 2xx, amber 4xx, red 5xx), evenly spaced, pauses marked"></svg>
  <p class="legend">Circles: each delivery, by verdict: <span class="dot accepted"></span>accepted <span class="dot rejected"></span>rejected <span class="dot duplicate"></span>duplicate · squares below: the answer it got (green 2xx, amber 4xx, red 5xx or none) · evenly spaced, oldest left; a dashed line marks a pause of 10 s or more · "type as claimed": the type an unverified body claims, which nobody signed</p>
</section>
<nav class="filters">
  <label>Verdict
    <select id="f-verdict">
      <option value="all">all</option>
      <option value="accepted">accepted</option>
      <option value="rejected">rejected</option>
      <option value="duplicate">duplicate</option>
    </select>
  </label>
  <label>Type
    <select id="f-type"><option value="all">all</option></select>
  </label>
  <span id="count"></span>
  <span id="note" role="status"></span>
</nav>
<main>
  <ol id="list" class="list" aria-label="Deliveries, newest first"></ol>
  <article id="detail" class="detail"></article>
</main>
</body>
</html>
`;

/** The inspector's style sheet. */
export const INSPECTOR_CSS: string = `:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header { display: flex; align-items: baseline; gap: 16px; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--bg); }
h1 { margin: 0; font-size: 18px; }
h1 span { font-weight: 400; color: var(--muted); }
#where { margin: 0; color: var(--muted); flex: 1; overflow-wrap: anywhere; }
.conn { font-size: 12px; padding: 2px 8px; border-radius: 10px; border: 1px solid var(--line); }
.conn.live { color: var(--ok); border-color: var(--ok); }
.conn.down { color: var(--bad); border-color: var(--bad); }
.timeline { padding: 8px 20px 0; border-bottom: 1px solid var(--line); }
#timeline { width: 100%; height: 104px; display: block; }
#timeline .pause-line { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 3 3; }
#timeline .pause-label { font-size: 11px; }
#timeline .axis { stroke: var(--line); stroke-width: 1; }
#timeline .label { font-size: 12px; fill: var(--muted); }
#timeline .link { stroke: #afb8c1; stroke-width: 1; }
#timeline .tick { cursor: pointer; }
#timeline .tick.selected circle { stroke: var(--fg); stroke-width: 2; }
#timeline .answer.ok { fill: var(--ok); }
#timeline .answer.warn { fill: var(--warn); }
#timeline .answer.bad, #timeline .answer.none { fill: var(--bad); }
.legend { margin: 0 0 8px; font-size: 12px; color: var(--muted); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin: 0 4px 0 8px; }
.dot.accepted { background: var(--ok); } .dot.rejected { background: var(--bad); } .dot.duplicate { background: var(--warn); }
.filters { display: flex; gap: 16px; align-items: center; padding: 8px 20px; border-bottom: 1px solid var(--line); }
.filters select { margin-left: 4px; }
#count { color: var(--muted); }
#note { margin-left: auto; color: var(--muted); }
main { display: grid; grid-template-columns: minmax(320px, 46%) 1fr; min-height: calc(100vh - 200px); }
.list { list-style: none; margin: 0; padding: 0; border-right: 1px solid var(--line); overflow: auto; }
.row { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; padding: 8px 14px; border-bottom: 1px solid var(--line); cursor: pointer; }
.row:hover { background: var(--bg); }
.row.selected { background: #ddf4ff; }
.row .seq, .row .time { color: var(--muted); font-variant-numeric: tabular-nums; }
.row .type { font-weight: 600; }
.badge { font-size: 12px; padding: 1px 7px; border-radius: 10px; color: #fff; white-space: nowrap; }
.badge.accepted { background: var(--ok); } .badge.rejected { background: var(--bad); } .badge.duplicate { background: var(--warn); }
.status { font-variant-numeric: tabular-nums; font-weight: 600; }
.status.ok { color: var(--ok); } .status.warn { color: var(--warn); } .status.bad, .status.none { color: var(--bad); }
.tag { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; white-space: nowrap; }
.empty { color: var(--muted); padding: 14px; }
.row .reason { font: 600 12px ui-monospace, monospace; color: var(--bad); }
.tag.claimed { cursor: help; border-style: dashed; }
.more { padding: 10px 14px; }
pre.copied { margin-bottom: 12px; }
.detail { padding: 12px 20px; overflow: auto; }
.detail h2 { margin: 0; font-size: 17px; display: flex; gap: 10px; align-items: center; }
.where { color: var(--muted); margin: 2px 0 10px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 10px; }
.actions button { white-space: nowrap; }
button { font: inherit; padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); cursor: pointer; }
button:hover { border-color: var(--muted); }
.box { margin-bottom: 12px; }
.box h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 4px; }
.facts { display: grid; grid-template-columns: 110px 1fr; gap: 2px 12px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.verdict.accepted { color: var(--ok); font-weight: 600; } .verdict.rejected { color: var(--bad); font-weight: 600; } .verdict.duplicate { color: var(--warn); font-weight: 600; }
.code { font-family: ui-monospace, monospace; }
.headers { border-collapse: collapse; font: 12px/1.5 ui-monospace, monospace; }
.headers th { text-align: left; padding-right: 14px; color: var(--muted); font-weight: 400; vertical-align: top; }
.headers td { overflow-wrap: anywhere; }
pre.body { margin: 0; padding: 10px; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; font: 12px/1.5 ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
.hint { color: var(--muted); margin: 4px 0 0; }
.alarm { color: var(--bad); font-weight: 600; margin: 4px 0 0; }
`;
