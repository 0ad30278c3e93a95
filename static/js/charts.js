/* Draws every chart on the page from its JSON (rendered by json_script).
   No inline script anywhere: the figures are data, this file is the only code. */
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      // The figure is described by its aria-label and the table beside it;
      // the SVG itself is decoration for assistive technology.
      element.querySelectorAll("svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      });
    });
  }

  function drawAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  // Charts re-flow to the paper width when printing.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.data) { window.Plotly.Plots.resize(element); }
    });
  });
})();
