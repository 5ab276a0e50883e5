/*
 * The plain base of a map, drawn from the map's own data so that it means something on a closed
 * network with no tile server (app/maps/outlines.py builds it): each AC's outline with its number and
 * name at its centre, and the district headquarters. static/js/map.js and static/js/inspection-map.js
 * load this script, and static/css/map-base.css, when a map's data carries a base:
 *   base  GeoJSON FeatureCollection, coordinates [lon, lat]:
 *         Polygon {kind: "ac", number, label, centre: [lon, lat]}   an AC's outline and label
 *         Point   {kind: "hq", label, short}                        the district headquarters
 * Without tiles the outlines are filled on a plain background; over tiles they are dashed lines only.
 * Nothing of the base answers a tap: the parts and stops above it do.
 */
(function () {
  "use strict";
  if (window.sirMapBase) return;

  var OUTLINE = { color: "#37474f", weight: 2, fillColor: "#fdfcf7", fillOpacity: 0.85 };

  /* The base's panes: the outlines above the tiles and under the parts and the route (400); the
     labels above those, so that they stay readable, and under the stops' marks, tooltips and popups
     (600 and up). Neither answers a tap: it reaches the part under a label. */
  function panes(map) {
    if (!map.getPane("sirBase")) {
      map.createPane("sirBase").style.zIndex = 250;
      map.createPane("sirBaseLabels").style.zIndex = 450;
    }
  }

  /* A label at a point: its text centred there, or a mark there with a caption under it (the whole
     text in its title). */
  function label(className, text, mark, caption) {
    var box = document.createElement("div");
    box.appendChild(document.createElement("span")).textContent = mark || text;
    if (mark) {
      box.title = text;
      box.appendChild(document.createElement("small")).textContent = caption || text;
    }
    return L.divIcon({ className: className, html: box, iconSize: null });
  }

  function sameSpot(a, b) {
    return Boolean(a && b) && Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6;
  }

  function overlap(a, b) {
    return a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  /* ACs around a town have their centres close together: a label that would cover another one or
     a headquarters' or start's mark moves down until it does not, from the northernmost; again after
     each zoom. */
  function declutter(map, labels) {
    labels.sort(function (a, b) {
      return b.getLatLng().lat - a.getLatLng().lat;
    });
    function place() {
      var container = map.getContainer();
      var taken = [];
      container.querySelectorAll(".map-hq span, .map-hq small, .insp-start").forEach(function (mark) {
        taken.push(mark.getBoundingClientRect());
      });
      labels.forEach(function (marker) {
        var text = marker.getElement() && marker.getElement().querySelector("span");
        if (!text) return;
        var shift = 0;
        text.style.marginTop = "0px";
        for (var tries = 0; tries < 8; tries++) {
          var box = text.getBoundingClientRect();
          var hit = taken.filter(function (other) {
            return overlap(box, other);
          })[0];
          if (!hit) break;
          shift += hit.bottom - box.top + 2;
          text.style.marginTop = shift + "px";
        }
        taken.push(text.getBoundingClientRect());
      });
    }
    map.on("zoomend", place);
    place();
  }

  /*
   * Draws `base` on `map`; options: tiled (tiles are drawn under it), start ([lat, lon] of a start
   * marker already drawn: no headquarters mark on the same spot). Returns the bounds of the ACs'
   * outlines (null when there is none), for the map to fit.
   */
  function draw(map, base, options) {
    options = options || {};
    if (!base || !base.features || !window.L) return null;
    panes(map);
    map.getContainer().classList.toggle("map-plain", !options.tiled);
    var outlines = [];
    var labels = [];
    base.features.forEach(function (feature) {
      var properties = feature.properties || {};
      if (properties.kind === "ac") {
        var shape = L.geoJSON(feature, {
          pane: "sirBase",
          interactive: false,
          style: Object.assign({}, OUTLINE, {
            className: "map-ac-outline" + (options.tiled ? " is-over-tiles" : ""),
            fillOpacity: options.tiled ? 0 : OUTLINE.fillOpacity,
          }),
        }).addTo(map);
        outlines.push(shape);
        var centre = properties.centre;
        labels.push(
          L.marker([centre[1], centre[0]], {
            icon: label("map-ac-label", properties.label),
            pane: "sirBaseLabels",
            interactive: false,
            keyboard: false,
          }).addTo(map)
        );
      } else if (properties.kind === "hq") {
        var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
        if (sameSpot(at, options.start)) return;
        L.marker(at, {
          icon: label("map-hq", properties.label, "\u2605", properties.short),
          pane: "sirBaseLabels",
          interactive: false,
          keyboard: false,
        }).addTo(map);
      }
    });
    if (labels.length) {
      // once the map has its view and its other marks: the caller fits the map, then draws on
      map.whenReady(function () {
        window.setTimeout(function () {
          declutter(map, labels);
        }, 0);
      });
    }
    return outlines.length ? L.featureGroup(outlines).getBounds() : null;
  }

  /* The base's stylesheet, once per document (its address comes from the page: it carries the
     file's stamp). Resolves when it has loaded, or failed to: the base is drawn either way. */
  var styled = null;
  function stylesheet(href) {
    if (styled) return styled;
    styled = new Promise(function (resolve) {
      if (!href) return resolve();
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.onload = link.onerror = function () {
        resolve();
      };
      document.head.appendChild(link);
    });
    return styled;
  }

  window.sirMapBase = { draw: draw, stylesheet: stylesheet };
})();
