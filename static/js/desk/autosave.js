// Autosave: while someone types, the story's text is sent to the server a few seconds after
// the last change (and at least every 15 s of steady typing), never touching the story itself
// (articles/autosave.py). When the server cannot take it (the session expired, the network is
// down, another tab or person saved newer work) the text is kept in this browser and the
// message says what to do; after logging in again, reopening the story sends it to the server
// and shows it to restore.
(() => {
  "use strict";
  const config = document.getElementById("desk-config");
  const form = document.getElementById("article_form");
  if (!config || !form || !config.dataset.editable) return;
  const data = config.dataset;
  const FIELDS = ["headline", "slug", "dek", "description", "body"];
  const QUIET_MS = 2500;
  const MAX_WAIT_MS = 15000;
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const status = document.getElementById("autosave-status");
  const banner = document.querySelector("[data-autosave-error]");
  const story = data.story;
  const draftKey = () => field("draft_key")?.value || "";
  const storeKey = () => `newsroom-autosave:${story ? `story:${story}` : `draft:${draftKey()}`}`;
  let revision = Number(data.revision || 0);
  let timer = 0;
  let firstChange = 0;
  let stopped = false;
  let inFlight = null;

  const cookie = (name) => {
    const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  };
  const say = (text, error = false) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-error", error);
  };
  const alarm = (html) => {
    if (!banner) return;
    banner.innerHTML = html;
    banner.hidden = false;
  };
  const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  const snapshot = () => Object.fromEntries(FIELDS.map((name) => [name, field(name)?.value || ""]));
  const keepLocally = () => {
    try {
      localStorage.setItem(storeKey(), JSON.stringify({
        fields: snapshot(), revision, seen_version: field("seen_version")?.value || "",
        draft_key: draftKey(), story, at: Date.now(),
      }));
      document.dispatchEvent(new CustomEvent("desk:kept-locally"));
      return true;
    } catch {
      return false;
    }
  };

  const send = async (fields, { seenVersion, key, knownRevision }) => {
    const body = new FormData();
    Object.entries(fields).forEach(([name, value]) => body.append(name, value));
    body.append("story", story);
    body.append("draft_key", key);
    body.append("revision", String(knownRevision));
    body.append("seen_version", seenVersion);
    const response = await fetch(data.autosaveUrl, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": cookie("csrftoken"), Accept: "application/json" },
    });
    let answer = {};
    try { answer = await response.json(); } catch { answer = { error: `The server answered ${response.status}.` }; }
    return { response, answer };
  };

  const save = async () => {
    timer = 0;
    firstChange = 0;
    if (stopped) return;
    if (inFlight) { schedule(); return; }
    say("Autosaving…");
    inFlight = send(snapshot(), { seenVersion: field("seen_version")?.value || "", key: draftKey(), knownRevision: revision });
    try {
      const { response, answer } = await inFlight;
      if (response.ok) {
        revision = answer.revision;
        localStorage.removeItem(storeKey());
        say(answer.label);
      } else if (response.status === 401) {
        stopped = true;
        keepLocally();
        say("Not saved: your session has expired.", true);
        const next = encodeURIComponent(window.location.pathname + window.location.search);
        alarm(`${escape(answer.error)} <a class="button" href="${data.loginUrl}?next=${next}">Log in again</a>`);
      } else {
        // Stale (another tab or person saved newer work) or refused: stop, keep the text here.
        stopped = response.status === 409 || response.status === 403 || response.status === 404;
        keepLocally();
        say("Not autosaved: see the message above.", true);
        alarm(escape(answer.error || `The server answered ${response.status}.`));
      }
    } catch {
      keepLocally();
      say("Offline: your text is kept in this browser and sent when the server answers.", true);
      schedule();
    } finally {
      inFlight = null;
    }
  };

  function schedule() {
    if (stopped) return;
    const now = Date.now();
    if (!firstChange) firstChange = now;
    window.clearTimeout(timer);
    const wait = Math.max(0, Math.min(QUIET_MS, firstChange + MAX_WAIT_MS - now));
    timer = window.setTimeout(save, wait);
  }

  form.addEventListener("input", (event) => {
    if (event.target.form !== form && !event.target.closest(".field-body")) return;
    if (FIELDS.includes(event.target.name) || event.target.closest(".field-body")) schedule();
  });
  document.addEventListener("prose-editor:ready", (event) => {
    event.detail.editor.on("update", ({ transaction }) => { if (transaction?.docChanged) schedule(); });
  });

  // The form's own save carries the CSRF token of the page as it was loaded; a login in the
  // meantime (another tab) rotated it, so use the cookie's current one.
  form.addEventListener("submit", () => {
    const token = cookie("csrftoken");
    const input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (token && input) input.value = token;
    window.clearTimeout(timer);
    stopped = true;
  });

  // Text kept in this browser by an earlier page (a session that expired, no network): send
  // it now, then show it to restore.
  const pending = [];
  for (let index = 0; index < localStorage.length; index += 1) {
    const key = localStorage.key(index);
    if (!key?.startsWith("newsroom-autosave:")) continue;
    if (story ? key === `newsroom-autosave:story:${story}` : key.startsWith("newsroom-autosave:draft:")) pending.push(key);
  }
  (async () => {
    for (const key of pending) {
      let kept;
      try { kept = JSON.parse(localStorage.getItem(key)); } catch { kept = null; }
      if (!kept?.fields) { localStorage.removeItem(key); continue; }
      try {
        const { response, answer } = await send(kept.fields, {
          seenVersion: story ? kept.seen_version : "", key: kept.draft_key, knownRevision: Number(kept.revision || 0),
        });
        if (response.ok) {
          localStorage.removeItem(key);
          window.location.replace(`${window.location.pathname}?restore=${story ? "1" : encodeURIComponent(kept.draft_key)}`);
          return;
        }
        alarm(`Text kept in this browser could not be autosaved: ${escape(answer.error || String(response.status))}`);
      } catch {
        // The server does not answer: keep it for the next try.
      }
    }
  })();
})();
