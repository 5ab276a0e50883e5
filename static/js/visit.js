/*
 * The visit form (templates/inspections/visit.html): when it appears, the phone is asked for its
 * position once; an answer fills the hidden latitude, longitude and accuracy_m, a refusal or no
 * answer says so in plain words and the visit is recorded without them. A button marked data-print
 * prints the page (the report). Loaded by static/js/on-demand.js; works again after htmx swaps.
 */
(function () {
  "use strict";
  if (window.sirVisit) return;
  window.sirVisit = true;

  function locate(form) {
    if (form.dataset.located) return;
    form.dataset.located = "1";
    var labels = JSON.parse(form.dataset.labels || "{}");
    var status = form.querySelector(".visit-location-status");
    function say(text) {
      if (status && text) status.textContent = text;
    }
    if (form.elements.latitude.value) return; // sent back with a refused form: already known
    if (!navigator.geolocation) {
      say(labels.refused);
      return;
    }
    say(labels.locating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var c = position.coords;
        form.elements.latitude.value = c.latitude.toFixed(6);
        form.elements.longitude.value = c.longitude.toFixed(6);
        form.elements.accuracy_m.value = Math.round(c.accuracy || 0);
        var metres = Math.round(c.accuracy || 0);
        say(metres ? (labels.found || "").replace("{m}", metres) : labels.known);
      },
      function () {
        say(labels.refused);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  function scan() {
    document.querySelectorAll("form[data-visit-location]").forEach(locate);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-print]");
    if (button) window.print();
  });
  document.addEventListener("htmx:load", scan);
  scan();
})();
