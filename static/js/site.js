/* The print header shows the date the page is printed; printed pages show every table.
   Charts and maps (charts.js, maps.js) cost nothing for the first view: they start
   watching the viewport at the reader's first scroll, touch, pointer move or key press
   (window.portalWhenTheReaderActs), or at once if the page opens scrolled down. */
(function () {
  "use strict";
  var INTENT = ["scroll", "wheel", "touchstart", "pointerdown", "pointermove", "keydown"];
  window.portalWhenTheReaderActs = function (go) {
    var done = false;
    function act() {
      if (done) { return; }
      done = true;
      INTENT.forEach(function (type) { window.removeEventListener(type, act, true); });
      go();
    }
    INTENT.forEach(function (type) { window.addEventListener(type, act, { capture: true, passive: true }); });
    if (window.scrollY > 0) { act(); } // back/forward or an anchor: the reader is already down the page
  };
  window.addEventListener("beforeprint", function () {
    var now = new Date();
    document.querySelectorAll("[data-print-date]").forEach(function (element) {
      element.textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日";
    });
    document.querySelectorAll("details.table-toggle:not([open])").forEach(function (details) {
      details.setAttribute("open", "");
      details.setAttribute("data-opened-for-print", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-opened-for-print]").forEach(function (details) {
      details.removeAttribute("open");
      details.removeAttribute("data-opened-for-print");
    });
  });
})();
