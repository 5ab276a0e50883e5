/*
 * Choosing a home location on the sign-up form, with Leaflet 1.9.4 (static/vendor/leaflet-1.9.4;
 * static/js/on-demand.js loads both where a .location-picker is on the page).
 *
 * <div class="location-picker"> carries:
 *   data-lat-input, data-lon-input  ids of the latitude and longitude inputs (the form works without this script)
 *   data-district-input             id of the district select: the map centres on its headquarters
 *   data-districts                  {district id: [lat, lon]} of the headquarters
 *   data-tile-url                   tile URL template; empty = no tiles (a plain background)
 *   data-tile-attribution           attribution shown with the tiles
 *   data-labels                     translated strings: locate, locating, denied
 * A tap on the map, or "use my current location", fills the two inputs; typing in them moves the pin.
 * The status line is the <p class="location-status"> after the map.
 */
(function () {
  "use strict";
  if (window.sirPickLocation) return;
  var INDIA = [22.5, 79.0];

  function number(input) {
    var value = parseFloat((input.value || "").trim());
    return isFinite(value) ? value : null;
  }

  function setup(container) {
    if (container.sirMap) return;
    var data = container.dataset;
    var latInput = document.getElementById(data.latInput);
    var lonInput = document.getElementById(data.lonInput);
    var districtInput = document.getElementById(data.districtInput);
    if (!latInput || !lonInput) return;
    var labels = JSON.parse(data.labels || "{}");
    var districts = JSON.parse(data.districts || "{}");
    var status = container.parentElement.querySelector(".location-status");

    function say(text) {
      if (!status) return;
      status.textContent = text || "";
      status.hidden = !text;
    }

    // The zoom buttons' names in the page's language (base.html carries them).
    L.Control.Zoom.prototype.options.zoomInTitle = document.documentElement.dataset.zoomIn || "Zoom in";
    L.Control.Zoom.prototype.options.zoomOutTitle = document.documentElement.dataset.zoomOut || "Zoom out";
    var map = L.map(container, {
      attributionControl: Boolean(data.tileUrl),
      scrollWheelZoom: false,
      fadeAnimation: false,
      zoomAnimation: false,
      markerZoomAnimation: false,
    });
    container.sirMap = map;
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 18 }).addTo(map);
    }
    var pin = null;

    function place(lat, lon, centre) {
      if (pin) {
        pin.setLatLng([lat, lon]);
      } else {
        pin = L.circleMarker([lat, lon], { radius: 10, weight: 3, className: "home-pin" }).addTo(map);
      }
      if (centre) map.setView([lat, lon], Math.max(map.getZoom() || 0, 13));
    }

    function fill(lat, lon) {
      latInput.value = lat.toFixed(5);
      lonInput.value = lon.toFixed(5);
      place(lat, lon, false);
    }

    function centreOnDistrict() {
      var hq = districtInput && districts[districtInput.value];
      map.setView(hq || INDIA, hq ? 10 : 5);
    }

    var lat = number(latInput);
    var lon = number(lonInput);
    if (lat !== null && lon !== null) {
      map.setView([lat, lon], 13);
      place(lat, lon, false);
    } else {
      centreOnDistrict();
    }

    map.on("click", function (event) {
      fill(event.latlng.lat, event.latlng.lng);
      say("");
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var typedLat = number(latInput);
        var typedLon = number(lonInput);
        if (typedLat !== null && typedLon !== null) place(typedLat, typedLon, true);
      });
    });
    if (districtInput) {
      districtInput.addEventListener("change", function () {
        if (!pin) centreOnDistrict();
      });
    }

    if (navigator.geolocation) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary outline locate-me";
      button.textContent = labels.locate || "";
      button.addEventListener("click", function () {
        say(labels.locating);
        button.disabled = true;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            button.disabled = false;
            fill(position.coords.latitude, position.coords.longitude);
            map.setView([position.coords.latitude, position.coords.longitude], 14);
            say("");
          },
          function () {
            button.disabled = false;
            say(labels.denied);
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
      container.insertAdjacentElement("afterend", button);
    }
  }

  function setupAll(root) {
    if (!window.L) return;
    (root || document).querySelectorAll(".location-picker").forEach(setup);
  }

  window.sirPickLocation = { setupAll: setupAll };
  document.addEventListener("htmx:afterSettle", function () {
    setupAll(document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      setupAll(document);
    });
  } else {
    setupAll(document);
  }
})();
