/*
 * The daily report form and the phone's queue (issue 21), loaded by the report pages.
 * - A report kept on the phone (offline.js, offline-ui.js) shows in its form, on a reload and in a
 *   new tab, as the BLO typed it, marked "waiting to send": never the server's older copy.
 * - One kept report per part and day: a later save replaces the earlier one, and says so.
 * - Offline, the live check says it will run once online, rather than show a stale verdict.
 * The forms carry data-report-form; their words are in the card (reports/_card.html). It comes with
 * the queue's scripts (offline.js loads them on a report page when the phone keeps something or is
 * offline), so a page with nothing kept, online, does not carry it.
 */
(function () {
  "use strict";
  if (window.sirReportKept) return;
  var FORM = "form[data-report-form]";
  var replacedIn = {}; // slot → the kept key whose earlier copies this page replaced

  function user() {
    return window.sirOffline ? window.sirOffline.config().user : null;
  }

  function path(url) {
    return new URL(url, location.href).pathname;
  }

  function dayOf(form) {
    var chosen = form.querySelector("input[name=report_date]:checked, input[type=hidden][name=report_date]");
    return chosen ? chosen.value : "";
  }

  function slotOfForm(form) {
    return path(form.getAttribute("hx-post") || form.getAttribute("action")) + " " + dayOf(form);
  }

  function field(item, name) {
    for (var i = 0; i < item.fields.length; i++) {
      if (item.fields[i][0] === name) return item.fields[i][1];
    }
    return null;
  }

  function slotOfItem(item) {
    var day = field(item, "report_date");
    return day === null ? null : path(item.url) + " " + day;
  }

  function forms(root) {
    var found = [];
    if (root.matches && root.matches(FORM)) found.push(root);
    if (root.querySelectorAll) found.push.apply(found, root.querySelectorAll(FORM));
    return found;
  }

  function storedCount() {
    try {
      return Number(localStorage.getItem("sir-waiting-" + user()) || 0);
    } catch (error) {
      return 0;
    }
  }

  /* This user's kept reports, the latest per slot (part and day); none without loading the queue
   * when the phone keeps nothing. */
  function kept() {
    if (!user() || !storedCount()) return Promise.resolve({});
    return window.sirOffline.queue().then(function (queue) {
      return queue.forUser(user());
    }).then(function (items) {
      var latest = {};
      items.forEach(function (item) {
        var slot = slotOfItem(item);
        if (slot && (!latest[slot] || item.created >= latest[slot].created)) latest[slot] = item;
      });
      return latest;
    });
  }

  function mark(form) {
    var article = form.closest("article");
    return article && article.querySelector("[data-kept-mark]");
  }

  function showMark(form, item) {
    var place = mark(form);
    if (!place) return;
    place.hidden = !item;
    place.dataset.keptKey = item ? item.key : "";
    // Refused by the server: no longer "waiting", but the reason and the way to correct it.
    var refused = !!item && item.state !== "waiting";
    place.classList.toggle("flash-offline", !refused);
    place.classList.toggle("flash-error", refused);
    var waiting = place.querySelector("[data-kept-waiting]");
    var told = place.querySelector("[data-kept-refused]");
    if (waiting) waiting.hidden = refused;
    if (told) {
      told.hidden = !refused;
      told.querySelector("[data-kept-reason]").textContent = refused ? item.reason || "" : "";
      told.querySelector("[data-kept-fix]").href = refused ? location.pathname + location.search + "#offline-fix=" + encodeURIComponent(item.key) : "#";
    }
    var note = place.querySelector("[data-kept-replaced]");
    if (note) note.hidden = !(item && replacedIn[slotOfForm(form)] === item.key);
  }

  function fill(form, item) {
    item.fields.forEach(function (pair) {
      var name = pair[0];
      if (name === "report_date" || name === "csrf_token" || name === "idempotency_key") return;
      var input = form.querySelector("input[name='" + CSS.escape(name) + "']:not([type=hidden])");
      if (input && typeof pair[1] === "string") input.value = pair[1];
    });
  }

  function check(form) {
    return form.querySelector(".report-check");
  }

  function checkLater(form) {
    var place = check(form);
    if (!place || place.dataset.offline) return;
    var note = document.createElement("p");
    note.className = "pace muted";
    note.textContent = form.dataset.offlineCheck;
    // A reason already asked for stays, with what was typed in it.
    place.replaceChildren.apply(place, [note].concat(Array.prototype.slice.call(place.querySelectorAll(".report-reason"))));
    place.dataset.offline = "1";
    askReasonOffline(form);
  }

  /* Offline: a figure lower than in the last report asks for the reason here, as the live check would. */
  function askReasonOffline(form) {
    var place = check(form);
    var template = form.querySelector("template[data-offline-reason]");
    if (!place || !place.dataset.offline || !template) return;
    var lower = Array.prototype.some.call(form.querySelectorAll("input[data-previous]"), function (input) {
      var typed = input.value.trim();
      return typed !== "" && Number(typed) < Number(input.dataset.previous);
    });
    var asked = place.querySelector(".report-reason");
    if (lower && !asked) {
      place.appendChild(template.content.firstElementChild.cloneNode(true));
    } else if (!lower && asked && asked.hasAttribute("data-offline-added") && !asked.querySelector("input").value) {
      asked.remove();
    }
  }

  function checkNow(form) {
    var inputs = form.querySelector(".report-inputs");
    var place = check(form);
    if (!inputs || !place || !window.htmx) return;
    delete place.dataset.offline;
    window.htmx.ajax("POST", inputs.getAttribute("hx-post"), { source: inputs, target: "#" + place.id, swap: "innerHTML" });
  }

  /* The forms under root: a kept report fills its form, with the mark. */
  function apply(root, filling) {
    var found = forms(root);
    if (!found.length) return Promise.resolve();
    if (navigator.onLine === false && filling) found.forEach(checkLater);
    return kept().then(function (latest) {
      found.forEach(function (form) {
        var item = latest[slotOfForm(form)] || null;
        if (item && filling && mark(form) && mark(form).dataset.keptKey !== item.key) {
          fill(form, item);
          if (navigator.onLine === false) checkLater(form);
          else checkNow(form);
        }
        showMark(form, item);
      });
    }).catch(function () { /* the queue's scripts not here: the form shows the server's page */ });
  }

  /* A save kept again for the same part and day: the earlier kept copies go, the later one stays. */
  var busy = null;
  function dedupe() {
    if (!user() || !window.sirQueue) return Promise.resolve();
    var onPage = {};
    forms(document).forEach(function (form) { onPage[path(form.getAttribute("hx-post") || form.action)] = true; });
    return window.sirQueue.forUser(user()).then(function (items) {
      var latest = {};
      items.forEach(function (item) {
        var slot = slotOfItem(item);
        if (slot && onPage[path(item.url)] && (!latest[slot] || item.created >= latest[slot].created)) latest[slot] = item;
      });
      var earlier = items.filter(function (item) {
        var slot = slotOfItem(item);
        return slot && latest[slot] && latest[slot] !== item;
      });
      earlier.forEach(function (item) { replacedIn[slotOfItem(item)] = latest[slotOfItem(item)].key; });
      return earlier.reduce(function (chain, item) {
        return chain.then(function () { return window.sirQueue.remove(item.key); });
      }, Promise.resolve());
    });
  }

  function changed() {
    if (!forms(document).length) return;
    if (busy) {
      busy.again = true;
      return;
    }
    busy = { again: false };
    dedupe().then(function () { return apply(document, false); }).catch(function () {}).then(function () {
      var again = busy.again;
      busy = null;
      if (again) changed();
    });
  }

  function isCheck(url) {
    return /\/reports\/parts\/[^/]+\/check$/.test(path(url || ""));
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (navigator.onLine !== false || !isCheck(event.detail.path)) return;
    event.preventDefault();
    var form = event.detail.elt.closest(FORM);
    if (form) checkLater(form);
  });
  document.addEventListener("htmx:sendError", function (event) {
    var request = event.detail.requestConfig || {};
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest(FORM) : null;
    if (form && isCheck(request.path)) checkLater(form);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var request = event.detail.requestConfig || {};
    if (request.verb !== "get") return;
    var target = event.detail.target;
    var swapped = target && target.isConnected ? target : target && target.id ? document.getElementById(target.id) : null;
    if (swapped) apply(swapped, true);
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest ? event.target.closest(FORM) : null;
    if (form && navigator.onLine === false) askReasonOffline(form);
  });
  window.addEventListener("online", function () {
    forms(document).forEach(function (form) {
      var place = check(form);
      if (place && place.dataset.offline) checkNow(form);
    });
  });
  window.addEventListener("sir-queue-changed", changed);

  window.sirReportKept = { apply: apply };
  function start() {
    if (window.sirOffline) apply(document, true);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
