/* Charts that cost nothing until they are needed.

   Each chart is first its picture, an SVG drawn on the server from the same
   figure (strategy_portal/pictures.py), or, until that is drawn, its text
   summary, in a box of its final height (the same numbers are in the table
   beside it). plotly.js and its stylesheet are fetched only when a chart comes
   near the viewport after the reader has scrolled or otherwise acted, when a
   page with a chart not yet pictured is printed, or when the reader presses
   「すべてのグラフを表示」; then the chart is drawn from its JSON (rendered by
   json_script) into the reserved space.
   No inline script anywhere: the figures are data, this file is the only code. */
(function () {
  "use strict";
  var script = document.currentScript;
  var PLOTLY_JS = script.getAttribute("data-plotly");
  var PLOTLY_CSS = script.getAttribute("data-plotly-css");
  var NEAR = "300px 0px"; // start loading this far before a chart scrolls into view
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        // plotly.js injects a <style> (refused by the CSP) unless this stylesheet exists.
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.id = "plotly.js-style-global";
        link.className = "no-inline-styles";
        link.href = PLOTLY_CSS;
        document.head.appendChild(link);
        var tag = document.createElement("script");
        tag.src = PLOTLY_JS;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { loading = null; reject(new Error("plotly.js did not load")); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function figureOf(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    return source ? JSON.parse(source.textContent) : null;
  }

  // Reserve each chart's final height at once, so drawing it shifts nothing.
  function reserve(element) {
    var figure = figureOf(element);
    if (figure && figure.layout && figure.layout.height) {
      element.style.height = figure.layout.height + "px";
    }
  }

  function draw(element) {
    if (element.getAttribute("data-state")) { return element.drawing || Promise.resolve(); }
    element.setAttribute("data-state", "loading");
    element.drawing = loadPlotly().then(function (Plotly) {
      var figure = figureOf(element);
      if (!figure) { return; }
      // Swapped in the same task as the first draw: the picture (or the summary)
      // goes, the chart appears in its box of the same height, nothing moves.
      var shown = element.querySelector(".chart-picture, .chart-placeholder");
      if (shown) { shown.remove(); }
      return Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
        window.portalHideSvgs(element); // site.js
        element.setAttribute("data-state", "drawn");
      }, function (error) {
        if (shown) { element.insertBefore(shown, element.firstChild); }
        throw error;
      });
    }).catch(function (error) {
      element.removeAttribute("data-state"); // the summary stays; tried again when next needed
      throw error;
    });
    return element.drawing;
  }

  function charts() { return Array.prototype.slice.call(document.querySelectorAll("[data-chart]")); }

  function drawAll() { return Promise.all(charts().map(draw)); }

  // Like a facade: nothing is fetched for the first view, not even for a chart that is
  // already on screen (its summary and table are); the reader's first scroll, touch,
  // pointer move or key press (site.js) starts watching which charts are near.
  var whenTheReaderActs = window.portalWhenTheReaderActs || function (go) { go(); };

  function watchWhenTheReaderActs(all) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: NEAR });
    whenTheReaderActs(function () {
      all.forEach(function (element) { observer.observe(element); });
    });
  }

  function start() {
    var all = charts();
    all.forEach(reserve);
    if ("IntersectionObserver" in window) { watchWhenTheReaderActs(all); } else { drawAll(); }

    // Without this script the button would do nothing, so it is invisible (its space
    // kept, so showing it moves nothing) until now.
    document.querySelectorAll("[data-draw-all]").forEach(function (button) {
      var control = button.closest(".charts-control");
      if (control) { control.classList.add("ready"); }
      var status = document.querySelector("[data-draw-all-status]");
      button.addEventListener("click", function () {
        if (status) { status.textContent = "グラフを読み込んでいます…"; }
        drawAll().then(function () {
          if (status) { status.textContent = "すべてのグラフを表示しました。"; }
        }, function () {
          if (status) { status.textContent = "グラフを読み込めませんでした。数値は各グラフの表でご覧ください。"; }
        });
      });
    });
  }

  // Printing shows every chart: its picture (loaded now, not when scrolled to), or,
  // where none is drawn yet, the chart plotly.js draws; those re-flow to the paper width.
  function forPrint() {
    document.querySelectorAll("img.chart-svg").forEach(function (img) { img.loading = "eager"; });
    var unpictured = charts().filter(function (element) {
      return !element.querySelector(".chart-picture");
    });
    Promise.all(unpictured.map(draw)).then(function () {
      charts().forEach(function (element) {
        if (element.data) { window.Plotly.Plots.resize(element); }
      });
    });
  }
  window.addEventListener("beforeprint", forPrint);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onChange = function (event) { if (event.matches) { forPrint(); } };
    if (print.addEventListener) { print.addEventListener("change", onChange); }
    else if (print.addListener) { print.addListener(onChange); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
