// The lead image on the story form: choose one from the library (a dialog with search, newest
// first, page by page) or upload one in place (a file button, or dropped on the zone) with a
// progress bar; its alt text, caption and credit are the form's own fields, filled from the
// picture chosen and saved with the story.
(() => {
  "use strict";
  const box = document.querySelector("[data-lead-image]");
  if (!box) return;
  const form = box.closest("form");
  const input = box.querySelector("[data-lead-input]");
  const preview = box.querySelector("[data-lead-preview]");
  const dialog = box.querySelector("[data-picker]");
  const results = box.querySelector("[data-picker-results]");
  const search = box.querySelector("[data-picker-search]");
  const fileInput = box.querySelector("[data-upload-input]");
  const progress = box.querySelector("[data-upload-progress]");
  const message = box.querySelector("[data-upload-message]");
  const remove = box.querySelector("[data-remove-image]");
  const drop = box.querySelector("[data-drop-zone]");
  const details = {
    alt_text: form.querySelector('[name="lead_alt_text"]'),
    caption: form.querySelector('[name="lead_caption"]'),
    credit: form.querySelector('[name="lead_credit"]'),
  };
  let opener = null;

  const changed = () => {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    document.dispatchEvent(new CustomEvent("desk:changed"));
  };
  const tell = (text, error = false) => {
    message.textContent = text;
    message.classList.toggle("is-error", error);
  };
  const choose = ({ id, thumb, alt_text: alt, caption, credit }) => {
    input.value = String(id);
    preview.innerHTML = thumb;
    Object.entries({ alt_text: alt, caption, credit }).forEach(([name, value]) => {
      if (details[name]) details[name].value = value || "";
    });
    remove.hidden = false;
    changed();
    if (!alt && details.alt_text) {
      tell("Picture chosen. It has no alt text yet: describe it below before publishing.");
      details.alt_text.focus();
    } else {
      tell("Picture chosen.");
    }
  };

  // The library, in a dialog.
  const load = async (page = 1) => {
    const url = new URL(box.dataset.pickerUrl, window.location.href);
    url.searchParams.set("q", search.value.trim());
    url.searchParams.set("page", String(page));
    results.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      results.innerHTML = response.ok ? await response.text() : `<p class="errornote">The library did not answer (${response.status}).</p>`;
    } catch {
      results.innerHTML = '<p class="errornote">The library did not answer: check the connection.</p>';
    }
    results.removeAttribute("aria-busy");
  };
  box.querySelector("[data-open-picker]").addEventListener("click", (event) => {
    opener = event.currentTarget;
    dialog.showModal();
    search.focus();
    load(1);
  });
  box.querySelector("[data-close-picker]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => opener?.focus());
  let typing = 0;
  search.addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => load(1), 250);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // not the story's form
      load(1);
    }
  });
  results.addEventListener("click", (event) => {
    const page = event.target.closest("[data-picker-page]");
    if (page) { load(Number(page.dataset.pickerPage)); return; }
    const item = event.target.closest("[data-image-id]");
    if (!item) return;
    const img = item.querySelector("img");
    choose({
      id: item.dataset.imageId,
      thumb: img ? img.outerHTML : "",
      alt_text: item.dataset.alt, caption: item.dataset.caption, credit: item.dataset.credit,
    });
    dialog.close();
  });

  remove.addEventListener("click", () => {
    input.value = "";
    preview.innerHTML = '<p class="lead-image__none">No lead image yet.</p>';
    Object.values(details).forEach((node) => { if (node) node.value = ""; });
    remove.hidden = true;
    tell("Lead image removed.");
    changed();
  });

  // Uploads in place.
  const cookie = () => {
    const found = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.slice(10)) : "";
  };
  const upload = (file) => {
    if (!file) return;
    const body = new FormData();
    body.append("file", file);
    Object.entries(details).forEach(([name, node]) => body.append(name, node?.value || ""));
    const request = new XMLHttpRequest();
    request.open("POST", box.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", cookie());
    request.responseType = "json";
    progress.hidden = false;
    progress.value = 0;
    tell(`Uploading ${file.name}…`);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
    });
    request.addEventListener("load", () => {
      progress.hidden = true;
      const answer = request.response || {};
      if (request.status === 201) {
        choose(answer);
        if (answer.alt_text) tell(`${file.name} uploaded and chosen.`);
        else tell(`${file.name} uploaded. Describe it in the alt text below before publishing.`);
      } else {
        tell(answer.error || `The upload failed (${request.status}).`, true);
      }
    });
    request.addEventListener("error", () => {
      progress.hidden = true;
      tell(`${file.name} did not reach the server: check the connection and try again.`, true);
    });
    request.send(body);
  };
  fileInput.addEventListener("change", () => {
    upload(fileInput.files[0]);
    fileInput.value = "";
  });
  ["dragenter", "dragover"].forEach((name) => drop.addEventListener(name, (event) => {
    event.preventDefault();
    drop.classList.add("is-dragging");
  }));
  ["dragleave", "drop"].forEach((name) => drop.addEventListener(name, () => drop.classList.remove("is-dragging")));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    upload(event.dataTransfer?.files?.[0]);
  });
})();
