// Disables the button of a form marked [data-disable-on-submit] once it is submitted, so a
// double click sends one request ("Send to all subscribers" on a digest; the server refuses a
// second start anyway). Loaded as a file: the admin's Content-Security-Policy allows no inline
// event handlers.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.matches("[data-disable-on-submit]")) {
      form.querySelectorAll("button").forEach(function (button) {
        button.disabled = true;
      });
    }
  });
})();
