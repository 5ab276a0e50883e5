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

  // The phone's time of the tap (epoch ms), stamped when the person taps: before the position is
  // looked for and before the post may be kept offline, so a post sent later says when it happened.
  function stamp(form) {
    var input = form.querySelector("input[name=tapped_at]");
    if (input) input.value = String(Date.now());
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form.matches) return;
      if (form.matches("form[data-tap-time]") && form.dataset.located !== "1" && form.dataset.locating !== "1") {
        stamp(form);
      }
      if (!form.matches("form[data-geolocate]")) return;
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

  /* A check-in kept on the phone (offline) shows as "checked in (waiting to send)", with the
   * check-out below it: the template's hidden [data-pending-check-in] block, shown while the queue
   * holds a waiting post to its URL. Once sent, the assignment is read again from the server. */
  function waitingCount(user) {
    try {
      return Number(localStorage.getItem("sir-waiting-" + user) || 0);
    } catch (error) {
      return 0;
    }
  }

  var listening = false;

  function showPending() {
    var blocks = document.querySelectorAll("[data-pending-check-in]");
    var offline = window.sirOffline;
    if (!blocks.length || !offline) return;
    var user = offline.config().user;
    if (!user || (!window.sirQueue && !waitingCount(user))) return;
    offline.queue().then(function (queue) {
      if (queue.channel && !listening) {
        listening = true; // the worker's sends are told on the channel, not on this window
        queue.channel.addEventListener("message", showPending);
      }
      return queue.forUser(user);
    }).then(function (items) {
      blocks.forEach(function (block) {
        var url = block.getAttribute("data-pending-check-in");
        var out = block.getAttribute("data-pending-check-out");
        var sending = function (item) { return item.state === "waiting"; };
        // The check-out kept after it keeps the block up; the page is read again once neither waits.
        var kept = items.filter(function (item) { return (item.url === url || item.url === out) && sending(item); });
        var waiting = kept.some(function (item) { return item.url === url; }) || (!!block.dataset.shown && kept.length > 0);
        block.hidden = !waiting;
        if (waiting) block.dataset.shown = "1";
        var start = document.querySelector("[data-check-in-for='" + url + "']");
        if (start) {
          start.querySelectorAll("[data-check-in-start]").forEach(function (element) { element.hidden = waiting; });
        }
        if (block.dataset.shown && !kept.length && window.htmx && document.getElementById("assignment")) {
          delete block.dataset.shown;
          // Sent: the server's page says when the check-in was recorded.
          window.htmx.ajax("GET", location.pathname, { target: "#assignment", swap: "outerHTML" });
        }
      });
    }).catch(function () {});
  }

  window.addEventListener("sir-queue-changed", showPending);
  document.addEventListener("htmx:load", showPending);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showPending);
  else showPending();
})();
