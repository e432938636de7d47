// The rich-text editor (tiptap, inside django-prose-editor) writes its base CSS into a new
// inline <style data-tiptap-style> unless the page already has one, and that new element has
// no nonce, so the Content-Security-Policy refuses it. This script, loaded with the admin's
// nonce before the editor, puts an empty element with that nonce in its place; the same CSS
// comes from the file static/css/tiptap-core.css.
(function () {
  "use strict";
  if (document.querySelector("style[data-tiptap-style]")) {
    return;
  }
  var slot = document.createElement("style");
  slot.setAttribute("data-tiptap-style", "");
  if (document.currentScript && document.currentScript.nonce) {
    slot.nonce = document.currentScript.nonce;
  }
  document.head.appendChild(slot);
})();
