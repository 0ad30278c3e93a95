/* The print header shows the date the page is printed; printed pages show every table.
   Charts and maps (charts.js, maps.js) cost nothing for the first view: they start
   watching the viewport at the reader's first scroll, touch, pointer move or key press
   (window.portalWhenTheReaderActs), or at once if the page opens scrolled down.
   A table's scroll box is a Tab stop only while the table is wider than the box. */
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

  // A chart or map drawn by plotly.js is described by its box's aria-label and the table
  // beside it: its SVGs are decoration for assistive technology, and so is the one
  // plotly.js adds to <body> to measure text (#js-plotly-tester). charts.js and maps.js.
  window.portalHideSvgs = function (element) {
    var svgs = Array.prototype.slice.call(element.querySelectorAll("svg"));
    var tester = document.getElementById("js-plotly-tester");
    if (tester) { svgs.push(tester); }
    svgs.forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    });
  };

  // A table too wide for the page scrolls sideways in its box (.table-scroll, a named
  // region with tabindex="0" in the HTML, so the keyboard can scroll it even without
  // this script). A box whose table fits is no Tab stop: the tabindex goes, and comes
  // back when the box narrows, the text grows or a closed <details> around it opens
  // (what a closed <details> holds is not observed while closed, hence the toggle).
  function scrollStop(box) {
    if (box.scrollWidth > box.clientWidth) { box.setAttribute("tabindex", "0"); }
    else { box.removeAttribute("tabindex"); }
  }
  function watchScrollBoxes() {
    var boxes = document.querySelectorAll(".table-scroll[tabindex]");
    boxes.forEach(scrollStop);
    document.addEventListener("toggle", function (event) {
      if (event.target.open) { event.target.querySelectorAll(".table-scroll").forEach(scrollStop); }
    }, true); // toggle does not bubble
    if (!("ResizeObserver" in window)) { return; }
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { scrollStop(entry.target.closest(".table-scroll")); });
    });
    boxes.forEach(function (box) {
      observer.observe(box);
      var table = box.querySelector("table");
      if (table) { observer.observe(table); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchScrollBoxes);
  } else {
    watchScrollBoxes();
  }
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
