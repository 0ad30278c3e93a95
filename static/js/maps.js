/* Municipality maps, drawn offline: boundaries from this site's own static JSON,
   polygons as plain scatter traces filled "toself" (the basic plotly.js bundle).
   Loaded only by pages that show a map; plotly.js and the boundaries are
   fetched when a map comes near the viewport once the reader acts (site.js), or
   before printing: the first view loads neither (its table and text say it all).
   No inline script: each map's spec is JSON rendered by json_script. */
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };
  var pending = {};

  function once(key, make) {
    if (!pending[key]) { pending[key] = make(); }
    return pending[key];
  }

  function loadPlotly(src) {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    return once("plotly", function () {
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    });
  }

  function loadBoundaries(url) {
    return once(url, function () {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("boundaries: " + response.status); }
        return response.json();
      });
    });
  }

  // A ring is [x0, y0, dx1, dy1, …] in 1/scale degrees; append it, closed, then a gap.
  function addRing(ring, scale, xs, ys) {
    var x = ring[0], y = ring[1];
    xs.push(x / scale); ys.push(y / scale);
    for (var i = 2; i < ring.length; i += 2) {
      x += ring[i]; y += ring[i + 1];
      xs.push(x / scale); ys.push(y / scale);
    }
    xs.push(ring[0] / scale); ys.push(ring[1] / scale);
    xs.push(null); ys.push(null);
  }

  function shapes(features, scale) {
    var xs = [], ys = [];
    features.forEach(function (feature) {
      feature.rings.forEach(function (ring) { addRing(ring, scale, xs, ys); });
    });
    return { x: xs, y: ys };
  }

  // The same traces as municipalities/maps.py's MapSpec.figure() (the map's picture).
  function traces(spec, geo) {
    var byCode = {};
    geo.features.forEach(function (f) { byCode[f.code] = f; });
    var filled = {};
    spec.layers.forEach(function (layer) {
      if (layer.fill) { layer.codes.forEach(function (code) { filled[code] = true; }); }
    });
    var rest = shapes(geo.features.filter(function (f) { return !filled[f.code]; }), geo.scale);
    var data = [{
      type: "scatter", mode: "lines", x: rest.x, y: rest.y, fill: "toself",
      fillcolor: spec.style.others, line: { color: spec.style.others_line, width: 0.6 },
      name: spec.others_name, hoverinfo: "skip", showlegend: spec.layout.showlegend
    }];
    spec.layers.forEach(function (layer) {
      var members = layer.codes.map(function (code) { return byCode[code]; }).filter(Boolean);
      var xy = shapes(members, geo.scale);
      var trace = {
        type: "scatter", mode: "lines", x: xy.x, y: xy.y, fill: "toself",
        fillcolor: layer.fill ? layer.color : "rgba(0,0,0,0)",
        line: { color: layer.fill ? "#ffffff" : layer.color, width: layer.fill ? 0.8 : 2, dash: layer.dash },
        name: layer.legend || layer.name, hoveron: "fills", hoverinfo: "name"
      };
      if (layer.pattern) {
        trace.fillpattern = { shape: layer.pattern, fgcolor: spec.style.hatch, bgcolor: "rgba(0,0,0,0)", size: 7, solidity: 0.2 };
      }
      data.push(trace);
    });
    // Each municipality answers to hover with its name, and a click opens its page.
    var towns = geo.features.filter(function (f) { return f.counted; });
    data.push({
      type: "scatter", mode: "markers", showlegend: false,
      x: towns.map(function (f) { return f.label[0]; }),
      y: towns.map(function (f) { return f.label[1]; }),
      text: towns.map(function (f) { return f.name + "（" + f.subprefecture + "）"; }),
      customdata: towns.map(function (f) { return spec.link.replace("000000", f.code); }),
      hovertemplate: "%{text}<extra></extra>",
      marker: { size: 9, color: "rgba(0,0,0,0)" }
    });
    return data;
  }

  function draw(element) {
    if (element.getAttribute("data-drawn")) { return; }
    element.setAttribute("data-drawn", "pending");
    var spec = JSON.parse(document.getElementById(element.getAttribute("data-map")).textContent);
    var picture = element.querySelector(".chart-picture");
    Promise.all([
      loadPlotly(element.getAttribute("data-plotly")),
      loadBoundaries(element.getAttribute("data-boundaries"))
    ]).then(function (loaded) {
      // The picture drawn on the server gives way to the map, in the same box.
      if (picture) { picture.remove(); }
      return loaded[0].newPlot(element, traces(spec, loaded[1]), spec.layout, config);
    }).then(function () {
      element.setAttribute("data-drawn", "yes");
      element.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && typeof point.customdata === "string") { window.location.href = point.customdata; }
      });
      window.portalHideSvgs(element); // site.js
    }).catch(function () {
      element.setAttribute("data-drawn", "failed");
      if (picture) { // the picture stays: still a map, only not an interactive one
        if (!picture.parentNode) { element.appendChild(picture); }
        return;
      }
      element.classList.add("map-failed");
    });
  }

  function start() {
    var maps = document.querySelectorAll("[data-map]");
    if (!("IntersectionObserver" in window)) { maps.forEach(draw); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
    }, { rootMargin: "400px 0px" });
    var whenTheReaderActs = window.portalWhenTheReaderActs || function (go) { go(); };
    whenTheReaderActs(function () {
      maps.forEach(function (element) { observer.observe(element); });
    });
  }

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-map]").forEach(draw);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
