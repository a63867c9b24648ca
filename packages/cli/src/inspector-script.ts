// The inspector's script, served by `listen` at /inspector/app.js. Plain browser
// JavaScript (no build step): it renders every value from a delivery with textContent or
// SVG attributes, never as markup, so a body holding <script> shows as text.

/** The inspector's client script. */
export const INSPECTOR_SCRIPT: string = String.raw`"use strict";
(function () {
  var state = { list: [], bySeq: {}, types: {}, selected: 0, pinned: false, hello: null, oldest: null };
  var CLAIMED = "Not verified: the type this body claims. Nobody signed it, so it may be false.";
  var PAUSE_MS = 10000;
  var COLORS = { accepted: "#1a7f37", rejected: "#cf222e", duplicate: "#9a6700" };
  var SVG = "http://www.w3.org/2000/svg";

  function $(id) {
    return document.getElementById(id);
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (name) {
      node.setAttribute(name, String(attrs[name]));
    });
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function time(iso) {
    return new Date(iso).toTimeString().slice(0, 8);
  }
  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      return text;
    }
  }
  function statusClass(status) {
    if (status === undefined || status === null) return "none";
    if (status >= 200 && status < 300) return "ok";
    if (status >= 400 && status < 500) return "warn";
    return "bad";
  }
  function mark(verdict) {
    return verdict === "accepted" ? "✓" : verdict === "duplicate" ? "↺" : "✗";
  }
  function visible(d) {
    var verdict = $("f-verdict").value;
    var type = $("f-type").value;
    return (verdict === "all" || d.verdict === verdict) && (type === "all" || (d.type || "(none)") === type);
  }
  function skewText(d) {
    if (d.skewSeconds === undefined || d.skewSeconds === null) return "no usable timestamp";
    var s = d.skewSeconds;
    if (s === 0) return "signed the second it arrived";
    return s > 0 ? "signed " + s + " s before it arrived" : "signed " + -s + " s in the future";
  }
  function secretText(d) {
    var n = state.hello ? state.hello.secrets : 0;
    if (d.secretIndex === undefined || d.secretIndex === null) return "none of the " + n + " configured secret(s)";
    return "secret #" + d.secretIndex + " of " + n + " (index in the configured list)";
  }
  function answeredBy(d) {
    if (d.answeredBy === "app") return "your app (below)";
    if (d.answeredBy === "status") return "--status";
    return "the verifier";
  }
  function appText(d) {
    if (!d.app) return d.answeredBy === "status" ? "not forwarded: --status answered" : "not forwarded";
    if (d.app.error) return "no answer: " + d.app.error;
    return d.app.status + " in " + d.app.durationMs + " ms";
  }

  function row(d) {
    var li = el("li", "row " + d.verdict);
    li.setAttribute("data-seq", d.seq);
    li.setAttribute("data-verdict", d.verdict);
    li.setAttribute("tabindex", "0");
    if (d.seq === state.selected) li.className += " selected";
    li.appendChild(el("span", "seq", "#" + d.seq));
    li.appendChild(el("span", "time", time(d.receivedAt)));
    li.appendChild(el("span", "badge " + d.verdict, mark(d.verdict) + " " + d.verdict));
    li.appendChild(el("span", "status " + statusClass(d.status), d.status));
    // The reason before the type: eight rejected rows must not look the same.
    if (d.error) li.appendChild(el("span", "reason", d.error.code));
    li.appendChild(el("span", "type", d.type || "(no type)"));
    if (d.verdict === "rejected" && d.type) {
      var claimed = el("span", "tag claimed", "type as claimed");
      claimed.title = CLAIMED;
      li.appendChild(claimed);
    }
    if (d.replayOf) li.appendChild(el("span", "tag", "replay of #" + d.replayOf.seq));
    li.addEventListener("click", function () {
      select(d.seq, true);
    });
    li.addEventListener("keydown", function (event) {
      if (event.key === "Enter") select(d.seq, true);
    });
    return li;
  }

  function renderList() {
    var list = $("list");
    clear(list);
    var shown = state.list.filter(visible);
    for (var i = shown.length - 1; i >= 0; i--) list.appendChild(row(shown[i]));
    $("count").textContent = shown.length + " of " + state.list.length + " deliveries";
    if (state.list.length === 0) list.appendChild(el("li", "empty", "Waiting for deliveries…"));
    if (hasOlder()) {
      var more = el("li", "more");
      var button = el("button", "older", "Load older deliveries");
      button.addEventListener("click", loadOlder);
      more.appendChild(button);
      list.appendChild(more);
    }
  }

  function hasOlder() {
    if (!state.hello || state.hello.oldest === undefined || state.hello.oldest === null) return false;
    var first = state.list.length > 0 ? state.list[0].seq : Infinity;
    return state.oldest === null ? first > state.hello.oldest : state.oldest;
  }

  function loadOlder() {
    var first = state.list.length > 0 ? state.list[0].seq : 0;
    fetch("/inspector/history?before=" + first)
      .then(function (response) {
        return response.json();
      })
      .then(function (page) {
        page.deliveries.forEach(function (d) {
          if (state.bySeq[d.seq]) return;
          state.bySeq[d.seq] = d;
          noteType(d);
        });
        state.list = page.deliveries.filter(function (d) {
          return state.list.indexOf(d) === -1 && state.bySeq[d.seq] === d;
        }).concat(state.list);
        state.oldest = page.more;
        render();
      });
  }

  function field(dl, name, value, cls) {
    dl.appendChild(el("dt", null, name));
    dl.appendChild(el("dd", cls || null, value));
  }

  function section(parent, title) {
    var box = el("section", "box");
    box.appendChild(el("h3", null, title));
    parent.appendChild(box);
    return box;
  }

  function verdictBox(detail, d) {
    var dl = el("dl", "facts");
    field(dl, "Verdict", mark(d.verdict) + " " + d.verdict, "verdict " + d.verdict);
    if (d.error) {
      field(dl, "Code", d.error.code, "code");
      field(dl, "Reason", d.error.message);
    } else if (d.verdict === "duplicate") {
      field(dl, "Reason", "already handled: acknowledged (200 {\"duplicate\":true}), not handled again");
    }
    field(dl, "Signed", d.signedAt ? d.signedAt + " (" + skewText(d) + ")" : skewText(d));
    if (d.type) field(dl, "Type", d.verified ? d.type : d.type + " (as claimed: " + CLAIMED + ")", "type-fact");
    field(dl, "Secret", secretText(d), "secret");
    field(dl, "Id", d.id || "(none)");
    // One duration per answer: the app's own time is in its box, the listener's only when it answered itself.
    field(dl, "Answered", d.status + " by " + answeredBy(d) + (d.app ? "" : " in " + d.durationMs + " ms"), "answered");
    if (d.replayOf) field(dl, "Replay of", "#" + d.replayOf.seq + " (" + d.replayOf.mode + ")");
    section(detail, "Verdict").appendChild(dl);
  }

  function replayButtons(detail, d) {
    var box = el("div", "actions");
    var again = el("button", "replay", "Replay re-signed (new id, fresh timestamp)");
    again.setAttribute("data-mode", "resign");
    var same = el("button", "replay", "Replay as it was (must be refused)");
    same.setAttribute("data-mode", "as-is");
    [again, same].forEach(function (button) {
      button.addEventListener("click", function () {
        replay(d.seq, button.getAttribute("data-mode"));
      });
      box.appendChild(button);
    });
    var curl = el("button", "copy-curl", "Copy as curl");
    curl.addEventListener("click", function () {
      copyAsCurl(d);
    });
    var save = el("button", "save-file", "Save as delivery file");
    save.addEventListener("click", function () {
      saveFile(d);
    });
    box.appendChild(curl);
    box.appendChild(save);
    detail.appendChild(box);
  }

  function savedDelivery(d) {
    return fetch("/inspector/delivery/" + d.seq).then(function (response) {
      if (!response.ok) throw new Error("delivery #" + d.seq + " is no longer kept");
      return response.json();
    });
  }

  function quote(text) {
    return "'" + String(text).replace(/'/g, "'\\''") + "'";
  }

  function curlOf(d, saved) {
    var url = (state.hello ? state.hello.origin : "") + d.path;
    var lines = ["curl -X POST " + quote(url)];
    Object.keys(saved.headers).forEach(function (name) {
      lines.push("  -H " + quote(name + ": " + saved.headers[name]));
    });
    lines.push("  --data-binary " + quote(saved.body));
    return lines.join(" \\\n");
  }

  function copyAsCurl(d) {
    savedDelivery(d)
      .then(function (saved) {
        var text = curlOf(d, saved);
        var shown = $("copied");
        shown.hidden = false;
        shown.textContent = text;
        $("note").textContent = "curl command for #" + d.seq + " below (full signature: it replays this exact delivery)";
        if (navigator.clipboard) return navigator.clipboard.writeText(text).then(function () {
          $("note").textContent = "Copied the curl command for #" + d.seq + " (also shown below)";
        }, function () {});
      })
      .catch(function (error) {
        $("note").textContent = "Copy failed: " + error.message;
      });
  }

  function saveFile(d) {
    savedDelivery(d)
      .then(function (saved) {
        var blob = new Blob([JSON.stringify(saved, null, 2) + "\n"], { type: "application/json" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "delivery-" + d.seq + ".json";
        document.body.appendChild(link);
        link.click();
        link.remove();
        $("note").textContent = "Saved delivery-" + d.seq + ".json: check it with colivara-webhooks verify delivery-" + d.seq + ".json";
      })
      .catch(function (error) {
        $("note").textContent = "Save failed: " + error.message;
      });
  }

  function headersBox(detail, d) {
    var table = el("table", "headers");
    d.headers.forEach(function (pair) {
      var tr = el("tr");
      tr.appendChild(el("th", null, pair[0]));
      tr.appendChild(el("td", null, pair[1]));
      table.appendChild(tr);
    });
    section(detail, "Headers (signatures shortened)").appendChild(table);
  }

  function appBox(detail, d) {
    var box = section(detail, "Your app's answer");
    var dl = el("dl", "facts");
    field(dl, "Answer", appText(d), "app " + statusClass(d.app && d.app.status));
    if (d.app && d.app.url) field(dl, "App", d.app.url);
    box.appendChild(dl);
    if (d.app && d.app.body) box.appendChild(el("pre", "body app-body", pretty(d.app.body)));
    if (d.app && d.app.bodyCut) box.appendChild(el("p", "hint cut", "Cut: only the first 64 KiB of the app's answer is kept."));
    if (!d.app && d.answeredBy === "verifier") {
      box.appendChild(el("p", "hint", "Start listen with --forward-to <your app's URL> to pass deliveries on."));
    }
    if (d.app && d.verdict === "rejected" && d.app.status >= 200 && d.app.status < 300) {
      box.appendChild(el("p", "alarm", "Your app accepted a delivery the verifier rejected."));
    }
  }

  function renderDetail() {
    var detail = $("detail");
    clear(detail);
    var d = state.bySeq[state.selected];
    if (!d) {
      detail.appendChild(el("p", "empty", "Select a delivery to see its verdict, headers, body and your app's answer."));
      return;
    }
    var title = el("h2", null, "#" + d.seq + " " + (d.type || "(no type)"));
    title.appendChild(el("span", "badge " + d.verdict, mark(d.verdict) + " " + d.verdict));
    detail.appendChild(title);
    detail.appendChild(el("p", "where", d.method + " " + d.path + " at " + d.receivedAt + " · " + d.bodyBytes + " bytes"));
    replayButtons(detail, d);
    var copied = el("pre", "body copied");
    copied.id = "copied";
    copied.hidden = true;
    detail.appendChild(copied);
    verdictBox(detail, d);
    appBox(detail, d);
    headersBox(detail, d);
    var bodyBox = section(detail, "Body");
    if (d.bodyCut) {
      bodyBox.appendChild(el("p", "hint cut", "Cut: showing the first 64 KiB of " + d.bodyBytes + " bytes (the history keeps its size bounded). Replay and the saved file use the whole body while the delivery is kept."));
    }
    bodyBox.appendChild(el("pre", "body delivery-body", d.bodyCut ? d.body : pretty(d.body)));
  }

  // Ordinal spacing: every delivery gets the same room, so a burst after a long pause stays
  // readable; a dashed line marks each pause of 10 s or more, labelled with its length.
  function drawTimeline() {
    var chart = $("timeline");
    clear(chart);
    var list = state.list;
    chart.appendChild(svg("line", { x1: 90, y1: 28, x2: 990, y2: 28, class: "axis" }));
    chart.appendChild(svg("line", { x1: 90, y1: 72, x2: 990, y2: 72, class: "axis" }));
    var label1 = svg("text", { x: 4, y: 32, class: "label" });
    label1.textContent = "deliveries";
    var label2 = svg("text", { x: 4, y: 76, class: "label" });
    label2.textContent = "answers";
    chart.appendChild(label1);
    chart.appendChild(label2);
    if (list.length === 0) return;
    var step = list.length === 1 ? 0 : Math.min(40, 880 / (list.length - 1));
    list.forEach(function (d, i) {
      var x = list.length === 1 ? 540 : 100 + i * step;
      var gap = i === 0 ? 0 : Date.parse(d.receivedAt) - Date.parse(list[i - 1].receivedAt);
      if (gap >= PAUSE_MS) drawPause(chart, x - step / 2, gap);
      drawDelivery(chart, d, x);
    });
  }

  function pauseText(ms) {
    var s = Math.round(ms / 1000);
    if (s < 120) return s + " s";
    if (s < 7200) return Math.round(s / 60) + " min";
    return Math.round(s / 3600) + " h";
  }

  function drawPause(chart, x, gap) {
    var g = svg("g", { class: "pause" });
    g.appendChild(svg("line", { x1: x, y1: 14, x2: x, y2: 86, class: "pause-line" }));
    var label = svg("text", { x: x, y: 98, class: "label pause-label", "text-anchor": "middle" });
    label.textContent = "+" + pauseText(gap);
    g.appendChild(label);
    chart.appendChild(g);
  }

  function drawDelivery(chart, d, x) {
    var g = svg("g", { class: "tick" + (d.seq === state.selected ? " selected" : ""), "data-seq": d.seq });
    var answer = d.app ? d.app.status : d.status;
    g.appendChild(svg("line", { x1: x, y1: 28, x2: x, y2: 72, class: "link" }));
    g.appendChild(svg("circle", { cx: x, cy: 28, r: 6, fill: COLORS[d.verdict] }));
    g.appendChild(svg("rect", { x: x - 5, y: 67, width: 10, height: 10, class: "answer " + statusClass(answer) }));
    var tip = svg("title", {});
    tip.textContent = "#" + d.seq + " " + (d.type || "") + ": " + d.verdict + ", answered " + d.status;
    g.appendChild(tip);
    g.addEventListener("click", function () {
      select(d.seq, true);
    });
    chart.appendChild(g);
  }

  function renderTypes() {
    var select = $("f-type");
    Object.keys(state.types).forEach(function (type) {
      if (state.types[type]) return;
      state.types[type] = true;
      var option = el("option", null, type);
      option.value = type;
      select.appendChild(option);
    });
  }

  function render() {
    renderTypes();
    renderList();
    renderDetail();
    drawTimeline();
  }

  function select(seq, pinned) {
    state.selected = seq;
    if (pinned) state.pinned = true;
    render();
  }

  // What a replay came to, against what it should: a copy as it was must be refused.
  function replayText(seq, mode, result) {
    var copy = result.seq ? " (#" + result.seq + ")" : "";
    var head = "Replay of #" + seq + (mode === "as-is" ? " as it was" : " re-signed") + copy + ": ";
    var code = result.code ? " (" + result.code + ")" : "";
    if (mode === "as-is") {
      if (result.verdict === "duplicate") return head + "refused as duplicate, as expected";
      if (result.verdict === "rejected") return head + "refused" + code + ", as expected";
      if (result.verdict === "accepted") return head + "accepted, but a copy must be refused: it was handled twice";
    } else {
      if (result.verdict === "accepted") return head + "accepted, as expected";
      if (result.verdict) return head + result.verdict + code;
    }
    return head + "answered " + result.status;
  }

  function replay(seq, mode) {
    var note = $("note");
    note.textContent = "Replaying #" + seq + "…";
    fetch("/inspector/replay", {
      method: "POST",
      headers: { "content-type": "application/json", "x-colivara-inspector": "replay" },
      body: JSON.stringify({ seq: seq, mode: mode }),
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (result) {
        note.textContent = result.error ? "Replay failed: " + result.error : replayText(seq, mode, result);
      })
      .catch(function (error) {
        note.textContent = "Replay failed: " + error;
      });
  }

  function onHello(hello) {
    state.hello = hello;
    var where = "Deliveries to " + hello.url + (hello.anyPath ? " (any path)" : "");
    where += " · " + hello.secrets + " secret(s)";
    if (hello.forwardTo) where += " · forwarding to " + hello.forwardTo;
    if (hello.status) where += " · answering every delivery " + hello.status;
    $("where").textContent = where;
  }

  function noteType(d) {
    if (state.types[d.type || "(none)"] === undefined) state.types[d.type || "(none)"] = false;
  }

  function onDelivery(d) {
    if (state.bySeq[d.seq]) return;
    state.bySeq[d.seq] = d;
    state.list.push(d);
    noteType(d);
    if (!state.pinned) state.selected = d.seq;
    render();
  }

  function connect() {
    var source = new EventSource("/inspector/events");
    source.addEventListener("open", function () {
      $("conn").textContent = "live";
      $("conn").className = "conn live";
    });
    source.addEventListener("error", function () {
      $("conn").textContent = "reconnecting…";
      $("conn").className = "conn down";
    });
    source.addEventListener("hello", function (event) {
      onHello(JSON.parse(event.data));
    });
    source.addEventListener("delivery", function (event) {
      onDelivery(JSON.parse(event.data));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("f-verdict").addEventListener("change", render);
    $("f-type").addEventListener("change", render);
    render();
    connect();
  });
})();
`;
