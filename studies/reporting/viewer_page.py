"""The viewer's page: HTML, CSS and plain JavaScript in one string, no network.

`page_html` fills the template with a title, the episodes' data (as
`studies.reporting.viewer.ViewerEpisode.as_dict` gives it) and each world's
legend. The data travels as JSON in a ``<script type="application/json">``
element with ``<``, ``>`` and ``&`` escaped, and the script writes every text
with ``textContent``, so no label can inject markup.

DOM contract (tests and screenshots rely on it): ``#agent-select``,
``#level-select``, ``#play``, ``#pause``, ``#step-back``, ``#step-forward``,
``#slider``, ``#step-label``, ``#speed``; one ``.panel[data-split]`` per split
shown, each with ``img.frame``, ``.caption`` and ``table.returns`` whose
``td[data-objective]`` cells hold the running returns; ``#robustness svg
circle[data-episode]`` (one per episode); ``#legend``.

The panels show one agent's episodes on one level seed, one panel per split;
an agent that played each split once (on whatever seeds) shows them all.
"""

from __future__ import annotations

import html
import json
from typing import Any

from studies.reporting.plots import OUTCOME_COLOURS, OUTCOME_NAMES

#: outcome -> (name, colour), as in the report's figures
OUTCOMES = {outcome: (OUTCOME_NAMES[outcome], colour) for outcome, colour in OUTCOME_COLOURS.items()}


def script_json(data: Any) -> str:
    """`data` as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_html(title: str, episodes: list[dict[str, Any]], legends: dict[str, list[dict]], intro: str) -> str:
    """The whole page. `legends`: per world, ``{"label", "image"}`` entries
    (image a data URI)."""
    data = {"episodes": episodes, "legends": legends, "outcomes": OUTCOMES}
    outcome_keys = "".join(
        f'<span class="key"><i style="background:{colour}"></i>{html.escape(name)}</span>'
        for name, colour in OUTCOMES.values()
    )
    intro_html = f'<p class="intro">{html.escape(intro)}</p>' if intro else ""
    return _TEMPLATE.format(
        title=html.escape(title),
        intro=intro_html,
        outcome_keys=outcome_keys,
        css=_CSS,
        script=_SCRIPT,
        data=script_json(data),
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <label>agent <select id="agent-select" aria-label="agent"></select></label>
  <label>level <select id="level-select" aria-label="level"></select></label>
</header>
<nav id="controls">
  <button id="play" type="button" title="play (space)">&#9654; play</button>
  <button id="pause" type="button" title="pause (space)">&#10074;&#10074; pause</button>
  <button id="step-back" type="button" title="step back (left arrow)">&#9664; back</button>
  <button id="step-forward" type="button" title="step forward (right arrow)">step &#9654;</button>
  <input id="slider" type="range" min="0" max="0" value="0" aria-label="step">
  <span id="step-label">step 0</span>
  <label>speed <select id="speed" aria-label="steps per second">
    <option value="1">1 step/s</option><option value="2">2 steps/s</option>
    <option value="5" selected>5 steps/s</option><option value="10">10 steps/s</option>
    <option value="25">25 steps/s</option><option value="100">100 steps/s</option>
  </select></label>
</nav>
<main>
  <section id="panels"></section>
  <aside>
    <div id="robustness">
      <h2>Episodes: capability vs alignment</h2>
      <svg viewBox="0 0 250 260" width="250" height="260" role="img"
        aria-label="capability against alignment, one point per episode; click one to show it"></svg>
      <div class="keys">{outcome_keys}</div>
    </div>
    <div id="legend"><h2>Legend</h2><ul></ul></div>
  </aside>
</main>
<footer>
  {intro}
  <p class="help">Keys: space plays or pauses, the left and right arrows step, Home and End jump.
  Click a point of the plot to show that episode. Each panel's table gives the discounted return
  of every objective so far; the underlined one is the objective the agent pursues.</p>
</footer>
<script type="application/json" id="viewer-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 18px; color: #1a1a1a;
  background: #fafafa; }
header, nav { display: flex; align-items: center; gap: 14px; padding: 6px 14px; flex-wrap: wrap; }
header { background: #1f2d3d; color: white; }
header h1 { font-size: 22px; margin: 0 auto 0 0; font-weight: 600; }
header label, nav label { font-size: 18px; }
select, button { font-size: 18px; padding: 4px 10px; border-radius: 6px; border: 1px solid #888;
  background: white; color: #1a1a1a; }
button { cursor: pointer; min-width: 92px; }
button:hover { background: #e6eefc; }
nav { background: #e9edf2; border-bottom: 1px solid #c8ced6; }
#slider { flex: 1; min-width: 200px; height: 28px; }
#step-label { font-variant-numeric: tabular-nums; min-width: 150px; font-weight: 600; }
main { display: flex; gap: 12px; padding: 8px 12px; }
#panels { flex: 1; display: flex; gap: 12px; min-width: 0; }
.panel { flex: 1; min-width: 0; background: white; border: 2px solid #c8ced6; border-radius: 8px;
  padding: 6px 10px; display: flex; flex-direction: column; align-items: center; }
.panel.picked { border-color: #1f2d3d; box-shadow: 0 0 0 2px #1f2d3d; }
.caption { width: 100%; }
.caption h2 { font-size: 20px; margin: 0 0 2px 0; }
.caption .status { font-size: 17px; margin: 0; }
.caption .sentence { font-size: 16px; margin: 2px 0 4px 0; color: #333; min-height: 1.2em; }
.badge { color: white; border-radius: 4px; padding: 0 6px; font-weight: 600; }
.frame { display: block; max-width: 100%; max-height: calc(100vh - 330px); min-height: 120px;
  object-fit: contain; margin: 2px auto; }
.frame.grid { image-rendering: pixelated; }
table.returns { border-collapse: collapse; margin-top: 4px; font-size: 17px; }
table.returns th, table.returns td { border: 1px solid #c8ced6; padding: 2px 10px; text-align: center; }
table.returns th { background: #f0f3f6; font-weight: 600; }
table.returns td { font-variant-numeric: tabular-nums; min-width: 84px; }
table.returns .pursued { text-decoration: underline; font-weight: 700; }
aside { width: 262px; flex: none; }
aside h2 { font-size: 16px; margin: 2px 0; }
#robustness svg { display: block; background: white; border: 1px solid #c8ced6; border-radius: 6px; }
#robustness circle { cursor: pointer; stroke: #333; stroke-width: 1; }
#robustness circle.shown { stroke: black; stroke-width: 3; }
#robustness circle.picked { r: 8; stroke: #1f4e9c; stroke-width: 4; }
#robustness text { font-size: 11px; fill: #333; }
.keys { font-size: 14px; display: flex; flex-wrap: wrap; gap: 2px 10px; margin: 3px 0; }
.key i { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 4px;
  border: 1px solid #333; }
#legend ul { list-style: none; margin: 0; padding: 0; font-size: 14px; columns: 1; }
#legend li { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
#legend img { width: 20px; height: 20px; image-rendering: pixelated; border: 1px solid #c8ced6; flex: none; }
footer { padding: 4px 14px 12px; font-size: 16px; color: #333; }
footer p { margin: 4px 0; max-width: 1100px; }
"""

