// aiposts dashboard: plain JavaScript, no libraries, nothing loaded from the internet.
// It reads its state from the URL hash (#/?q=…&interval=… or #/entity/<id>), calls this
// server's /v1 API and draws the timeline as inline SVG. Text from the API is only ever set
// with textContent (highlights are rebuilt from their character offsets), never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#2f5bd3", "#e4572e", "#17a673", "#a855f7", "#f2a007", "#0ea5b7", "#db2777", "#6b7280",
    "#84cc16", "#7c3aed", "#b45309"];
  const LIST_KEYS = ["tag", "entity", "source"];
  const PAGE_SIZE = 10;

  // -- state <-> URL hash -------------------------------------------------------------------

  function defaults() {
    return {
      view: "search", entityId: null, q: "", lang: "", match: "best", from: "", to: "", tag: [], entity: [], source: [],
      interval: "month", split: "", measure: "count", sort: "relevance", page: 1, risingBy: "entity",
    };
  }

  function readHash() {
    const raw = location.hash.replace(/^#/, "") || "/";
    const cut = raw.indexOf("?");
    const path = cut < 0 ? raw : raw.slice(0, cut);
    const params = new URLSearchParams(cut < 0 ? "" : raw.slice(cut + 1));
    const s = defaults();
    if (path.startsWith("/entity/")) {
      s.view = "entity";
      s.entityId = decodeURIComponent(path.slice("/entity/".length));
    }
    for (const key of ["q", "lang", "match", "from", "to", "interval", "split", "measure", "sort"]) {
      if (params.has(key)) s[key] = params.get(key);
    }
    for (const key of LIST_KEYS) s[key] = params.getAll(key);
    s.page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    if (params.has("rising")) s.risingBy = params.get("rising");
    return s;
  }

  function searchHash(s) {
    const p = new URLSearchParams();
    const d = defaults();
    for (const key of ["q", "lang", "from", "to"]) if (s[key]) p.set(key, s[key]);
    for (const key of LIST_KEYS) for (const v of s[key]) p.append(key, v);
    for (const key of ["match", "interval", "split", "measure", "sort"]) if (s[key] !== d[key]) p.set(key, s[key]);
    if (s.page > 1) p.set("page", String(s.page));
    if (s.risingBy !== d.risingBy) p.set("rising", s.risingBy);
    const qs = p.toString();
    return "#/" + (qs ? "?" + qs : "");
  }

  let state = readHash();

  function go(changes) {
    state = { ...state, ...changes, view: "search" };
    const next = searchHash(state);
    if (location.hash === next) load(); else location.hash = next;
  }

  // -- API ------------------------------------------------------------------------------------

  function filterParams(s, extra) {
    const p = new URLSearchParams();
    if (s.q) p.set("q", s.q);
    if (s.lang) p.set("lang", s.lang);
    if (s.match && s.match !== "best") p.set("match", s.match);
    if (s.from) p.set("from", s.from);
    if (s.to) p.set("to", s.to);
    for (const key of LIST_KEYS) for (const v of s[key]) p.append(key, v);
    for (const [k, v] of Object.entries(extra || {})) {
      if (Array.isArray(v)) v.forEach((x) => p.append(k, x)); else if (v !== "" && v != null) p.set(k, v);
    }
    return p;
  }

  async function api(path, params) {
    const headers = { Accept: "application/json" };
    const key = localStorage.getItem("aiposts-api-key");
    if (key) headers["X-API-Key"] = key;
    const r = await fetch(path + (params ? "?" + params.toString() : ""), { headers });
    if (r.status === 401) {
      $("key-box").hidden = false;
      throw new Error("This server needs an API key: enter it at the top right.");
    }
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) {
      const msg = body && body.error ? body.error.message : r.status + " " + r.statusText;
      throw new Error(msg);
    }
    return body;
  }

  // -- small DOM helpers ----------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "onclick") el.addEventListener("click", v);
      else if (k === "className") el.className = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, String(v));
    for (const c of children.flat()) {
      if (c == null) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  // only web links from the archive become hrefs (never javascript: or data: URLs)
  function webUrl(u) { return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null; }

  function langOf(value) { return value === "en" ? "en" : (value ? "ja" : null); }

  function showError(err) {
    const box = $("error");
    if (!err) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false;
    box.textContent = String(err.message || err);
  }

  const fmt = new Intl.NumberFormat("en");
  function pct(x) { return (x * 100).toFixed(x >= 0.1 ? 0 : x >= 0.01 ? 1 : 2) + "%"; }

  // -- the timeline chart (inline SVG) ----------------------------------------------------------

  // a round step for about four grid lines (whole numbers for counts), and the top of the axis
  function axis(max, whole) {
    if (max <= 0) return { step: whole ? 1 : 0.25, top: whole ? 4 : 1 };
    const raw = max / 4;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    let step = [1, 2, 5, 10].map((k) => k * p).find((v) => v >= raw);
    if (whole) step = Math.max(1, Math.round(step));
    return { step, top: step * Math.ceil(max / step - 1e-9) };
  }

  // buckets: [{key, ...}], lines: [{key, label, values: [numbers]}]; measure: count|share
  function drawChart(el, buckets, lines, measure) {
    clear(el);
    const width = Math.max(320, el.clientWidth || 720);
    const height = 240;
    const m = { l: 46, r: 12, t: 12, b: 28 };
    const pw = width - m.l - m.r;
    const ph = height - m.t - m.b;
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "data-buckets": buckets.length, "data-series": lines.length,
      "data-sum": lines.reduce((a, l) => a + l.values.reduce((x, y) => x + y, 0), 0) });
    el.append(svg);
    if (!buckets.length) {
      svg.append(s("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "empty" },
        "No dated posts match."));
      return svg;
    }
    const n = buckets.length;
    const { step, top } = axis(Math.max(0, ...lines.flatMap((l) => l.values)), measure !== "share");
    const x = (i) => m.l + (n === 1 ? pw / 2 : (i * pw) / (n - 1));
    const y = (v) => m.t + ph - (v / top) * ph;
    const label = (v) => (measure === "share" ? pct(v) : fmt.format(Math.round(v * 100) / 100));
    for (let k = 0; k * step <= top + 1e-9; k++) {
      const v = k * step;
      svg.append(s("line", { x1: m.l, x2: width - m.r, y1: y(v), y2: y(v), class: k ? "grid-line" : "axis" }));
      svg.append(s("text", { x: m.l - 6, y: y(v) + 3, "text-anchor": "end" }, label(v)));
    }
    const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(pw / 70))));
    for (let i = 0; i < n; i += every) {
      const anchor = x(i) + 32 > width ? "end" : "middle";
      svg.append(s("text", { x: x(i), y: height - 8, "text-anchor": anchor }, buckets[i].key));
    }
    lines.forEach((line, li) => {
      const color = PALETTE[li % PALETTE.length];
      const d = line.values.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
      if (lines.length === 1) {
        svg.append(s("path", { d: `${d}L${x(n - 1).toFixed(1)},${y(0)}L${x(0).toFixed(1)},${y(0)}Z`,
          fill: color, "fill-opacity": 0.12, stroke: "none" }));
      }
      svg.append(s("path", { d, fill: "none", stroke: color, "stroke-width": 2, "data-key": line.key,
        "stroke-linejoin": "round" }));
      if (n <= 160) {
        line.values.forEach((v, i) => {
          svg.append(s("circle", { cx: x(i), cy: y(v), r: n > 60 ? 1.6 : 2.6, fill: color },
            s("title", null, `${line.label} · ${buckets[i].key}: ${label(v)}`)));
        });
      }
    });
    return svg;
  }

  function timelineLines(body, measure) {
    const pick = (b) => (measure === "share" ? b.share : b.count);
    if (body.series && body.series.length) {
      return body.series.map((sr) => ({ key: sr.key, label: sr.label || sr.key, values: sr.buckets.map(pick) }));
    }
    return [{ key: "query", label: body.query.q || "all posts", values: body.buckets.map(pick) }];
  }

  function drawLegend(el, lines) {
    clear(el);
    if (lines.length < 2) return;
    lines.forEach((l, i) => el.append(h("span", null,
      h("i", { style: `background:${PALETTE[i % PALETTE.length]}` }), l.label)));
  }

  // -- search view ----------------------------------------------------------------------------

  let generation = 0;
  let lastTimeline = null;
  let loads = 0; // finished loads, in data-loads: tests wait for it to grow
  let lastSearch = "#/"; // where "back to search" goes from an entity page

  function finished(view) {
    document.body.dataset.view = view;
    document.body.dataset.loads = String(++loads);
    document.body.dataset.state = "ready";
  }

  function syncControls() {
    $("q").value = state.q;
    $("lang").value = state.lang;
    $("match").value = state.match;
    $("from").value = state.from;
    $("to").value = state.to;
    $("interval").value = state.interval;
    $("split").value = state.split;
    $("measure").value = state.measure;
    $("sort").value = state.sort;
    $("rising-by").value = state.risingBy;
    const chips = clear($("chips"));
    for (const key of LIST_KEYS) {
      for (const v of state[key]) {
        chips.append(h("span", { className: "chip" }, `${key}: ${v}`,
          h("button", { type: "button", title: "remove", "aria-label": `remove ${key} ${v}`,
            onclick: () => go({ [key]: state[key].filter((x) => x !== v), page: 1 }) }, "×")));
      }
    }
  }

  function addFilter(key, value) {
    if (state[key].includes(value)) return;
    go({ [key]: [...state[key], value], page: 1 });
  }

  function snippetNode(sn) {
    const p = h("div", { className: "snippet", lang: sn.lang });
    p.append(h("span", { className: "where" }, sn.field));
    if (sn.truncated_start) p.append("…");
    let at = 0;
    for (const [a, b] of sn.marks) {
      if (a > at) p.append(sn.text.slice(at, a));
      p.append(h("mark", null, sn.text.slice(a, b)));
      at = b;
    }
    p.append(sn.text.slice(at));
    if (sn.truncated_end) p.append("…");
    return p;
  }

  function renderResults(body) {
    $("result-count").textContent = `${fmt.format(body.total)} found`;
    const list = clear($("results"));
    if (!body.hits.length) list.append(h("li", { className: "muted" }, "No posts match."));
    for (const hit of body.hits) {
      const when = hit.published ? hit.published.slice(0, 10) : "undated";
      const meta = [when, hit.source, hit.lang, hit.importance ? "★".repeat(hit.importance) : null]
        .filter(Boolean).join(" · ");
      const li = h("li", { "data-id": hit.id },
        h("div", { className: "title", lang: langOf(hit.lang) },
          webUrl(hit.url) ? h("a", { href: webUrl(hit.url), target: "_blank", rel: "noopener noreferrer" },
            hit.title || hit.id)
            : (hit.title || hit.id)),
        h("div", { className: "meta" }, meta));
      const marked = hit.highlights.filter((x) => x.field !== "title" || x.marks.length);
      if (marked.length) marked.slice(0, 2).forEach((sn) => li.append(snippetNode(sn)));
      else if (hit.summary) li.append(h("div", { className: "snippet", lang: langOf(hit.lang) }, hit.summary));
      const tags = h("div", { className: "tags" });
      hit.tags.slice(0, 6).forEach((t) => tags.append(h("a", { href: "#", className: "tag",
        onclick: (e) => { e.preventDefault(); addFilter("tag", t.key); } }, "#" + t.display)));
      hit.entities.slice(0, 6).forEach((id) => tags.append(h("a", { href: "#/entity/" + encodeURIComponent(id),
        className: "ent" }, id)));
      li.append(tags);
      list.append(li);
    }
    const pages = Math.ceil(Math.min(body.total, 10000) / PAGE_SIZE);
    $("page-info").textContent = body.total ? `page ${state.page} of ${fmt.format(pages)}` : "";
    $("prev").disabled = state.page <= 1;
    $("next").disabled = state.page >= pages;
  }

  function renderFacets(facets) {
    const box = clear($("facets"));
    const titles = { tags: "Tags", entities: "Entities", sources: "Sources", langs: "Languages" };
    const keys = { tags: "tag", entities: "entity", sources: "source", langs: "lang" };
    for (const name of ["entities", "tags", "sources", "langs"]) {
      const buckets = (facets || {})[name] || [];
      if (!buckets.length) continue;
      box.append(h("h3", null, titles[name]));
      const ul = h("ul", { className: "facet", "data-facet": name });
      for (const b of buckets) {
        const text = b.label || b.key;
        ul.append(h("li", null,
          h("a", { href: "#", title: text, lang: /[\u3040-\u30ff\u3400-\u9fff]/.test(text) ? "ja" : null,
            onclick: (e) => {
              e.preventDefault();
              if (keys[name] === "lang") go({ lang: b.key, page: 1 }); else addFilter(keys[name], b.key);
            } }, text),
          h("span", { className: "muted" }, fmt.format(b.count))));
      }
      box.append(ul);
    }
  }

  function renderBars(el, items, link) {
    clear(el);
    if (!items.length) { el.append(h("li", { className: "muted" }, "nothing yet")); return; }
    const max = Math.max(...items.map((i) => i.count));
    for (const item of items) {
      const text = item.label || item.key;
      el.append(h("li", { "data-key": item.key },
        h("span", { className: "bar", style: `width:${(100 * item.count / max).toFixed(1)}%` }),
        link(item, text),
        h("span", { className: "n" }, `${fmt.format(item.count)} · ${pct(item.share)}`)));
    }
  }

  function entityLink(item, text) {
    return h("a", { href: "#/entity/" + encodeURIComponent(item.key), title: item.type || "" }, text);
  }

  function tagLink(item, text) {
    return h("a", { href: "#", onclick: (e) => { e.preventDefault(); addFilter("tag", item.key); } }, text);
  }

  function termLink(item, text) {
    return h("a", { href: "#", lang: /[\u3040-\u30ff\u3400-\u9fff]/.test(text) ? "ja" : null,
      onclick: (e) => { e.preventDefault(); go({ q: item.key, page: 1 }); } }, text);
  }

  function renderRising(body) {
    $("rising-period").textContent =
      `${body.period.start.slice(0, 10)} – ${body.period.end.slice(0, 10)} vs the ${Math.round(
        (Date.parse(body.period.end) - Date.parse(body.period.start)) / 86400000)} days before`;
    const el = clear($("rising"));
    if (!body.items.length) { el.append(h("li", { className: "muted" }, "nothing rising")); return; }
    const link = { entity: entityLink, tag: tagLink, key_term: termLink }[body.by];
    const max = Math.max(...body.items.map((i) => i.score));
    for (const item of body.items) {
      el.append(h("li", { "data-key": item.key },
        h("span", { className: "bar", style: `width:${(100 * item.score / max).toFixed(1)}%` }),
        link(item, item.label || item.key),
        h("span", { className: "n" }, h("span", { className: "up" }, "↑"),
          ` ${item.count} (was ${item.baseline_count})`)));
    }
  }

  async function loadSearch() {
    const gen = ++generation;
    document.body.dataset.state = "loading";
    lastSearch = searchHash(state);
    $("search-view").hidden = false;
    $("entity-view").hidden = true;
    syncControls();
    showError(null);
    const fp = (extra) => filterParams(state, extra);
    const tasks = {
      // from/to read in the trend endpoints' zone, so the count and the chart agree
      search: api("/v1/search", fp({ size: PAGE_SIZE, page: state.page, sort: state.sort,
        facets: "tags,entities,sources,langs", facet_size: 8, tz: "Asia/Tokyo" })),
      timeline: api("/v1/trends/timeline", fp({ interval: state.interval, split: state.split, top: 6 })),
      entities: api("/v1/trends/top", fp({ by: "entity", size: 10 })),
      tags: api("/v1/trends/top", fp({ by: "tag", size: 10 })),
      rising: api("/v1/trends/rising", fp({ by: state.risingBy, size: 8, min_count: 2 })),
    };
    const done = {};
    const errors = [];
    await Promise.all(Object.entries(tasks).map(([name, p]) => p.then((v) => { done[name] = v; },
      (e) => { errors.push(e); })));
    if (gen !== generation) return;
    if (done.search) { renderResults(done.search); renderFacets(done.search.facets); }
    if (done.timeline) {
      lastTimeline = done.timeline;
      const undated = done.timeline.undated ? ` (${fmt.format(done.timeline.undated)} undated)` : "";
      $("timeline-total").textContent = `${fmt.format(done.timeline.total)} posts${undated} · `
        + `${done.timeline.interval} · ${done.timeline.query.tz}`;
      renderTimeline();
    }
    if (done.entities) renderBars($("top-entities"), done.entities.items, entityLink);
    if (done.tags) renderBars($("top-tags"), done.tags.items, tagLink);
    if (done.rising) renderRising(done.rising);
    showError(errors[0] || null);
    finished("search");
  }

  function renderTimeline() {
    if (!lastTimeline) return;
    const lines = timelineLines(lastTimeline, state.measure);
    drawChart($("chart"), lastTimeline.buckets, lines, state.measure);
    drawLegend($("legend"), lines);
  }

  // -- entity view ----------------------------------------------------------------------------

  function coRows(el, items, link) {
    clear(el);
    if (!items.length) el.append(h("tr", null, h("td", { colspan: 3, className: "muted" }, "none")));
    for (const item of items) {
      el.append(h("tr", { "data-key": item.key }, h("td", null, link(item, item.label || item.key)),
        h("td", null, fmt.format(item.count)), h("td", null, item.lift.toFixed(1))));
    }
  }

  async function loadEntity(id) {
    const gen = ++generation;
    document.body.dataset.state = "loading";
    $("search-view").hidden = true;
    $("entity-view").hidden = false;
    showError(null);
    $("entity-name").textContent = id;
    $("back").setAttribute("href", lastSearch);
    try {
      const [profile, timeline, co] = await Promise.all([
        api("/v1/entities/" + encodeURIComponent(id)),
        api("/v1/trends/timeline", new URLSearchParams({ entity: id, interval: "month" })),
        api("/v1/trends/cooccurrence", new URLSearchParams({ of: "entity:" + id, size: "12" })),
      ]);
      if (gen !== generation) return;
      $("entity-name").textContent = profile.name;
      const seen = profile.first_seen ? ` · ${profile.first_seen.slice(0, 10)} – ${(profile.last_seen || "").slice(0, 10)}`
        : "";
      $("entity-meta").textContent = `${profile.type || "entity"} · ${fmt.format(profile.mention_count || 0)} posts `
        + `name it · ${fmt.format(profile.tree_mention_count)} with its family${seen}`;
      const names = Object.values(profile.names || {}).flat().filter((x) => typeof x === "string");
      const aliases = [...new Set([...names, ...(profile.aliases || [])])].filter((a) => a !== profile.name);
      const aliasEl = clear($("entity-aliases"));
      if (aliases.length) aliasEl.append("Also: ", h("span", { lang: "ja" }, aliases.slice(0, 12).join(" · ")));
      const fam = clear($("entity-family"));
      const famLinks = (label, refs) => {
        if (!refs.length) return;
        fam.append(label + ": ");
        refs.forEach((r, i) => {
          if (i) fam.append(", ");
          fam.append(h("a", { href: "#/entity/" + encodeURIComponent(r.id) }, r.name || r.id));
        });
        fam.append("  ");
      };
      famLinks("Part of", profile.ancestors || []);
      famLinks("Includes", (profile.children || []).slice(0, 15));
      $("entity-search").setAttribute("href", searchHash({ ...defaults(), entity: [id] }));
      $("entity-total").textContent = `${fmt.format(timeline.total)} posts`;
      drawChart($("entity-chart"), timeline.buckets, timelineLines(timeline, "count"), "count");
      coRows($("co-entities"), co.entities, entityLink);
      coRows($("co-tags"), co.tags, (item, text) => h("a", { href: searchHash({ ...defaults(), tag: [item.key] }) },
        text));
      const posts = clear($("entity-posts"));
      for (const p of profile.recent_posts || []) {
        posts.append(h("li", null, h("span", { className: "muted" }, (p.published || "").slice(0, 10) + " "),
          webUrl(p.url) ? h("a", { href: webUrl(p.url), target: "_blank", rel: "noopener noreferrer",
            lang: langOf(p.lang) },
            p.title || p.id) : h("span", { lang: langOf(p.lang) }, p.title || p.id),
          h("span", { className: "muted" }, p.source ? " · " + p.source : "")));
      }
    } catch (err) {
      if (gen !== generation) return;
      showError(err);
    }
    finished("entity");
  }

  // -- wiring ---------------------------------------------------------------------------------

  function load() {
    state = readHash();
    if (state.view === "entity" && state.entityId) loadEntity(state.entityId);
    else loadSearch();
  }

  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    go({ q: $("q").value.trim(), lang: $("lang").value, match: $("match").value, from: $("from").value,
      to: $("to").value, page: 1 });
  });
  for (const [id, key] of [["interval", "interval"], ["split", "split"], ["sort", "sort"],
    ["rising-by", "risingBy"]]) {
    $(id).addEventListener("change", () => go({ [key]: $(id).value, page: key === "sort" ? 1 : state.page }));
  }
  $("lang").addEventListener("change", () => go({ lang: $("lang").value, page: 1 }));
  $("match").addEventListener("change", () => go({ match: $("match").value, page: 1 }));
  $("measure").addEventListener("change", () => {
    state.measure = $("measure").value;
    history.replaceState(null, "", searchHash(state));
    renderTimeline();
  });
  $("prev").addEventListener("click", () => go({ page: Math.max(1, state.page - 1) }));
  $("next").addEventListener("click", () => go({ page: state.page + 1 }));
  $("key-save").addEventListener("click", () => {
    localStorage.setItem("aiposts-api-key", $("api-key").value.trim());
    $("key-box").hidden = true;
    load();
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (state.view === "search") renderTimeline(); }, 150);
  });
  window.addEventListener("hashchange", load);
  load();
})();
