// The inspector's script, served by `listen` at /inspector/app.js. Plain browser
// JavaScript (no build step): it renders every value from a delivery with textContent or
// SVG attributes, never as markup, so a body holding <script> shows as text.

/** The inspector's client script. */
export const INSPECTOR_SCRIPT: string = String.raw`"use strict";
(function () {
  var state = { list: [], bySeq: {}, types: {}, selected: 0, pinned: false, hello: null };
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
    li.appendChild(el("span", "type", d.type || "(no type)"));
    if (d.verdict === "rejected" && d.type) li.appendChild(el("span", "tag", "type as claimed"));
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
    field(dl, "Secret", secretText(d), "secret");
    field(dl, "Id", d.id || "(none)");
    field(dl, "Answered", d.status + " by " + d.answeredBy + " in " + d.durationMs + " ms");
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
    detail.appendChild(box);
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
    verdictBox(detail, d);
    appBox(detail, d);
    headersBox(detail, d);
    section(detail, "Body").appendChild(el("pre", "body delivery-body", pretty(d.body)));
  }

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
    var t0 = Date.parse(list[0].receivedAt);
    var span = Math.max(Date.parse(list[list.length - 1].receivedAt) - t0, 1);
    var last = -Infinity;
    list.forEach(function (d) {
      var x = list.length === 1 ? 540 : 100 + ((Date.parse(d.receivedAt) - t0) / span) * 880;
      x = Math.max(x, last + 9);
      last = x;
      drawDelivery(chart, d, x);
    });
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
        note.textContent = result.error
          ? "Replay failed: " + result.error
          : "Replay of #" + seq + " (" + mode + ") answered " + result.status;
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

  function onDelivery(d) {
    if (state.bySeq[d.seq]) return;
    state.bySeq[d.seq] = d;
    state.list.push(d);
    if (state.types[d.type || "(none)"] === undefined) state.types[d.type || "(none)"] = false;
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