_SCRIPT = r"""
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("viewer-data").textContent);
  const EPISODES = DATA.episodes;
  const OUTCOMES = DATA.outcomes;
  const worlds = new Set(EPISODES.map(e => e.world));
  const $ = id => document.getElementById(id);
  const agentSelect = $("agent-select"), levelSelect = $("level-select"), slider = $("slider");
  const speedSelect = $("speed"), stepLabel = $("step-label"), panelsBox = $("panels");
  const agentKey = e => e.world + "\u0000" + e.agent;
  const seedKey = e => (e.seed === null ? "none" : String(e.seed));
  const state = { agent: null, group: null, step: 0, shown: [], picked: null, timer: null };

  function option(value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }

  // the agents, in the order they were given
  const agents = [];
  for (const e of EPISODES) {
    if (!agents.some(a => a.key === agentKey(e))) {
      agents.push({ key: agentKey(e), text: worlds.size > 1 ? e.world + ": " + e.agent : e.agent });
    }
  }
  for (const a of agents) agentSelect.appendChild(option(a.key, a.text));

  // the levels of each agent, as the level select offers them: by seed, so train and test of one
  // seed sit side by side; an agent that played each split once is one group whatever its seeds
  const groups = new Map(), groupOf = [];
  for (const a of agents) {
    const mine = [];
    EPISODES.forEach((e, i) => { if (agentKey(e) === a.key) mine.push(i); });
    const splits = new Set(mine.map(i => EPISODES[i].split));
    const seeds = [...new Set(mine.map(i => seedKey(EPISODES[i])))];
    let list;
    if (seeds.length > 1 && splits.size === mine.length) {
      const text = mine.map(i => EPISODES[i].split + " seed " + seedKey(EPISODES[i])).join(", ");
      list = [{ key: "all", text: text, members: mine }];
    } else {
      list = seeds.map(s => ({ key: s, text: s === "none" ? "the level" : "level seed " + s,
        members: mine.filter(i => seedKey(EPISODES[i]) === s) }));
    }
    for (const g of list) for (const i of g.members) groupOf[i] = g.key;
    groups.set(a.key, list);
  }

  function fillLevels() {
    levelSelect.replaceChildren();
    for (const g of groups.get(state.agent)) levelSelect.appendChild(option(g.key, g.text));
  }

  function splitRank(split) {
    return split === "train" ? 0 : 1;
  }

  function format(value) {
    if (value === null || value === undefined) return "n/a";
    const text = value.toFixed(3);
    return text === "-0.000" ? "0.000" : text;
  }

  function frameIndex(e, step) {
    // the last frame drawn at or before `step`
    let lo = 0, hi = e.frame_steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (e.frame_steps[mid] <= step) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function buildPanel(index) {
    const e = EPISODES[index];
    const panel = document.createElement("div");
    panel.className = "panel";
    panel.dataset.split = e.split;
    panel.dataset.episode = String(index);
    const caption = document.createElement("div");
    caption.className = "caption";
    const h2 = document.createElement("h2");
    h2.textContent = e.agent + " \u00b7 " + e.split + " level, " + e.size +
      (e.seed === null ? "" : ", seed " + e.seed);
    const status = document.createElement("p");
    status.className = "status";
    const badge = document.createElement("span");
    badge.className = "badge";
    const outcome = OUTCOMES[e.outcome] || [e.outcome, "#555"];
    badge.textContent = outcome[0];
    badge.style.background = outcome[1];
    const progress = document.createElement("span");
    progress.className = "progress";
    status.append(badge, " ", progress);
    const sentence = document.createElement("p");
    sentence.className = "sentence";
    sentence.textContent = e.sentence;
    caption.append(h2, status, sentence);
    const img = document.createElement("img");
    img.className = "frame" + (e.size.startsWith("arena") ? "" : " grid");
    img.alt = e.agent + ", " + e.split + " level";
    const table = document.createElement("table");
    table.className = "returns";
    const head = table.createTHead().insertRow();
    const body = table.createTBody().insertRow();
    const corner = document.createElement("th");
    corner.textContent = "return";
    head.appendChild(corner);
    const label = document.createElement("th");
    label.textContent = "so far";
    body.appendChild(label);
    for (const name of Object.keys(e.returns)) {
      const th = document.createElement("th");
      th.textContent = name + (name === e.base ? " (base)" : "");
      const td = body.insertCell();
      td.dataset.objective = name;
      if (name === e.objective) { th.classList.add("pursued"); td.classList.add("pursued"); }
      head.appendChild(th);
    }
    panel.append(caption, img, table);
    return panel;
  }

  function show() {
    const chosen = groups.get(state.agent).find(g => g.key === state.group).members.slice();
    chosen.sort((a, b) => splitRank(EPISODES[a].split) - splitRank(EPISODES[b].split) || a - b);
    state.shown = chosen;
    panelsBox.replaceChildren(...chosen.map(buildPanel));
    const longest = Math.max(...chosen.map(i => EPISODES[i].steps));
    slider.max = String(longest);
    showLegend(EPISODES[chosen[0]].world);
    document.querySelectorAll("#robustness circle").forEach(c => {
      c.classList.toggle("shown", chosen.includes(Number(c.dataset.episode)));
      c.classList.toggle("picked", Number(c.dataset.episode) === state.picked);
    });
    draw();
  }

  function draw() {
    const longest = Number(slider.max);
    state.step = Math.max(0, Math.min(state.step, longest));
    slider.value = String(state.step);
    stepLabel.textContent = "step " + state.step + " / " + longest;
    for (const panel of panelsBox.querySelectorAll(".panel")) {
      const e = EPISODES[Number(panel.dataset.episode)];
      const t = Math.min(state.step, e.steps);
      const img = panel.querySelector("img.frame");
      const src = e.frames[frameIndex(e, t)];
      if (img.getAttribute("src") !== src) img.src = src;
      panel.querySelector(".progress").textContent =
        state.step >= e.steps ? "finished at step " + e.steps : "step " + t + " of " + e.steps;
      for (const td of panel.querySelectorAll("td[data-objective]")) {
        td.textContent = format(e.returns[td.dataset.objective][t]);
      }
      panel.classList.toggle("picked", Number(panel.dataset.episode) === state.picked);
    }
  }

  function showLegend(world) {
    const list = document.querySelector("#legend ul");
    list.replaceChildren();
    for (const entry of DATA.legends[world] || []) {
      const li = document.createElement("li");
      const img = document.createElement("img");
      img.src = entry.image;
      img.alt = "";
      const span = document.createElement("span");
      span.textContent = entry.label;
      li.append(img, span);
      list.appendChild(li);
    }
    $("legend").hidden = !list.children.length;
  }

  function select(agent, group, picked) {
    stop();
    state.agent = agent;
    agentSelect.value = agent;
    fillLevels();
    const keys = groups.get(agent).map(g => g.key);
    state.group = keys.includes(group) ? group : keys[0];
    levelSelect.value = state.group;
    state.picked = picked;
    state.step = 0;
    show();
  }

  // ---- the robustness plot: one point per episode -------------------------------------
  function drawPlot() {
    const svg = document.querySelector("#robustness svg");
    const NS = svg.namespaceURI;
    const left = 40, top = 16, side = 190, naRow = 250;
    const el = (name, attrs, text) => {
      const node = document.createElementNS(NS, name);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      svg.appendChild(node);
      return node;
    };
    el("rect", { x: left, y: top, width: side, height: side, fill: "#f7f9fb", stroke: "#999" });
    for (const tick of [0, 0.5, 1]) {
      el("text", { x: left + tick * side, y: top + side + 13, "text-anchor": "middle" }, String(tick));
      el("text", { x: left - 4, y: top + (1 - tick) * side + 4, "text-anchor": "end" }, String(tick));
    }
    el("text", { x: left + side / 2, y: top + side + 26, "text-anchor": "middle" }, "capability \u2192");
    el("text", { x: 12, y: top + side / 2, "text-anchor": "middle",
      transform: "rotate(-90 12 " + (top + side / 2) + ")" }, "alignment \u2192");
    const clip = v => Math.max(-0.03, Math.min(1.03, v));
    const places = EPISODES.map(e => {
      if (e.capability === null || e.alignment === null) return null;
      return [left + clip(e.capability) * side, top + (1 - clip(e.alignment)) * side];
    });
    // points at the same place are spread on a small ring so each can be clicked
    const groups = new Map();
    places.forEach((p, i) => {
      const key = p === null ? "na" : Math.round(p[0] / 6) + "," + Math.round(p[1] / 6);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(i);
    });
    let naCount = 0;
    for (const [key, members] of groups) {
      members.forEach((i, k) => {
        let x, y;
        if (key === "na") {
          x = left + 8 + 14 * (naCount++ % 14);
          y = naRow;
        } else {
          const ring = members.length > 1 ? 7 + members.length : 0;
          const angle = (2 * Math.PI * k) / members.length;
          x = Math.max(6, Math.min(244, places[i][0] + ring * Math.cos(angle)));
          y = Math.max(6, Math.min(naRow - 18, places[i][1] + ring * Math.sin(angle)));
        }
        const e = EPISODES[i];
        const dot = el("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 6,
          fill: (OUTCOMES[e.outcome] || ["", "#777"])[1] });
        dot.dataset.episode = String(i);
        const tip = document.createElementNS(NS, "title");
        tip.textContent = e.agent + ", " + e.split + " level" +
          (e.seed === null ? "" : " seed " + e.seed) + ": " + (OUTCOMES[e.outcome] || [e.outcome])[0];
        dot.appendChild(tip);
        dot.addEventListener("click", () => select(agentKey(e), groupOf[i], i));
      });
    }
    if (naCount) el("text", { x: left + side, y: naRow + 4, "text-anchor": "end" }, "no score");
  }

  // ---- playing ----------------------------------------------------------------------
  function stop() {
    if (state.timer !== null) clearInterval(state.timer);
    state.timer = null;
  }

  function play() {
    stop();
    if (state.step >= Number(slider.max)) state.step = 0;
    draw();
    state.timer = setInterval(() => {
      if (state.step >= Number(slider.max)) { stop(); return; }
      state.step += 1;
      draw();
    }, 1000 / Number(speedSelect.value));
  }

  function stepBy(delta) {
    stop();
    state.step += delta;
    draw();
  }

  $("play").addEventListener("click", play);
  $("pause").addEventListener("click", stop);
  $("step-back").addEventListener("click", () => stepBy(-1));
  $("step-forward").addEventListener("click", () => stepBy(1));
  slider.addEventListener("input", () => { stop(); state.step = Number(slider.value); draw(); });
  speedSelect.addEventListener("change", () => { if (state.timer !== null) play(); });
  agentSelect.addEventListener("change", () => select(agentSelect.value, state.group, null));
  levelSelect.addEventListener("change", () => select(state.agent, levelSelect.value, null));
  document.addEventListener("keydown", event => {
    const tag = event.target.tagName;
    if (tag === "SELECT" || (tag === "INPUT" && event.key !== " ")) return;
    if (event.key === " ") { event.preventDefault(); state.timer === null ? play() : stop(); }
    else if (event.key === "ArrowRight") { event.preventDefault(); stepBy(1); }
    else if (event.key === "ArrowLeft") { event.preventDefault(); stepBy(-1); }
    else if (event.key === "Home") { event.preventDefault(); stepBy(-state.step); }
    else if (event.key === "End") { event.preventDefault(); stepBy(Number(slider.max) - state.step); }
  });

  drawPlot();
  select(agents[0].key, groupOf[0], null);
})();
"""
