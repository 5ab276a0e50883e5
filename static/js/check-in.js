/*
 * Check-in and check-out with the phone's position: a form marked data-geolocate asks
 * navigator.geolocation (a few seconds at most) and fills its hidden lat and lon before it is sent.
 * Without this script, without permission or without an answer in time, the form goes without
 * the point: the server records the time alone. Listens on the document in the capture phase, so
 * it runs before htmx sends the form, and keeps working after htmx swaps and boosted navigation.
 */
(function () {
  "use strict";
  if (window.sirCheckIn) return;
  window.sirCheckIn = true;
  var WAIT_MS = 8000;

  function send(form, submitter) {
    form.dataset.located = "1";
    try {
      if (form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else {
        form.submit();
      }
    } finally {
      delete form.dataset.located;
    }
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-geolocate]")) return;
      if (form.dataset.located === "1") return;
      var button = event.submitter || form.querySelector("button[type=submit]");
      if (form.dataset.locating === "1") {
        event.preventDefault();
        event.stopPropagation();
        return; // a second tap while the phone is still looking
      }
      if (!navigator.geolocation) return;
      event.preventDefault();
      event.stopPropagation();
      form.dataset.locating = "1";
      var status = form.querySelector("[data-geolocate-status]");
      if (status) status.hidden = false;
      if (button) button.setAttribute("aria-busy", "true");
      var done = false;
      function finish(position) {
        if (done) return;
        done = true;
        if (position && position.coords) {
          form.elements.lat.value = position.coords.latitude.toFixed(6);
          form.elements.lon.value = position.coords.longitude.toFixed(6);
        }
        if (status) status.hidden = true;
        if (button) button.removeAttribute("aria-busy");
        delete form.dataset.locating;
        send(form, button && button.form === form ? button : null);
      }
      // Some browsers never answer when the permission prompt is left open: send without the point.
      window.setTimeout(function () { finish(null); }, WAIT_MS + 500);
      navigator.geolocation.getCurrentPosition(finish, function () { finish(null); }, {
        enableHighAccuracy: true,
        timeout: WAIT_MS,
        maximumAge: 60000,
      });
    },
    true
  );
})();
