// Selects the whole value of a read-only field marked [data-select-all] when it is clicked,
// so a link can be copied in one go (the share preview link on the story form). Loaded as a
// file: the admin's Content-Security-Policy allows no inline event handlers.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.matches("[data-select-all]")) {
      field.select();
    }
  });
})();
