// The writing screen: live counts (headline and description against what search engines show,
// the body's words and reading time), the search-result and social-card previews, the
// checklist before publishing, Ctrl/Cmd+S, the schedule's local time, "Copy share link", and a
// warning before leaving with changes not saved. The counts follow the same rules as the
// server (articles.models.Article.summary and reading_minutes).
(() => {
  "use strict";
  const config = document.getElementById("desk-config");
  const form = document.getElementById("article_form");
  if (!config || !form) return;
  const data = config.dataset;
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const body = field("body");

  const plain = (html) => {
    const box = document.createElement("div");
    box.innerHTML = (html || "").replace(/<\/(p|h[1-6]|li|blockquote)>/gi, " ");
    return (box.textContent || "").replace(/\s+/g, " ").trim();
  };
  const words = (text) => (text.match(/[\p{L}\p{N}_]+/gu) || []).length;

  // Character counts under the headline, sub-headline and description.
  const counters = [];
  const addCounter = (name, limit, what) => {
    const input = field(name);
    if (!input) return;
    const line = document.createElement("p");
    line.className = "desk-count";
    line.id = `${name}-count`;
    line.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", line);
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${line.id}`.trim());
    counters.push(() => {
      const length = input.value.trim().length;
      line.textContent = `${length} characters; ${what} show about ${limit}${length > limit ? ": the rest is cut" : ""}.`;
      line.classList.toggle("is-over", length > limit);
    });
  };
  const siteName = data.siteName;
  addCounter("headline", Number(data.titleChars) - siteName.length - 3, "search results");
  addCounter("dek", Number(data.snippetChars), "search snippets");
  addCounter("description", Number(data.snippetChars), "search snippets");

  const meter = document.getElementById("body-meter");
  const minutesPerWord = 1 / Number(data.wordsPerMinute || 230);

  const summary = () => {
    const description = (field("description")?.value || "").trim();
    if (description) return description;
    const dek = (field("dek")?.value || "").trim();
    if (dek) return dek;
    const text = plain(body?.value).split(" ").slice(0, 30).join(" ");
    return text ? `${text}…` : "";
  };

  const previews = () => {
    const headline = (field("headline")?.value || "").trim() || "Headline";
    const slug = (field("slug")?.value || "").trim() || "…";
    const text = summary();
    const cut = (value, limit) => (value.length > limit ? `${value.slice(0, limit - 1).trimEnd()}…` : value);
    const title = (field("seo_title")?.value || "").trim() || headline;
    document.querySelectorAll('[data-preview="title"]').forEach((node) => {
      node.textContent = cut(`${title} | ${siteName}`, Number(data.titleChars));
    });
    document.querySelectorAll('[data-preview="headline"]').forEach((node) => { node.textContent = headline; });
    document.querySelectorAll('[data-preview="summary"]').forEach((node) => {
      node.textContent = cut(text, Number(data.snippetChars)) || "No summary yet: write a sub-headline.";
    });
    document.querySelectorAll('[data-preview="url"]').forEach((node) => { node.textContent = `${data.siteUrl}/news/${slug}/`; });
  };

  // The checklist, as the server judges it (articles.workflow.checklist).
  const checks = {
    headline: () => (field("headline")?.value || "").trim() !== "",
    dek: () => (field("dek")?.value || "").trim() !== "",
    section: () => (field("section")?.value || "") !== "",
    bylines: () => Array.from(form.querySelectorAll('#bylines-group select[name$="-author"]')).some((select) => {
      const row = select.closest("tr");
      const removed = row && row.querySelector('input[name$="-DELETE"]')?.checked;
      return select.value && !removed && !row?.classList.contains("empty-form");
    }),
    lead_image: () => (field("lead_image")?.value || "") !== "",
    lead_alt_text: () => (field("lead_image")?.value || "") !== "" && (field("lead_alt_text")?.value || "").trim() !== "",
    body: () => plain(body?.value) !== "",
  };
  const checklist = () => {
    document.querySelectorAll("[data-check]").forEach((item) => {
      const test = checks[item.dataset.check];
      if (!test) return;
      const ok = test();
      item.classList.toggle("is-ok", ok);
      item.classList.toggle("is-missing", !ok);
      const state = item.querySelector(".checklist__state");
      if (state) state.textContent = ok ? "done" : "missing";
    });
  };
  // A failing item takes the editor to its field (into the widget that stands for it).
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-check-link]");
    if (!link) return;
    const name = link.dataset.checkLink;
    const targets = {
      body: '.field-body .ProseMirror[contenteditable="true"]',
      section: ".field-section .select2-selection",
      bylines: '#bylines-group .select2-selection, #bylines-group select',
      lead_image: "[data-open-picker]",
    };
    const target = form.querySelector(targets[name] || `[name="${name}"]`);
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
  });

  const refresh = () => {
    counters.forEach((count) => count());
    if (meter && body) {
      const count = words(plain(body.value));
      const minutes = Math.max(1, Math.ceil(count * minutesPerWord));
      meter.textContent = `${count} word${count === 1 ? "" : "s"}, about ${minutes} minute${minutes === 1 ? "" : "s"} to read.`;
    }
    previews();
    checklist();
  };
  let pending = 0;
  const soon = () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 60);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  document.addEventListener("prose-editor:ready", (event) => {
    event.detail.editor.on("update", soon);
    soon();
  });
  // select2 fires jQuery events only.
  if (window.django?.jQuery) window.django.jQuery(form).on("select2:select select2:clear", soon);
  document.addEventListener("desk:changed", soon);
  refresh();

  // Ctrl/Cmd+S presses the panel's main button.
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      const primary = form.querySelector("[data-primary]");
      if (!primary) return;
      event.preventDefault();
      primary.click();
    }
  });

  // The schedule picker is in the newsroom's time zone; show the editor's own beside it.
  const schedule = field("schedule_at");
  const local = document.getElementById("schedule-local");
  const zone = data.timeZone;
  const offsetAt = (instant) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
        .formatToParts(instant).map((part) => [part.type, part.value]),
    );
    const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return asUtc - instant.getTime();
  };
  const showLocal = () => {
    if (!schedule || !local) return;
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(schedule.value);
    if (!match) { local.textContent = ""; return; }
    const wall = Date.UTC(match[1], match[2] - 1, match[3], match[4], match[5]);
    let instant = new Date(wall);
    instant = new Date(wall - offsetAt(instant));
    const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const shown = instant.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    const past = instant.getTime() <= Date.now();
    local.textContent = mine === zone ? (past ? "This time has passed." : "") : `Your time (${mine}): ${shown}.${past ? " This time has passed." : ""}`;
  };
  if (schedule) {
    schedule.addEventListener("input", showLocal);
    showLocal();
  }

  // Copy share link.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-share]");
    if (!button) return;
    const url = button.dataset.copyShare;
    try {
      await navigator.clipboard.writeText(url);
      button.textContent = "Link copied";
    } catch {
      const input = document.getElementById("share-link");
      input?.focus();
      input?.select();
      button.textContent = "Press Ctrl+C to copy";
    }
    window.setTimeout(() => { button.textContent = "Copy share link"; }, 2500);
  });

  // Leaving with changes not saved to the story warns (autosave keeps them, but the story
  // itself does not have them yet).
  let dirty = false;
  let submitting = false;
  form.addEventListener("input", (event) => { if (event.target.form === form) dirty = true; });
  document.addEventListener("prose-editor:ready", (event) => {
    event.detail.editor.on("update", ({ transaction }) => { if (transaction?.docChanged) dirty = true; });
  });
  form.addEventListener("submit", () => { submitting = true; });
  document.addEventListener("desk:kept-locally", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting && data.editable) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
