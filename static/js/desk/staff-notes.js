// Staff notes without leaving the story: the notes form is sent in the background and the
// panel replaced by the server's answer, so the text being written stays as it is.
(() => {
  "use strict";
  const notesForm = document.getElementById("staff-note-form");
  if (!notesForm) return;
  notesForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submitter = event.submitter;
    const body = new FormData(notesForm, submitter);
    const panel = document.querySelector("[data-staff-notes]");
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) body.set("csrfmiddlewaretoken", decodeURIComponent(cookie.slice(10)));
    submitter?.setAttribute("disabled", "");
    try {
      const response = await fetch(notesForm.action, {
        method: "POST", body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
      });
      if (response.redirected || !(response.headers.get("Content-Type") || "").includes("text/html")) {
        throw new Error("unexpected answer");
      }
      const html = await response.text();
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const fresh = holder.querySelector("[data-staff-notes]");
      if (panel && fresh) {
        panel.replaceWith(fresh);
        const focus = fresh.querySelector(".errornote") ? fresh.querySelector("#new-note") : fresh.querySelector("h2");
        if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
      }
    } catch {
      notesForm.submit(); // let the browser send it the plain way
    } finally {
      submitter?.removeAttribute("disabled");
    }
  });
})();
