/* Focal point picker for the image library's change form (loaded by ImageAdmin.Media).
 *
 * A click on the preview ([data-focal-point]) writes the point, in whole percent of the
 * picture's width and height, into the focal_x and focal_y number fields and marks it; typing
 * in the fields moves the mark. Without JavaScript the fields work on their own. Styles are
 * set from here (no inline style attributes or <style> in the markup), ready for a
 * Content-Security-Policy.
 */
(function () {
  "use strict";

  function percent(input) {
    var text = input.value.trim();
    if (text === "") return null;
    var value = Number(text);
    return Number.isFinite(value) && value >= 0 && value <= 100 ? value : null;
  }

  function clamp(value) {
    return Math.min(100, Math.max(0, Math.round(value)));
  }

  function init(box) {
    var picture = box.querySelector("img");
    var xInput = document.getElementById(box.dataset.focalX);
    var yInput = document.getElementById(box.dataset.focalY);
    if (!picture || !xInput || !yInput) return;

    box.style.position = "relative";
    box.style.display = "inline-block";
    box.style.lineHeight = "0";
    picture.style.cursor = "crosshair";
    picture.style.maxWidth = "100%";
    picture.style.height = "auto";

    var marker = document.createElement("span");
    marker.className = "focal-point__marker";
    marker.setAttribute("aria-hidden", "true");
    Object.assign(marker.style, {
      position: "absolute",
      width: "22px",
      height: "22px",
      margin: "-11px 0 0 -11px",
      boxSizing: "border-box",
      border: "3px solid #fff",
      borderRadius: "50%",
      boxShadow: "0 0 0 2px #000, inset 0 0 0 2px #000",
      pointerEvents: "none",
      display: "none",
    });
    box.appendChild(marker);

    var hint = document.createElement("p");
    hint.className = "help";
    hint.textContent = "Click the picture to set the focal point.";
    box.insertAdjacentElement("afterend", hint);

    function draw() {
      var x = percent(xInput);
      var y = percent(yInput);
      if (x === null || y === null) {
        marker.style.display = "none";
        return;
      }
      marker.style.left = x + "%";
      marker.style.top = y + "%";
      marker.style.display = "block";
    }

    picture.addEventListener("click", function (event) {
      var area = picture.getBoundingClientRect();
      if (!area.width || !area.height) return;
      xInput.value = clamp(((event.clientX - area.left) / area.width) * 100);
      yInput.value = clamp(((event.clientY - area.top) / area.height) * 100);
      [xInput, yInput].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      draw();
    });
    xInput.addEventListener("input", draw);
    yInput.addEventListener("input", draw);
    draw();
  }

  function start() {
    document.querySelectorAll("[data-focal-point]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
