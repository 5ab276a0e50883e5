/*
 * Weak networks on the page (issue 11). Reads its settings and words from
 * <script type="application/json" id="offline-config"> (app/offline/routes.py offline_config).
 * - The forms that may be queued (their action matches config.queueable) get a hidden
 *   idempotency_key, a UUID made when the form is first filled and renewed after a save.
 * - A post that cannot reach the server (the phone is offline, or htmx:sendError) is kept in
 *   IndexedDB (offline-queue.js) and the form says "Saved on this phone, waiting to send".
 * - The queue is sent when the page loads, on "online", when the service worker asks (Background
 *   Sync) and by "Send now"; the waiting count shows in the header; the queue page lists the items.
 * - The service worker is registered for signed-in users; signing out wipes the queue and caches.
 */
(function () {
  "use strict";
  if (window.sirOffline || !window.sirQueue) return;
  var queue = window.sirQueue;
  var KEY_FIELD = "idempotency_key";

  function config() {
    var element = document.getElementById("offline-config");
    try {
      return element ? JSON.parse(element.textContent) : { user: null };
    } catch (error) {
      return { user: null };
    }
  }

  function words() {
    return config().strings || {};
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

  function path(url) {
    return new URL(url, location.href).pathname;
  }

  function queueable(form, url) {
    if (!form || form.tagName !== "FORM") return false;
    var method = (form.getAttribute("method") || "get").toLowerCase();
    if (method !== "post" && !form.hasAttribute("hx-post")) return false;
    var target = path(url || form.getAttribute("hx-post") || form.getAttribute("action") || location.href);
    return (config().queueable || []).some(function (pattern) { return new RegExp(pattern).test(target); });
  }

  function ensureKey(form) {
    var input = form.querySelector("input[name=" + KEY_FIELD + "]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = KEY_FIELD;
      form.appendChild(input);
    }
    if (!input.value) input.value = queue.newKey();
    return input.value;
  }

  // The key is made when the form is filled (first input or change), and at the latest when it is sent.
  ["input", "change", "submit"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var form = event.target && event.target.closest ? event.target.closest("form") : null;
      if (queueable(form)) ensureKey(form);
    }, true);
  });

  function label(form) {
    var heading = form.closest("article, section, #assignment");
    heading = heading && heading.querySelector("h1, h2");
    heading = heading || document.querySelector("main h1");
    var text = heading ? heading.textContent.trim().replace(/\s+/g, " ") : document.title;
    var button = form.querySelector("button[type=submit], button:not([type])");
    return button ? text + " · " + button.textContent.trim() : text;
  }

  function fieldsOf(formData) {
    var fields = [];
    formData.forEach(function (value, name) { fields.push([name, value]); });
    return fields;
  }

  function showSaved(form) {
    var note = form.querySelector("[data-offline-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "flash flash-offline";
      note.setAttribute("data-offline-note", "");
      var place = form.querySelector("[id^=confirm-][role=status]"); // the report form's own place
      if (place) {
        place.replaceChildren(note);
      } else {
        note.setAttribute("role", "status");
        form.insertBefore(note, form.firstChild);
      }
    }
    var link = document.createElement("a");
    link.href = config().queueUrl;
    link.textContent = words().seeQueue;
    note.replaceChildren(document.createTextNode(words().saved + " "), link);
    // The report form's place is below its fields and its sticky Save bar: bring the news into view.
    if (note.scrollIntoView) note.scrollIntoView({ block: "center", behavior: "instant" });
  }

  function keep(form, url, formData) {
    var settings = config();
    if (!settings.user) return Promise.resolve(null);
    var key = formData.get(KEY_FIELD) || ensureKey(form);
    if (!formData.get(KEY_FIELD)) formData.set(KEY_FIELD, key);
    return queue.add({
      key: key,
      url: path(url),
      fields: fieldsOf(formData),
      user: settings.user,
      label: label(form),
      page: location.pathname + location.search,
    }).then(function (record) {
      // The kept post owns this key; the form's next save is another post, with a key of its own.
      var input = form.querySelector("input[name=" + KEY_FIELD + "]");
      if (input && input.value === key) input.value = "";
      showSaved(form);
      askForSync();
      return record;
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    if (detail.verb !== "post" || !queueable(form, detail.path)) return;
    var key = ensureKey(form);
    detail.headers["Idempotency-Key"] = key;
    if (detail.formData && !detail.formData.get(KEY_FIELD)) detail.formData.set(KEY_FIELD, key);
    form.sirLastPost = { url: detail.path, formData: detail.formData };
    if (navigator.onLine === false) {
      // No network at all: keep it now rather than wait for the request to fail.
      event.preventDefault();
      keep(form, detail.path, detail.formData);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var detail = event.detail;
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    var config_ = detail.requestConfig || {};
    if (config_.verb === "post" && queueable(form, config_.path)) {
      keep(form, config_.path, config_.formData || (form.sirLastPost && form.sirLastPost.formData) || new FormData(form));
    } else if (config_.verb === "get" && config_.boosted) {
      flashNotice(words().notKept);
    }
  });

  // After a save the next filling is a new post: a new key. A refusal keeps it (nothing was kept).
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    if (!form || !detail.xhr || !detail.successful) return;
    if (detail.xhr.status >= 200 && detail.xhr.status < 300 && queueable(form, detail.requestConfig && detail.requestConfig.path)) {
      var input = form.querySelector("input[name=" + KEY_FIELD + "]");
      if (input) input.value = "";
    }
  });

  function flashNotice(text) {
    var main = document.querySelector("main");
    if (!main || !text) return;
    var note = main.querySelector("[data-offline-flash]") || document.createElement("p");
    note.className = "flash flash-error";
    note.setAttribute("role", "alert");
    note.setAttribute("data-offline-flash", "");
    note.textContent = text;
    main.insertBefore(note, main.firstChild);
  }

  /* ---- the waiting count and the queue page ---- */

  function refresh() {
    var settings = config();
    if (!settings.user) return Promise.resolve();
    return queue.forUser(settings.user).then(function (items) {
      document.querySelectorAll("[data-offline-badge]").forEach(function (badge) {
        badge.hidden = items.length === 0;
        var count = badge.querySelector("[data-offline-count]");
        if (count) count.textContent = new Intl.NumberFormat(document.documentElement.lang + "-IN").format(items.length);
      });
      renderQueue(items);
    });
  }

  function stateLabel(item) {
    var w = words();
    return item.state === "refused" ? w.refused : item.state === "conflict" ? w.conflict : w.waiting;
  }

  function reasonText(item) {
    var w = words();
    if (item.reason) return item.reason;
    if (item.state !== "waiting" || !item.attempts) return "";
    return { network: w.network, signIn: w.signIn, serverError: w.serverError }[item.reasonCode] || "";
  }

  function renderQueue(items) {
    var section = document.getElementById("offline-queue");
    if (!section) return;
    var list = section.querySelector("#offline-items");
    var template = section.querySelector("#offline-item-template");
    var empty = section.querySelector("[data-offline-empty]");
    var format = new Intl.DateTimeFormat(document.documentElement.lang + "-IN", { dateStyle: "medium", timeStyle: "short", timeZone: config().zone || undefined });
    empty.hidden = items.length > 0;
    section.querySelector("[data-offline-send]").hidden = items.length === 0;
    var open = {};
    list.querySelectorAll("details[open]").forEach(function (details) { open[details.closest("li").dataset.key] = true; });
    list.replaceChildren();
    items.forEach(function (item) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.dataset.key = item.key;
      node.dataset.state = item.state;
      node.querySelector("[data-field=label]").textContent = item.label || item.url;
      node.querySelector("[data-field=state]").textContent = stateLabel(item);
      node.querySelector("[data-field=created]").textContent = words().created + " " + format.format(new Date(item.created));
      var reason = node.querySelector("[data-field=reason]");
      reason.textContent = reasonText(item);
      reason.hidden = !reason.textContent;
      var openLink = node.querySelector("[data-field=open]");
      openLink.href = item.page || item.url;
      if (item.state === "conflict" && item.conflictHtml) {
        var holder = node.querySelector("[data-field=conflict]");
        var details = document.createElement("details");
        if (open[item.key]) details.open = true;
        var summary = document.createElement("summary");
        summary.textContent = words().resolve;
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
    if (window.htmx) window.htmx.process(list);
    var summaryLine = section.querySelector("[data-offline-summary]");
    if (summaryLine) summaryLine.textContent = "";
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
    var settings = config();
    if (!settings.user) return Promise.resolve(null);
    if (sending) return sending;
    document.querySelectorAll("[data-offline-send]").forEach(function (button) { button.setAttribute("aria-busy", "true"); });
    sending = queue.replayAll({ user: settings.user, csrf: csrf() }).then(function (result) {
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
      document.querySelectorAll("[data-offline-send]").forEach(function (button) { button.removeAttribute("aria-busy"); });
      return refresh().then(function () { return result; });
    });
    return sending;
  }

  /* ---- the service worker, Background Sync, persistence ---- */

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(config().syncTag);
      return null;
    }).catch(function () {});
  }

  function register(settings) {
    if (!("serviceWorker" in navigator) || !settings.sw) return;
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(settings.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // A fresh copy of the pages readable offline, while the network is there.
      // At most every half hour: on a weak network each fetch costs the person time and money.
      var stamp = "sir-warmed-" + settings.user;
      var last = Number(localStorage.getItem(stamp) || 0);
      var urls = [];
      if (Date.now() - last > 30 * 60 * 1000 && navigator.onLine) {
        urls = (settings.warm || []).slice();
        localStorage.setItem(stamp, String(Date.now()));
      }
      // This page is one to keep, and it came before the worker did: keep it too.
      if (document.getElementById("offline-copy") && !controlled) {
        urls.push(location.pathname + location.search);
      }
      if (navigator.onLine && registration.active && urls.length) {
        registration.active.postMessage({ type: "sir-warm", urls: urls });
      }
    }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sir-replay") sendNow();
    });
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (persisted) {
        return persisted || navigator.storage.persist();
      }).catch(function () {});
    }
  }

  function wipeAll() {
    var steps = [queue.wipe()];
    if (window.caches) {
      steps.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return name.indexOf("sir-") === 0 ? caches.delete(name) : null; }));
      }));
    }
    return Promise.all(steps).catch(function () {});
  }

  // Signing out: this user's queue and kept pages go first (the answer's Clear-Site-Data does it too).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[action$='/auth/logout']") || form.dataset.wiped) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var settings = config();
    (settings.user ? queue.countFor(settings.user) : Promise.resolve(0)).then(function (count) {
      if (count && !window.confirm(words().signOutConfirm.replace("%(count)s", count))) return;
      return wipeAll().then(function () {
        form.dataset.wiped = "1";
        form.submit();
      });
    });
  }, true);

  function start() {
    var settings = config();
    if (!settings.user) return;
    queue.getUser().then(function (known) {
      if (known === settings.user) return null;
      // Another user on this phone: the kept pages were theirs.
      var drop = window.caches ? caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return name.indexOf("sir-pages-") === 0 ? caches.delete(name) : null; }));
      }) : Promise.resolve();
      return drop.then(function () { return queue.setUser(settings.user); });
    }).then(function () {
      register(settings);
      return refresh();
    }).then(function () {
      if (navigator.onLine !== false) return queue.countFor(settings.user).then(function (count) { return count ? sendNow() : null; });
      return null;
    }).catch(function () {});
  }

  window.addEventListener("online", function () { sendNow(); });
  window.addEventListener("sir-queue-changed", function () { refresh(); });
  if (queue.channel) queue.channel.addEventListener("message", function () { refresh(); });
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt === document.body) return;
    refresh();
  });
  window.addEventListener("pageshow", function () { refresh(); });

  window.sirOffline = { sendNow: sendNow, refresh: refresh, wipe: wipeAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
