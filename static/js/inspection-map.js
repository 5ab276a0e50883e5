/*
 * The inspection planner's maps, with Leaflet 1.9.4 (static/js/on-demand.js loads both where a
 * .inspection-map is on the page). Drawn on load and after every htmx swap; the pages work without it.
 *
 * <div class="inspection-map" data-mode="plan|route" data-map='{...}'> carries:
 *   data-map   plan:  {start: [lat, lon], start_name, radius_km, points: [{id, lat, lon, label, name}], base}
 *              route: {start: [lat, lon], start_name, closed, base,
 *                      stops: [{n, lat, lon, label, name, status, status_label}]}
 *              status: pending | visited | skipped | not_reached (pending once the inspection ended)
 *   data-tile-url, data-tile-attribution   tiles (empty: the plain base alone)
 *   data-base-script, data-base-stylesheet static/js/map-base.js and its stylesheet: they draw `base`
 *              (the district's AC outlines and labels, its headquarters: app/maps/outlines.py) under the parts
 *   data-labels  translated strings: tick, untick, locating, denied, start
 * Plan: a tap on a part ticks or unticks its box in the list; with "a point on the map" chosen as the
 * start, a tap elsewhere moves the start. "My current location" reads the browser's position.
 * Changing the start fires `change` on the latitude box, which refreshes the suggestions (htmx).
 */
(function () {
  "use strict";
  if (window.sirInspectionMaps) return;

  function base(container) {
    // The zoom buttons' names in the page's language (base.html carries them).
    L.Control.Zoom.prototype.options.zoomInTitle = document.documentElement.dataset.zoomIn || "Zoom in";
    L.Control.Zoom.prototype.options.zoomOutTitle = document.documentElement.dataset.zoomOut || "Zoom out";
    var map = L.map(container, {
      attributionControl: Boolean(container.dataset.tileUrl),
      scrollWheelZoom: false,
      fadeAnimation: false,
      zoomAnimation: false,
      markerZoomAnimation: false,
    });
    container.sirMap = map;
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, {
        attribution: container.dataset.tileAttribution || "",
        maxZoom: 18,
      }).addTo(map);
    }
    return map;
  }

  function drawBase(map, container, data, mapBase) {
    if (mapBase) mapBase.draw(map, data.base, { tiled: Boolean(container.dataset.tileUrl), start: data.start });
  }

  function startMarker(map, data) {
    return L.marker(data.start, {
      icon: L.divIcon({ className: "insp-start", html: "\u2302", iconSize: [30, 30] }),
      title: data.start_name,
      keyboard: false,
    })
      .bindTooltip(data.start_name)
      .addTo(map);
  }

  function box(id) {
    return document.querySelector('#plan-stops input[name="part_id"][value="' + id + '"]');
  }

  function drawPlan(container, data, labels, mapBase) {
    var map = base(container);
    drawBase(map, container, data, mapBase);
    // the view first: a circle measures itself on the map
    var around = L.latLngBounds([data.start]);
    data.points.forEach(function (point) {
      around.extend([point.lat, point.lon]);
    });
    if (data.points.length) map.fitBounds(around, { padding: [24, 24], maxZoom: 14 });
    else map.fitBounds(L.latLng(data.start).toBounds(data.radius_km * 2000), { padding: [8, 8] });
    var start = startMarker(map, data);
    L.circle(data.start, {
      radius: data.radius_km * 1000,
      className: "insp-radius",
      interactive: false,
    }).addTo(map);
    data.points.forEach(function (point) {
      var input = box(point.id);
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 10,
        weight: 2,
        className: "insp-part" + (input && input.checked ? " is-chosen" : ""),
      }).addTo(map);
      marker.bindTooltip(point.label + " " + point.name);
      function paint() {
        var chosen = input && input.checked;
        var path = marker.getElement();
        if (path) path.classList.toggle("is-chosen", Boolean(chosen));
      }
      marker.on("click", function (event) {
        L.DomEvent.stopPropagation(event);
        if (!input) return;
        input.click();
        paint();
      });
      if (input) input.addEventListener("change", paint);
    });
    map.on("click", function (event) {
      var mode = document.querySelector('#plan-where input[name="start"]:checked');
      if (!mode || mode.value !== "map") return;
      setStart(event.latlng.lat, event.latlng.lng);
      start.setLatLng(event.latlng);
    });
  }

  function setStart(lat, lon) {
    var latInput = document.getElementById("start-lat");
    var lonInput = document.getElementById("start-lon");
    if (!latInput || !lonInput) return;
    latInput.value = lat.toFixed(5);
    lonInput.value = lon.toFixed(5);
    latInput.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function drawRoute(container, data, mapBase) {
    var map = base(container);
    drawBase(map, container, data, mapBase);
    startMarker(map, data);
    var line = [data.start];
    data.stops.forEach(function (stop) {
      line.push([stop.lat, stop.lon]);
      var name = stop.n + ". " + stop.label + " " + stop.name + (stop.status_label ? " \u00b7 " + stop.status_label : "");
      L.marker([stop.lat, stop.lon], {
        icon: L.divIcon({ className: "insp-stop is-" + stop.status, html: String(stop.n), iconSize: [28, 28] }),
        title: name,
        keyboard: false,
      })
        .bindTooltip(name)
        .addTo(map);
    });
    if (data.closed) line.push(data.start);
    var route = L.polyline(line, { className: "insp-route", weight: 3 }).addTo(map);
    map.fitBounds(route.getBounds().extend(data.start), { padding: [24, 24], maxZoom: 14 });
  }

  function draw(container) {
    if (container.sirMap || container.sirWaiting || !window.L) return;
    var data = JSON.parse(container.dataset.map || "{}");
    var labels = JSON.parse(container.dataset.labels || "{}");
    container.sirWaiting = true;
    window.sirOnDemand.mapBase(container, data).then(function (mapBase) {
      container.sirWaiting = false;
      if (container.sirMap || !document.contains(container)) return;
      if (container.dataset.mode === "route") drawRoute(container, data, mapBase);
      else drawPlan(container, data, labels, mapBase);
      var status = container.parentElement.querySelector(".map-status");
      if (status) status.hidden = true;
    });
  }

  /* "My current location": the browser's position fills the start's boxes. */
  function locate(radio) {
    var status = document.getElementById("start-status");
    var labels = JSON.parse(radio.dataset.labels || "{}");
    function say(text) {
      if (!status) return;
      status.textContent = text || "";
      status.hidden = !text;
    }
    if (!navigator.geolocation) {
      say(labels.denied);
      return;
    }
    say(labels.locating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        say("");
        setStart(position.coords.latitude, position.coords.longitude);
      },
      function () {
        say(labels.denied);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches('#plan-where input[name="start"][value="here"]') && target.checked) {
      locate(target);
    }
  });

  function drawAll() {
    document.querySelectorAll(".inspection-map[data-map]").forEach(draw);
  }

  window.sirInspectionMaps = { drawAll: drawAll };
  document.addEventListener("htmx:afterSettle", drawAll);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
