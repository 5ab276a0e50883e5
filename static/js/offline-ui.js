/*
 * The phone's queue on the page (issue 11), loaded by offline.js only when it is needed: to keep a
 * post that could not reach the server, to send what waits, or to show the queue page. The queue
 * itself is offline-queue.js (IndexedDB through idb-keyval), shared with the service worker.
 * Its words for the queue page come from <script type="application/json" id="offline-words">.
 */
(function () {
  "use strict";
  if (window.sirOfflineUi || !window.sirQueue || !window.sirOffline) return;
  var queue = window.sirQueue;
  var lite = window.sirOffline;

  function user() {
    return lite.config().user;
  }

  function words() {
    var element = document.getElementById("offline-words");
    var own = {};
    try {
      own = element ? JSON.parse(element.textContent) : {};
    } catch (error) { /* the page's words only */ }
    var all = {};
    var base = lite.words();
    for (var name in base) all[name] = base[name];
    for (name in own) all[name] = own[name];
    return all;
  }

  function csrf() {
    var page = document.getElementById("page");
    try {
      return JSON.parse(page.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      var input = document.querySelector("input[name=csrf_token]");
      return input ? input.value : "";
    }
  }

  function label(form) {
    var heading = form.closest("article, section, #assignment");
    heading = (heading && heading.querySelector("h1, h2")) || document.querySelector("main h1");
    var text = heading ? heading.textContent.trim().replace(/\s+/g, " ") : document.title;
    var button = form.querySelector("button[type=submit], button:not([type])");
    return button ? text + " · " + button.textContent.trim() : text;
  }

  function fieldsOf(formData) {
    var fields = [];
    formData.forEach(function (value, name) { fields.push([name, value]); });
    return fields;
  }

  function showSaved(form, key) {
    var w = words();
    var note = lite.flash(w.saved + " ", form);
    note.dataset.offlineKey = key;
    var link = document.createElement("a");
    link.href = lite.config().queueUrl;
    link.textContent = w.seeQueue;
    note.appendChild(link);
  }

  function keep(form, url, formData, key) {
    // The worker sends the queue when no page is open: it reads whose it is from here.
    return queue.setUser(user()).then(function () {
      return queue.add({
        key: key,
        url: url,
        fields: fieldsOf(formData),
        user: user(),
        label: label(form),
        page: location.pathname + location.search,
      });
    }).then(function (record) {
      showSaved(form, key);
      askForSync();
      return refresh().then(function () { return record; });
    });
  }

  /* ---- the waiting count and the queue page ---- */

  function refresh() {
    if (!user()) return Promise.resolve();
    return Promise.all([queue.forUser(user()), queue.sentFor(user())]).then(function (found) {
      lite.showCount(found[0].length);
      renderQueue(found[0], found[1]);
      showSent(found[1], found[0]);
    });
  }

  /* "Sent at 10:42", in the campaign's time. */
  function sentText(record, w) {
    var format = new Intl.DateTimeFormat(document.documentElement.lang + "-IN", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: w.zone || undefined,
    });
    return w.sent.replace("%(time)s", format.format(new Date(record.sent)));
  }

  /* A kept post once sent: its form's note says when, and the page's lists that show what was
   * sent (hx-trigger "sir-queue-sent from:body") read themselves again, once nothing more waits
   * (one reading for a queue sent in a row). */
  var seenSent = null;
  var unread = false;
  function showSent(sent, items) {
    var w = words();
    var byKey = {};
    sent.forEach(function (record) { byKey[record.key] = record; });
    var fresh = false;
    document.querySelectorAll("[data-offline-note][data-offline-key]").forEach(function (note) {
      var record = byKey[note.dataset.offlineKey];
      if (!record || note.dataset.offlineSent) return;
      note.textContent = sentText(record, w);
      note.dataset.offlineSent = "1";
      note.classList.remove("flash-offline");
      note.classList.add("flash-success");
      fresh = true;
    });
    if (seenSent) {
      fresh = fresh || sent.some(function (record) { return !seenSent[record.key]; });
    }
    seenSent = byKey;
    unread = unread || fresh;
    if (unread && !items.some(function (item) { return item.state === "waiting"; })) {
      unread = false;
      document.body.dispatchEvent(new CustomEvent("sir-queue-sent", { bubbles: true }));
    }
  }

  function stateLabel(item, w) {
    return item.state === "refused" ? w.refused : item.state === "conflict" ? w.conflict : w.waiting;
  }

  function reasonText(item, w) {
    if (item.reason) return item.reason;
    if (item.state !== "waiting" || !item.attempts) return "";
    return { network: w.network, signIn: w.signIn, serverError: w.serverError }[item.reasonCode] || "";
  }

  function renderQueue(items, sent) {
    var section = document.getElementById("offline-queue");
    if (!section) return;
    var w = words();
    var list = section.querySelector("#offline-items");
    var template = section.querySelector("#offline-item-template");
    var format = new Intl.DateTimeFormat(document.documentElement.lang + "-IN", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: w.zone || undefined,
    });
    section.querySelector("[data-offline-empty]").hidden = items.length > 0;
    section.querySelector("[data-offline-send]").hidden = items.length === 0;
    var open = {};
    list.querySelectorAll("details[open]").forEach(function (details) { open[details.closest("li").dataset.key] = true; });
    list.replaceChildren();
    items.forEach(function (item) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.dataset.key = item.key;
      node.dataset.state = item.state;
      node.querySelector("[data-field=label]").textContent = item.label || item.url;
      node.querySelector("[data-field=state]").textContent = stateLabel(item, w);
      node.querySelector("[data-field=created]").textContent = w.created + " " + format.format(new Date(item.created));
      var reason = node.querySelector("[data-field=reason]");
      reason.textContent = reasonText(item, w);
      reason.hidden = !reason.textContent;
      node.querySelector("[data-field=open]").href = item.page || item.url;
      if (item.state === "conflict" && item.conflictHtml) {
        var holder = node.querySelector("[data-field=conflict]");
        var details = document.createElement("details");
        if (open[item.key]) details.open = true;
        var summary = document.createElement("summary");
        summary.textContent = w.resolve;
        details.appendChild(summary);
        var body = document.createElement("div");
        body.innerHTML = item.conflictHtml; // the server's own answer to this post (same origin)
        body.querySelectorAll("input[name=csrf_token]").forEach(function (input) { input.value = csrf(); });
        body.querySelectorAll("form").forEach(function (form) { form.dataset.offlineResolves = item.key; });
        details.appendChild(body);
        holder.appendChild(details);
        holder.hidden = false;
      }
      list.appendChild(node);
    });
    // What this phone sent in the last day, newest first: when it was sent, nothing left to do.
    (sent || []).slice().reverse().forEach(function (record) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.dataset.key = record.key;
      node.dataset.state = "sent";
      node.querySelector("[data-field=label]").textContent = record.label || record.url;
      node.querySelector("[data-field=state]").textContent = sentText(record, w);
      node.querySelector("[data-field=created]").textContent = w.created + " " + format.format(new Date(record.created));
      node.querySelector("[data-field=open]").href = record.page || record.url;
      node.querySelector("[data-offline-delete]").remove();
      list.appendChild(node);
    });
    if (window.htmx) window.htmx.process(list);
  }

  // Choosing on a conflict sends that choice; the queued post it answers is then done.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.offlineResolves) queue.remove(form.dataset.offlineResolves);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.closest("[data-offline-send]")) {
      event.preventDefault();
      sendNow();
      return;
    }
    var remove = target.closest("[data-offline-delete]");
    if (remove) {
      event.preventDefault();
      if (window.confirm(words().deleteConfirm)) queue.remove(remove.closest("li").dataset.key);
    }
  });

  var sending = null;
  var busyRetries = 0;
  function sendNow() {
    if (!user()) return Promise.resolve(null);
    if (sending) return sending;
    var buttons = document.querySelectorAll("[data-offline-send]");
    buttons.forEach(function (button) { button.setAttribute("aria-busy", "true"); });
    sending = queue.replayAll({ user: user(), csrf: csrf() }).then(function (result) {
      // Another tab holds the lock and sends; if it goes away before it is done, this one sends.
      if (result && result.busy && busyRetries < 5) {
        busyRetries += 1;
        window.setTimeout(sendNow, 2000);
      } else {
        busyRetries = 0;
      }
      return result;
    }, function () { return null; }).then(function (result) {
      sending = null;
      buttons.forEach(function (button) { button.removeAttribute("aria-busy"); });
      return refresh().then(function () { return result; });
    });
    return sending;
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync ? registration.sync.register(lite.config().syncTag) : null;
    }).catch(function () {});
  }

  window.addEventListener("sir-queue-changed", refresh);
  if (queue.channel) queue.channel.addEventListener("message", refresh);

  window.sirOfflineUi = { keep: keep, refresh: refresh, sendNow: sendNow };
})();
