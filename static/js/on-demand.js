/* Heavy scripts only where a page uses them (chart, map, location picker, check-in, response
 * templates): looked for on load and after every htmx swap, since boosted navigation keeps <head>. */
(function () {
  "use strict";
  if (window.sirOnDemand) return;
  var urls = document.currentScript.dataset;
  var bundles = [
    { selector: "canvas[data-chart]", scripts: [urls.chartLibrary, urls.charts] },
    { selector: ".part-map[data-points-url]", stylesheet: urls.mapStylesheet, scripts: [urls.mapLibrary, urls.map] },
    { selector: ".location-picker", stylesheet: urls.mapStylesheet, scripts: [urls.mapLibrary, urls.pickLocation] },
    { selector: ".inspection-map", stylesheet: urls.mapStylesheet, scripts: [urls.mapLibrary, urls.inspectionMap] },
    { selector: "form[data-geolocate], form[data-tap-time], [data-pending-check-in]", scripts: [urls.checkIn] },
    { selector: "select[data-fills]", scripts: [urls.responseTemplates] },
    { selector: "form[data-visit-location], button[data-print]", scripts: [urls.visit] },
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
