/* 「報告書（印刷用）」: each theme on one A4 landscape page, as the prefecture prints it.
   When the page is laid out for print, a theme taller than the page is zoomed out until it fits
   (its text re-flows in its columns, so the zoom is found in a few steps). The printed
   PDF of `make report` calls window.fitReportPages() once its charts are drawn. */
(function () {
  "use strict";

  var MIN_ZOOM = 0.45; // below this the text could not be read on paper: let it spill over

  function pageHeight() {
    var probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;height:190mm;width:1px";
    document.body.appendChild(probe);
    var height = probe.getBoundingClientRect().height;
    probe.remove();
    return height;
  }

  function fit() {
    var limit = pageHeight();
    var fitted = [];
    document.querySelectorAll(".report-theme").forEach(function (theme) {
      theme.style.zoom = "";
      var zoom = 1;
      for (var step = 0; step < 8; step++) {
        var height = theme.getBoundingClientRect().height;
        if (height <= limit || zoom <= MIN_ZOOM) { break; }
        zoom = Math.max(MIN_ZOOM, zoom * Math.max(limit / height, 0.7) * 0.99);
        theme.style.zoom = String(zoom);
      }
      fitted.push(zoom);
    });
    return fitted;
  }

  function unfit() {
    document.querySelectorAll(".report-theme").forEach(function (theme) { theme.style.zoom = ""; });
  }

  window.fitReportPages = fit;
  // On the print layout (paper width), not on `beforeprint`, which still has the screen's.
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onChange = function (event) { if (event.matches) { fit(); } else { unfit(); } };
    if (print.addEventListener) { print.addEventListener("change", onChange); }
    else if (print.addListener) { print.addListener(onChange); }
  }
})();
