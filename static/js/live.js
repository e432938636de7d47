// A live story's "N new updates": asks the story's small JSON answer (the same for every
// reader, cached by the page cache and a CDN, revalidated by its ETag) every few seconds and,
// when there are more updates than the page shows, says so in a polite live region with a
// button that loads them. The region's text changes only when the number does, so a screen
// reader announces each change once, never a poll. Stops when the coverage ends, and while
// the tab is hidden. Without JavaScript, a reload shows the same.
(function () {
  "use strict";
  var region = document.querySelector(".live-new[data-live-poll]");
  if (!region || !window.fetch || region.getAttribute("data-live-open") !== "1") {
    return;
  }
  var url = region.getAttribute("data-live-poll");
  var shown = parseInt(region.getAttribute("data-live-count"), 10) || 0;
  var seconds = Math.max(1, parseFloat(region.getAttribute("data-live-seconds")) || 15);
  var first = region.getAttribute("data-live-first");
  var said = 0;
  var timer = null;
  var button = null;

  function say(count) {
    if (count === said) {
      return;
    }
    said = count;
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "live-new__button";
      button.addEventListener("click", function () {
        // The newest updates are on the first page.
        window.location.assign(first + "#live-updates-title");
        if (window.location.pathname + window.location.search === first) {
          window.location.reload();
        }
      });
      region.appendChild(button);
    }
    button.textContent = count + (count === 1 ? " new update" : " new updates") + ": show";
  }

  function ask() {
    timer = null;
    fetch(url, { cache: "no-cache", credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.updates > shown) {
          say(answer.updates - shown);
        }
        if (!answer || !answer.ended) {
          later();
        }
      })
      .catch(later);
  }

  function later() {
    if (timer === null && !document.hidden) {
      timer = window.setTimeout(ask, seconds * 1000);
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
    } else {
      ask();
    }
  });
  later();
})();
