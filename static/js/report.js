/* 「報告書（印刷用）」: each theme starts an A4 landscape page, as the prefecture prints it.
   When the page is laid out for print, a theme a little taller than the page is zoomed out
   until it fits (its text re-flows in its columns, so the zoom is found in a few steps), but
   never below MIN_ZOOM: a longer theme takes a second page rather than shrinking out of
   comfortable reading. The printed PDF of `make report` calls window.fitReportPages() once
   its charts are drawn. */
(function () {
  "use strict";

  var MIN_ZOOM = 0.85; // below this the text reads too small on paper: take a second page

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
      // Still too tall at the smallest zoom: the theme flows on to a second page.
      theme.classList.toggle("report-theme-long", theme.getBoundingClientRect().height > limit);
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
