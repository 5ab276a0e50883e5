/*
 * Chart.js and Leaflet (358 KB) only on pages that show a chart or a map (or a location to pick);
 * check-in.js only where a volunteer checks in or out; difficulties.js only where a response template
 * can be chosen.
 *
 * Boosted navigation swaps the body and keeps the first page's <head>, so a page cannot list its own
 * scripts there. This file, loaded on every page by templates/base.html, looks for a chart canvas or a
 * part map on load and after every htmx swap (htmx:load) and adds the library and its drawing script
 * once. Their addresses come from this script tag's data-* attributes; added <script src> tags respect
 * the CSP (script-src 'self'). Leaflet's stylesheet is in place before the map is drawn.
 */
(function () {
  "use strict";
  if (window.sirOnDemand) return;
  var urls = document.currentScript.dataset;
  var bundles = [
    { selector: "canvas[data-chart]", scripts: [urls.chartLibrary, urls.charts] },
    { selector: ".part-map[data-points-url]", stylesheet: urls.mapStylesheet, scripts: [urls.mapLibrary, urls.map] },
    { selector: ".location-picker", stylesheet: urls.mapStylesheet, scripts: [urls.mapLibrary, urls.pickLocation] },
    { selector: "form[data-geolocate]", scripts: [urls.checkIn] },
    { selector: "select[data-fills]", scripts: [urls.responseTemplates] },
  ];

  function addScripts(sources) {
    sources.forEach(function (source) {
      var script = document.createElement("script");
      script.src = source;
      script.async = false; // run in the listed order: the library, then the drawing script
      document.head.appendChild(script);
    });
  }

  function load(bundle) {
    bundle.requested = true;
    if (!bundle.stylesheet) {
      addScripts(bundle.scripts);
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = bundle.stylesheet;
    link.onload = link.onerror = function () {
      addScripts(bundle.scripts);
    };
    document.head.appendChild(link);
  }

  function scan() {
    bundles.forEach(function (bundle) {
      if (!bundle.requested && document.querySelector(bundle.selector)) load(bundle);
    });
  }

  window.sirOnDemand = { scan: scan };
  document.addEventListener("htmx:load", scan);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
