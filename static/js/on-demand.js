/* Heavy scripts only where a page uses them (chart, map, location picker, check-in, response
 * templates): looked for on load and after every htmx swap, since boosted navigation keeps <head>.
 * Charts marked data-when-seen (those under a long table, see templates/_macros/charts.html) wait
 * until one comes near the screen (IntersectionObserver): a phone runs no Chart.js for a chart it
 * never scrolls to. Any other chart on the page loads the bundle at once. */
(function () {
  "use strict";
  if (window.sirOnDemand) return;
  var urls = document.currentScript.dataset;
  var bundles = [
    { selector: "canvas[data-chart]", scripts: [urls.chartLibrary, urls.charts], whenSeen: "[data-when-seen]" },
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

  function watch(bundle, elements) {
    if (!bundle.observer) {
      bundle.observer = new IntersectionObserver(
        function (entries) {
          if (bundle.requested) return;
          var seen = entries.some(function (entry) {
            return entry.isIntersecting;
          });
          if (seen) {
            bundle.observer.disconnect();
            load(bundle);
          }
        },
        { rootMargin: "200px 0px" } // a little ahead, so the chart is drawn as it scrolls in
      );
    }
    elements.forEach(function (element) {
      bundle.observer.observe(element); // observing an element twice is harmless
    });
  }

  function scan() {
    bundles.forEach(function (bundle) {
      if (bundle.requested) return;
      var found = Array.prototype.slice.call(document.querySelectorAll(bundle.selector));
      if (!found.length) return;
      var later =
        bundle.whenSeen &&
        "IntersectionObserver" in window &&
        found.every(function (element) {
          return element.matches(bundle.whenSeen);
        });
      if (later) watch(bundle, found);
      else load(bundle);
    });
  }

  /* The maps' plain base (static/js/map-base.js): its script asked for once per page (a boosted
   * page keeps it), then its stylesheet; null when the data has no base or the script failed. */
  var mapBaseLoading = null;
  function mapBase(container, data) {
    var script = container.dataset.baseScript;
    if (!data.base || !script) return Promise.resolve(null);
    if (!mapBaseLoading) {
      mapBaseLoading = new Promise(function (resolve) {
        if (window.sirMapBase) return resolve();
        var tag = document.createElement("script");
        tag.src = script;
        tag.onload = tag.onerror = function () {
          resolve();
        };
        document.head.appendChild(tag);
      });
    }
    return mapBaseLoading.then(function () {
      var base = window.sirMapBase;
      if (!base) return null;
      return base.stylesheet(container.dataset.baseStylesheet).then(function () {
        return base;
      });
    });
  }

  window.sirOnDemand = { scan: scan, mapBase: mapBase };
  document.addEventListener("htmx:load", scan);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
