// Counts one read of the story on this page: posts the story id (the <article>'s
// data-read-id) to its data-read-url with navigator.sendBeacon, once per page view.
// No cookie, nothing about the reader is sent; without JavaScript the read is not counted.
(function () {
  "use strict";
  var story = document.querySelector("article[data-read-id][data-read-url]");
  if (!story || !navigator.sendBeacon) {
    return;
  }
  var sent = false;
  function send() {
    if (sent) {
      return;
    }
    sent = true;
    navigator.sendBeacon(story.getAttribute("data-read-url"), story.getAttribute("data-read-id"));
  }
  // A page the browser prerenders is counted only when the reader actually opens it.
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
