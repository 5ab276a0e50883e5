/*
 * Map of parts with Leaflet 1.9.4 (static/vendor/leaflet-1.9.4; static/js/on-demand.js loads both).
 *
 * Each <div class="part-map" data-points-url="..."> is drawn on load and after htmx swaps:
 *   data-points-url       JSON endpoint (maps.data): {points: [{id, lat, lon, label, name, pct, band,
 *                         reported_today, url}], parts, unlocated, reported, day}
 *   data-tile-url         tile URL template; empty = no tiles, the points on a plain background
 *   data-tile-attribution attribution shown with the tiles
 *   data-lang             "hi" | "en", for numbers
 *   data-labels           translated strings: digitized, reported, missing, never, open, empty, error
 *   data-base-script, data-base-stylesheet
 *                         static/js/map-base.js and its stylesheet, loaded when the JSON carries a
 *                         `base` (the ACs' outlines and labels, the headquarters: app/maps/outlines.py),
 *                         drawn under the points so that the map means something without tiles
 * A point with a `detail` line (the volunteers' coverage map, volunteers.coverage_data) shows that
 * line in its popup instead of the figures; its `band` is then help-yes or help-no.
 * The status line is the <p class="map-status"> beside the map. Colours come from CSS classes
 * (band-0 … band-90, band-none in static/css/app.css), so the legend and the markers agree.
 */
(function () {
  "use strict";
  if (window.sirMaps) return;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function popupContent(point, labels, format) {
    var box = element("div", "part-popup");
    box.appendChild(element("strong", "", point.label + " " + point.name));
    if (point.detail !== undefined) {
      // A map of something other than the figures (volunteer coverage): the server's own line.
      box.appendChild(element("div", "", point.detail));
      var open = element("a", "", labels.open);
      open.href = point.url;
      box.appendChild(element("div")).appendChild(open);
      return box;
    }
    var figure =
      point.pct === null ? labels.never : labels.digitized + ": " + format.format(point.pct) + " %";
    box.appendChild(element("div", "", figure));
    box.appendChild(
      element(
        "div",
        point.reported_today ? "popup-reported" : "popup-missing",
        point.reported_today ? labels.reported : labels.missing
      )
    );
    var link = element("a", "", labels.open);
    link.href = point.url;
    box.appendChild(element("div")).appendChild(link);
    return box;
  }

  function setStatus(container, text) {
    var status = container.parentElement.querySelector(".map-status");
    if (!status) return;
    status.textContent = text || "";
    status.hidden = !text;
  }

  function draw(container, payload, base) {
    var labels = JSON.parse(container.dataset.labels || "{}");
    var format = new Intl.NumberFormat(container.dataset.lang === "hi" ? "hi-IN" : "en-IN", {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    var tileUrl = container.dataset.tileUrl;
    // The zoom buttons' names in the page's language (base.html carries them).
    L.Control.Zoom.prototype.options.zoomInTitle = document.documentElement.dataset.zoomIn || "Zoom in";
    L.Control.Zoom.prototype.options.zoomOutTitle = document.documentElement.dataset.zoomOut || "Zoom out";
    var map = L.map(container, {
      attributionControl: Boolean(tileUrl),
      scrollWheelZoom: false,
      fadeAnimation: false,
      zoomAnimation: false,
      markerZoomAnimation: false,
    });
    container.sirMap = map;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: container.dataset.tileAttribution || "", maxZoom: 18 }).addTo(
        map
      );
    }
    var outlines = base ? base.draw(map, payload.base, { tiled: Boolean(tileUrl) }) : null;
    var markers = payload.points.map(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 9,
        weight: point.reported_today ? 2 : 1.5,
        fillOpacity: 0.9,
        className:
          "part-marker " +
          point.band +
          (point.detail !== undefined ? "" : point.reported_today ? " is-reported" : " is-missing"),
      });
      marker.bindPopup(popupContent(point, labels, format), {
        maxWidth: 240,
        autoPanPadding: [12, 12],
      });
      return marker.addTo(map);
    });
    if (!markers.length) {
      if (outlines) map.fitBounds(outlines, { padding: [12, 12], maxZoom: 14 });
      else map.setView([23.5, 78.5], 6);
      setStatus(container, labels.empty);
      return;
    }
    // the area's outlines hold its points: the map shows them whole
    var bounds = L.featureGroup(markers).getBounds();
    if (outlines) bounds.extend(outlines);
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
    setStatus(container, "");
  }

  function load(container) {
    if (container.sirMap || container.sirLoading) return;
    container.sirLoading = true;
    fetch(container.dataset.pointsUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (payload) {
        return window.sirOnDemand.mapBase(container, payload).then(function (base) {
          if (document.contains(container)) draw(container, payload, base);
        });
      })
      .catch(function (error) {
        console.warn("part map:", error);
        var labels = JSON.parse(container.dataset.labels || "{}");
        setStatus(container, labels.error);
      })
      .finally(function () {
        container.sirLoading = false;
      });
  }

  function loadAll(root) {
    if (!window.L) return;
    (root || document).querySelectorAll(".part-map[data-points-url]").forEach(load);
  }

  window.sirMaps = { loadAll: loadAll };
  document.addEventListener("htmx:afterSettle", function () {
    loadAll(document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      loadAll(document);
    });
  } else {
    loadAll(document);
  }
})();
