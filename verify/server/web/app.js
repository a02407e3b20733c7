// verify web page. Every piece of text from the user, the server or the evidence goes into the DOM through
// textContent / attributes built with createElement; no HTML string is ever parsed from data.
"use strict";

(function () {
  const LABELS = ["supported", "contradicted", "unknown"];
  const ICONS = { supported: "✔", contradicted: "✘", unknown: "?" };
  const SUFFIXES = [".txt", ".md", ".markdown", ".html", ".htm"];
  const $ = (id) => document.getElementById(id);

  let maxBytes = 1048576;
  let current = null; // { report, text }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\/[^\s<>"'`]+$/i.test(url.trim()) ? url.trim() : "";
  }

  function setStatus(message, isError) {
    const s = $("status");
    s.textContent = message;
    s.classList.toggle("error", Boolean(isError));
  }

  async function errorText(response) {
    try {
      const body = await response.json();
      if (typeof body.detail === "string") return body.detail;
      if (Array.isArray(body.detail)) {
        return body.detail.map((d) => (d.loc || []).join(".") + ": " + d.msg).join("; ");
      }
    } catch (e) { /* not JSON */ }
    return response.status + " " + response.statusText;
  }

  async function postJSON(path, payload) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    if (!response.ok) throw new Error(await errorText(response));
    return response;
  }

  // ------------------------------------------------------------------ server info

  async function loadHealth() {
    try {
      const response = await fetch("/v1/health");
      const h = await response.json();
      maxBytes = h.max_bytes || maxBytes;
      const judges = (h.judges || []).map((j) => j.name).join(" + ");
      $("health").textContent = "encoder " + h.encoder + " · judges " + judges + " · corpus " +
        h.corpus_documents + " documents, " + h.corpus_passages + " passages · limit " +
        Math.round(maxBytes / 1024) + " KiB";
    } catch (e) {
      $("health").textContent = "server information unavailable";
    }
  }

  // ------------------------------------------------------------------ input

  async function loadFile(file) {
    const name = file.name || "article.txt";
    const lower = name.toLowerCase();
    if (!SUFFIXES.some((s) => lower.endsWith(s))) {
      setStatus(name + ": unsupported file type; use .txt, .md or .html", true);
      return;
    }
    if (file.size > maxBytes) {
      setStatus(name + ": " + file.size + " bytes is over the server's limit of " + maxBytes + " bytes", true);
      return;
    }
    try {
      const content = await file.text();
      const response = await postJSON("/v1/article", { name: name, content: content });
      const article = await response.json();
      $("article-input").value = article.text;
      const notes = (article.problems || []).map((p) => p.message).join("; ");
      setStatus("Loaded " + name + (article.title ? " (" + article.title + ")" : "") +
        (notes ? " — " + notes : "") + ". Press Verify.", false);
      $("article-input").focus();
    } catch (e) {
      setStatus(name + ": " + e.message, true);
    }
  }

  function setupDrop() {
    const zone = $("drop-zone");
    const targets = [zone, $("article-input")];
    for (const t of targets) {
      t.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
      t.addEventListener("dragleave", () => zone.classList.remove("over"));
      t.addEventListener("drop", (e) => {
        e.preventDefault();
        zone.classList.remove("over");
        const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
        if (file) loadFile(file);
      });
    }
    $("file-input").addEventListener("change", (e) => {
      const file = e.target.files && e.target.files[0];
      if (file) loadFile(file);
      e.target.value = "";
    });
  }

  async function verify(event) {
    if (event) event.preventDefault();
    const text = $("article-input").value;
    if (!text.trim()) {
      setStatus("Paste an article or drop a file first.", true);
      return;
    }
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > maxBytes) {
      setStatus("The article is " + bytes + " bytes; the server accepts at most " + maxBytes + " bytes.", true);
      return;
    }
    const payload = { text: text };
    if ($("language").value) payload.language = $("language").value;
    const k = parseInt($("top-k").value, 10);
    if (k >= 1 && k <= 50) payload.top_k = k;
    const button = $("verify-button");
    button.disabled = true;
    setStatus("Checking " + Array.from(text).length + " characters…", false);
    const t0 = performance.now();
    try {
      const response = await postJSON("/v1/verify", payload);
      const report = await response.json();
      current = { report: report, text: text };
      render(report, text);
      const c = report.counts || {};
      setStatus(report.verdicts.length + " claims checked in " + ((performance.now() - t0) / 1000).toFixed(1) +
        " s: " + (c.supported || 0) + " supported, " + (c.contradicted || 0) + " contradicted, " +
        (c.unknown || 0) + " unknown.", false);
    } catch (e) {
      setStatus("Could not verify: " + e.message, true);
    } finally {
      button.disabled = false;
    }
  }

  // ------------------------------------------------------------------ rendering

  // Cut [0, length) at every span edge; each piece belongs to the innermost claim covering it.
  // Same rule as verify/render/html.py claim_segments. Offsets are Unicode code points (Python str).
  function segments(length, spans) {
    const clipped = spans.map(([s, e]) => [Math.max(0, Math.min(s, length)), Math.max(0, Math.min(e, length))]);
    const edges = Array.from(new Set([0, length, ...clipped.flat()])).sort((a, b) => a - b);
    const out = [];
    for (let n = 0; n + 1 < edges.length; n++) {
      const a = edges[n], b = edges[n + 1];
      if (a >= b) continue;
      let owner = null;
      clipped.forEach(([s, e], i) => {
        if (s <= a && e >= b && s < e) {
          if (owner === null || (e - s) < (clipped[owner][1] - clipped[owner][0])) owner = i;
        }
      });
      const last = out[out.length - 1];
      if (last && last[2] === owner && last[1] === a) last[1] = b;
      else out.push([a, b, owner]);
    }
    return out;
  }

  function claimMark(i, verdict, content, first) {
    const label = verdict.label;
    const mark = el("mark", {
      class: "claim " + label,
      role: "button",
      tabindex: first ? "0" : "-1",
      "aria-pressed": "false",
      "aria-label": label + " claim: " + verdict.text,
      title: label + " (" + Math.round(verdict.confidence * 100) + "%): " + verdict.reason,
      "data-claim": String(i),
      "data-label": label,
    });
    if (first) mark.append(el("span", { class: "icon", "aria-hidden": "true", text: ICONS[label] || "?" }));
    mark.append(document.createTextNode(content));
    return mark;
  }

  function render(report, text) {
    const verdicts = report.verdicts || [];
    $("results").hidden = false;

    const summary = $("summary");
    summary.replaceChildren(...LABELS.map((l) =>
      el("li", { class: "label " + l, "data-label": l }, ICONS[l] + " " + ((report.counts || {})[l] || 0) + " " + l)));

    const cps = Array.from(text);
    const view = $("article-view");
    const seen = new Set();
    const nodes = [];
    for (const [a, b, owner] of segments(cps.length, verdicts.map((v) => [v.claim.start, v.claim.end]))) {
      const piece = cps.slice(a, b).join("");
      if (owner === null) nodes.push(document.createTextNode(piece));
      else {
        nodes.push(claimMark(owner, verdicts[owner], piece, !seen.has(owner)));
        seen.add(owner);
      }
    }
    view.replaceChildren(...nodes);

    $("claims-list").replaceChildren(...verdicts.map((v, i) => {
      const b = el("button", { type: "button", class: "claim " + v.label, "data-claim": String(i),
        "aria-pressed": "false" });
      b.append(el("span", { class: "icon", "aria-hidden": "true", text: ICONS[v.label] || "?" }),
        v.label + ": " + v.text);
      return el("li", {}, b);
    }));

    const problems = report.problems || [];
    $("problems").replaceChildren(...(problems.length ? [
      el("h3", { text: "Skipped or degraded inputs" }),
      el("ul", { class: "problems" }, ...problems.map((p) =>
        el("li", { text: p.severity + " " + p.path + (p.line ? ":" + p.line : "") + ": " + p.message }))),
    ] : []));

    $("details").replaceChildren(el("p", { class: "muted",
      text: verdicts.length ? "Select a claim to see its verdict and citations." : "No check-worthy claims found." }));
  }

  function select(i) {
    if (!current) return;
    const v = current.report.verdicts[i];
    if (!v) return;
    for (const m of document.querySelectorAll("[data-claim]")) {
      const on = m.getAttribute("data-claim") === String(i);
      m.classList.toggle("selected", on);
      m.setAttribute("aria-pressed", on ? "true" : "false");
    }
    const panel = $("details");
    const parts = [
      el("h2", { id: "detail-heading" },
        el("span", { class: "label " + v.label, "data-label": v.label, text: (ICONS[v.label] || "?") + " " + v.label }),
        " ", el("span", { class: "small", text: "confidence " + Math.round(v.confidence * 100) + "%" })),
      el("p", {}, el("strong", { text: "Claim: " }), v.text),
      el("p", {}, el("strong", { text: "Reason: " }),
        v.reason + (v.unknown_reason ? " (" + v.unknown_reason + ")" : "")),
    ];
    const c = v.claim;
    const facts = ["line " + c.line + ":" + c.column, "chars " + c.start + "–" + c.end, c.language, c.kind];
    if (c.speaker) facts.push("speaker: " + c.speaker);
    parts.push(el("p", { class: "small", text: facts.join(" · ") }));
    if (v.citations && v.citations.length) {
      parts.push(el("h3", { text: "Citations (" + v.citations.length + ")" }));
      parts.push(el("ol", { class: "cits" }, ...v.citations.map((cit) => {
        const url = safeUrl(cit.url);
        const title = cit.title || cit.doc_id;
        const head = url
          ? el("a", { href: url, class: "citation-link", rel: "noopener noreferrer", target: "_blank", text: title })
          : el("strong", { text: title });
        const meta = [cit.publisher, cit.published].filter(Boolean).join(" · ");
        return el("li", { class: "cit " + cit.stance }, head,
          meta ? el("div", { class: "small", text: meta }) : null,
          el("blockquote", { text: cit.passage }),
          el("div", { class: "small", text: "stance: " + cit.stance + " · score " + Number(cit.score).toFixed(2) +
            " · " + cit.doc_id + " chars " + cit.start + "–" + cit.end }));
      })));
    } else {
      parts.push(el("p", { class: "small", text: "No citations." }));
    }
    panel.replaceChildren(...parts);
  }

  function onClaimEvent(event) {
    const target = event.target.closest && event.target.closest("[data-claim]");
    if (!target || target.closest(".legend")) return;
    if (event.type === "keydown") {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
    }
    select(parseInt(target.getAttribute("data-claim"), 10));
  }

  // ------------------------------------------------------------------ export

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type: type }));
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function exportAs(format) {
    if (!current) return;
    try {
      if (format === "json") {
        download("verify-report.json", "application/json", JSON.stringify(current.report, null, 2) + "\n");
        return;
      }
      const response = await postJSON("/v1/render", { report: current.report, format: format, text: current.text });
      const body = await response.text();
      if (format === "markdown") download("verify-report.md", "text/markdown", body);
      else download("verify-report.html", "text/html", body);
    } catch (e) {
      setStatus("Export failed: " + e.message, true);
    }
  }

  // ------------------------------------------------------------------ wiring

  document.addEventListener("DOMContentLoaded", () => {
    loadHealth();
    setupDrop();
    $("input-form").addEventListener("submit", verify);
    $("article-input").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) verify(e);
    });
    for (const id of ["article-view", "claims-list"]) {
      $(id).addEventListener("click", onClaimEvent);
      $(id).addEventListener("keydown", onClaimEvent);
    }
    for (const b of document.querySelectorAll("[data-export]")) {
      b.addEventListener("click", () => exportAs(b.getAttribute("data-export")));
    }
  });
})();
