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

  /* What was sent, in the queue's words: "Difficulty: No network, Stops the work" (the form names
   * itself in data-queue-what; the choices ticked say the rest), else the form's heading and button. */
  function label(form) {
    if (form.dataset.queueWhat) {
      var chosen = [];
      form.querySelectorAll("input[type=radio]:checked, input[type=checkbox]:checked").forEach(function (input) {
        var owner = input.closest("label") || (input.id && form.querySelector("label[for='" + input.id + "']"));
        var text = owner ? owner.textContent.trim().replace(/\s+/g, " ") : "";
        if (text) chosen.push(text);
      });
      return chosen.length ? form.dataset.queueWhat + ": " + chosen.join(", ") : form.dataset.queueWhat;
    }
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
      if (!fixing || fixing.url !== url || fixing.key === key) return record;
      var fixes = fixing.key; // the corrected post, kept in its turn, replaces the refused one
      fixing = null;
      return queue.remove(fixes).then(function () { return record; });
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
    var refused = {};
    items.forEach(function (item) { if (item.state !== "waiting") refused[item.key] = item; });
    document.querySelectorAll("[data-offline-note][data-offline-key]").forEach(function (note) {
      if (refused[note.dataset.offlineKey]) showRefused(note, refused[note.dataset.offlineKey], w);
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

  /* A kept post the server refused: its form's note says so, with the reason and the way to correct it. */
  function showRefused(note, item, w) {
    if (note.dataset.offlineRefused === item.key + item.updated) return;
    note.dataset.offlineRefused = item.key + item.updated;
    note.textContent = item.reason ? w.refusedNote.replace("%(reason)s", item.reason) : w.refusedPlain;
    note.classList.remove("flash-offline");
    note.classList.add("flash-error");
    note.setAttribute("role", "alert");
    note.appendChild(document.createTextNode(" "));
    note.appendChild(fixLink(item, w));
  }

  function fixLink(item, w) {
    var link = document.createElement("a");
    link.href = (item.page || item.url) + "#offline-fix=" + encodeURIComponent(item.key);
    link.setAttribute("hx-boost", "false");
    link.textContent = w.fix;
    return link;
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
    var last = section.querySelector("[data-offline-last-sent]");
    if (last) {
      var newest = (sent || [])[(sent || []).length - 1];
      var when = new Intl.DateTimeFormat(document.documentElement.lang + "-IN", {
        day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: w.zone || undefined,
      });
      last.textContent = newest ? w.lastSent.replace("%(time)s", when.format(new Date(newest.sent))) : w.nothingSent;
    }
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
      var page = item.page || item.url;
      // A refused post opens its form filled with what was typed, to be corrected (fillFromQueue).
      node.querySelector("[data-field=open]").href = item.state === "refused" ? page + "#offline-fix=" + encodeURIComponent(item.key) : page;
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

  /* ---- a refused post's form, filled again with what was typed (issue 21) ---- */

  // Not copied back: the page's own token and check, and the new post's own key.
  var NOT_REFILLED = { csrf_token: 1, idempotency_key: 1, form_token: 1, check_shown: 1 };
  // The refused post this page's form corrects, {key, url}: its save replaces it.
  var fixing = null;

  /* Each field the server's answer marks, with its message: {name: text}. */
  function fieldErrors(html) {
    var errors = {};
    if (!html || typeof DOMParser !== "function") return errors;
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll("[name][aria-invalid=true]").forEach(function (field) {
      var id = (field.getAttribute("aria-describedby") || "").split(" ")[0];
      var help = id ? doc.getElementById(id) : null;
      var text = help ? help.textContent.trim() : "";
      if (text && !errors[field.name]) errors[field.name] = text;
    });
    return errors;
  }

  function formFor(url) {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var target = forms[i].getAttribute("hx-post") || forms[i].getAttribute("action") || "";
      if (target && new URL(target, location.href).pathname === url) return forms[i];
    }
    return null;
  }

  /* Put the kept values into the form's fields; what is not there yet (a field the live check adds)
   * stays in `pending`. A radio is only chosen, not clicked (its change would reload the form). */
  function setFields(form, pending) {
    Object.keys(pending).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
      if (!fields.length) return;
      var value = pending[name];
      var set = false;
      fields.forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.value === value) field.checked = set = true;
        } else if (field.type !== "file" && !(field.type === "hidden" && name === "report_date")) {
          field.value = value;
          set = true;
          if (field.type !== "hidden") field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
      if (set || fields[0].type === "hidden") delete pending[name];
    });
  }

  function showErrors(form, errors) {
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector("[name='" + name.replace(/'/g, "") + "']");
      if (!field) return;
      field.setAttribute("aria-invalid", "true");
      var id = (field.getAttribute("aria-describedby") || "").split(" ")[0];
      var help = id ? document.getElementById(id) : null;
      if (help) {
        help.textContent = errors[name];
        help.classList.add("field-error");
      }
    });
  }

  function fillFromQueue(key) {
    return queue.forUser(user()).then(function (items) {
      var item = items.filter(function (one) { return one.key === key; })[0];
      var form = item && formFor(item.url);
      if (!form) return;
      var pending = {};
      item.fields.forEach(function (pair) {
        if (!NOT_REFILLED[pair[0]] && typeof pair[1] === "string" && !(pair[0] in pending)) pending[pair[0]] = pair[1];
      });
      fixing = { key: item.key, url: item.url };
      setFields(form, pending);
      var errors = fieldErrors(item.refusedHtml);
      showErrors(form, errors);
      // A field the live check brings (the reason for a lower figure): filled and marked when it comes.
      document.addEventListener("htmx:afterSettle", function () {
        if (!fixing || fixing.key !== item.key) return;
        var now = formFor(item.url);
        if (!now) return;
        setFields(now, pending);
        if (now === form) showErrors(form, errors); // a new form from the server marks its own
      });
      var named = Object.keys(errors).some(function (name) { return form.querySelector("[name='" + name.replace(/'/g, "") + "']"); });
      if (!named && item.reason) {
        // A reason that names no field heads the form.
        var note = document.createElement("p");
        note.className = "flash flash-error";
        note.setAttribute("role", "alert");
        note.setAttribute("data-offline-fix-reason", "");
        note.textContent = item.reason;
        form.insertBefore(note, form.firstChild);
        if (note.scrollIntoView) note.scrollIntoView({ block: "center", behavior: "instant" });
      }
      var first = form.querySelector("[aria-invalid=true]");
      if (first && first.scrollIntoView) first.scrollIntoView({ block: "center", behavior: "instant" });
    });
  }

  // The corrected post saved: the refused one it replaces leaves the queue.
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    var request = detail.requestConfig || {};
    var status = detail.xhr ? detail.xhr.status : 0;
    if (!fixing || request.verb !== "post" || !request.path) return;
    // The form's own save, not the live check inside it.
    if (new URL(request.path, location.href).pathname !== fixing.url) return;
    if (!detail.successful || status < 200 || status >= 300) return;
    var fixes = fixing.key;
    fixing = null;
    document.querySelectorAll("[data-offline-fix-reason]").forEach(function (note) { note.remove(); });
    queue.remove(fixes);
  });

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync ? registration.sync.register(lite.config().syncTag) : null;
    }).catch(function () {});
  }

  window.addEventListener("sir-queue-changed", refresh);
  if (queue.channel) queue.channel.addEventListener("message", refresh);

  function fixFromHash() {
    if (location.hash.indexOf("#offline-fix=") === 0) {
      fillFromQueue(decodeURIComponent(location.hash.slice("#offline-fix=".length)));
    }
  }
  fixFromHash();
  // "Correct it" on this very page (the form's own note) fills the form without a reload.
  window.addEventListener("hashchange", fixFromHash);

  window.sirOfflineUi = { keep: keep, refresh: refresh, sendNow: sendNow, fixLink: fixLink };
})();
