/* Weak networks, on every page (issue 11); kept small, it is part of a BLO's first load.
 * Settings and words: <script type="application/json" id="offline-config"> (app/offline/routes.py).
 * - A form that may be queued gets a hidden idempotency_key, a UUID made when it is first filled.
 * - A post that cannot reach the server is handed to offline-ui.js, which keeps it in IndexedDB.
 * - The waiting count in the header is mirrored in localStorage, so a page knows it without
 *   IndexedDB; offline-ui.js, offline-queue.js and idb-keyval load only when there is a post to
 *   keep or to send, or the queue page to show (the service worker keeps them on the phone).
 * - The service worker is registered for signed-in users; signing out wipes the phone's copies. */
(function () {
  "use strict";
  if (window.sirOffline) return;
  var KEY = "idempotency_key";
  var bundle = document.currentScript.dataset.bundle.split(" ");
  var loading = null;

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

  function path(url) {
    return new URL(url, location.href).pathname;
  }

  function queueable(form, url) {
    if (!form || form.tagName !== "FORM") return false;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" && !form.hasAttribute("hx-post")) return false;
    var target = path(url || form.getAttribute("hx-post") || form.getAttribute("action") || location.href);
    return (config().queueable || []).some(function (pattern) { return new RegExp(pattern).test(target); });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function keyInput(form) {
    return form.querySelector("input[name=" + KEY + "]");
  }

  function ensureKey(form) {
    var input = keyInput(form);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = KEY;
      form.appendChild(input);
    }
    if (!input.value) input.value = newKey();
    return input.value;
  }

  function clearKey(form, key) {
    var input = keyInput(form);
    if (input && (!key || input.value === key)) input.value = "";
  }

  // The key is made when the form is filled (first input or change), at the latest when it is sent.
  ["input", "change", "submit"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var form = event.target && event.target.closest ? event.target.closest("form") : null;
      if (queueable(form)) ensureKey(form);
    }, true);
  });

  /* The queue's scripts, in order, once; a failed load (no network, no worker yet) may be tried again. */
  function load() {
    if (window.sirOfflineUi) return Promise.resolve(window.sirOfflineUi);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var added = bundle.map(function (source) {
        var script = document.createElement("script");
        script.src = source;
        script.async = false;
        script.onerror = function () {
          added.forEach(function (s) { s.remove(); });
          loading = null;
          reject(new Error("offline scripts not loaded"));
        };
        document.head.appendChild(script);
        return script;
      });
      added[added.length - 1].onload = function () {
        if (window.sirOfflineUi) resolve(window.sirOfflineUi);
        else added[added.length - 1].onerror();
      };
    });
    return loading;
  }

  function countKey() {
    return "sir-waiting-" + config().user;
  }

  function storedCount() {
    try {
      return Number(localStorage.getItem(countKey()) || 0);
    } catch (error) {
      return 0;
    }
  }

  /* The header's waiting count; offline-ui.js calls it with the queue's own count. */
  function showCount(count) {
    if (count !== undefined) {
      try {
        localStorage.setItem(countKey(), String(count));
      } catch (error) { /* private mode: the count shows on this page only */ }
    }
    var shown = count === undefined ? storedCount() : count;
    document.querySelectorAll("[data-offline-badge]").forEach(function (badge) {
      badge.hidden = !shown;
      var number = badge.querySelector("[data-offline-count]");
      if (number) number.textContent = new Intl.NumberFormat(document.documentElement.lang + "-IN").format(shown);
    });
  }

  function flash(text, where, role) {
    var note = document.createElement("p");
    note.className = "flash " + (role === "alert" ? "flash-error" : "flash-offline");
    note.setAttribute("data-offline-note", "");
    note.textContent = text;
    var place = where && where.querySelector("[id^=confirm-][role=status]"); // the report form's own place
    if (!place || role === "alert") note.setAttribute("role", role || "status");
    var old = where && where.querySelector("[data-offline-note]");
    if (old) old.replaceWith(note);
    else if (place) place.replaceChildren(note);
    else if (where) where.insertBefore(note, where.firstChild);
    if (note.scrollIntoView) note.scrollIntoView({ block: "center", behavior: "instant" });
    return note;
  }

  /* A kept post owns its form token too: the form gets a new one, made here (the server's was
   * used), and a form marked data-offline-fresh is emptied for the next entry. */
  function freshen(form) {
    var token = form.querySelector("input[name=form_token]");
    if (token) token.value = newKey();
    if (form.hasAttribute("data-offline-fresh")) form.reset();
  }

  function keep(form, url, formData) {
    if (!config().user) return;
    var key = formData.get(KEY) || ensureKey(form);
    formData.set(KEY, key);
    load().then(function (ui) {
      return ui.keep(form, path(url), formData, key);
    }).then(function () {
      clearKey(form, key); // the kept post owns this key; the form's next save is a new post
      freshen(form);
    }, function () {
      // Not even the phone could keep it (its first visit, before the worker): the figures stay in the form.
      flash(words().notKept, form, "alert");
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    // Offline, a fragment (the duplicate hints, a live count) cannot come: not asked for, rather than
    // failed with an error. Whole pages still go, through the worker's kept copies.
    if (detail.verb === "get" && navigator.onLine === false && !detail.boosted && !(detail.headers && detail.headers["HX-Boosted"])) {
      event.preventDefault();
      return;
    }
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    if (detail.verb !== "post" || !queueable(form, detail.path)) return;
    var key = ensureKey(form);
    detail.headers["Idempotency-Key"] = key;
    if (detail.formData && !detail.formData.get(KEY)) detail.formData.set(KEY, key);
    if (navigator.onLine === false) {
      event.preventDefault(); // no network at all: keep it now rather than wait for the request to fail
      keep(form, detail.path, detail.formData);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var detail = event.detail;
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    var request = detail.requestConfig || {};
    if (request.verb === "post" && queueable(form, request.path)) {
      keep(form, request.path, request.formData || new FormData(form));
    } else if (request.verb === "get" && request.boosted) {
      flash(words().notReadable, document.querySelector("main"), "alert");
    }
  });

  // After a save the next filling is a new post, with a new key; a refusal keeps it.
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    var status = detail.xhr ? detail.xhr.status : 0;
    if (form && detail.successful && status >= 200 && status < 300 && queueable(form, detail.requestConfig && detail.requestConfig.path)) {
      clearKey(form);
    }
  });

  function sendNow() {
    return load().then(function (ui) { return ui.sendNow(); });
  }

  function wipe(keepShell) {
    try {
      localStorage.removeItem(countKey());
    } catch (error) { /* nothing kept */ }
    // The queue's own wipe when its scripts are here; else its databases go without opening them.
    var steps = window.sirQueue ? [window.sirQueue.wipe()] : ["sir-offline", "sir-offline-meta"].map(function (name) {
      return new Promise(function (done) {
        var request = indexedDB.deleteDatabase(name);
        request.onsuccess = request.onerror = request.onblocked = done;
      });
    });
    if (window.caches) {
      steps.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) {
          var shell = keepShell && name.indexOf("sir-static-") === 0; // the shell and the sign-in page stay
          return name.indexOf("sir-") === 0 && !shell ? caches.delete(name) : null;
        }));
      }));
    }
    return Promise.all(steps).catch(function () {});
  }

  /* Signing out with no network: the sign-out waits on the phone (sent first at the next contact, by
   * the worker or the sign-in page) and the kept sign-in page opens at once. */
  var SIGN_OUT = "signout-pending"; // the cache's name; its one entry is at "/" + SIGN_OUT

  function signOutOffline(form) {
    var signIn = config().signIn;
    if (!signIn || !window.caches || !navigator.serviceWorker || !navigator.serviceWorker.controller) return false;
    var token = form.querySelector("input[name=csrf_token]");
    var marker = JSON.stringify({ url: path(form.getAttribute("action")), csrf: token ? token.value : "" });
    // The queue's own wipe: the worker holds its database open, so deleting it would wait.
    load().then(function () { return wipe(true); }, function () { return wipe(true); }).then(function () {
      return caches.open(SIGN_OUT).then(function (cache) { return cache.put("/" + SIGN_OUT, new Response(marker)); });
    }).then(function () {
      location.replace(signIn);
    }, function () {
      form.dataset.wiped = "1";
      form.submit();
    });
    return true;
  }

  function sendSignOut() {
    if (!window.caches || navigator.onLine === false) return;
    caches.has(SIGN_OUT).then(function (pending) {
      if (!pending) return null;
      return caches.open(SIGN_OUT).then(function (cache) { return cache.match("/" + SIGN_OUT); }).then(function (hit) {
        return hit ? hit.json() : null;
      }).then(function (marker) {
        if (!marker) return null;
        var body = new URLSearchParams({ csrf_token: marker.csrf || "" });
        return fetch(marker.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" });
      }).then(function () {
        return caches.delete(SIGN_OUT);
      }).then(function () {
        location.reload(); // a fresh sign-in form, its token of the new session
      });
    }).catch(function () {});
  }

  // Signing out: this user's queue and kept pages go first (the answer's Clear-Site-Data does it too).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[action$='/auth/logout']") || form.dataset.wiped) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var count = storedCount();
    if (count && !window.confirm(words().signOutConfirm.replace("%(count)s", count))) return;
    function go() {
      form.dataset.wiped = "1";
      form.submit();
    }
    if (navigator.onLine === false && signOutOffline(form)) return;
    wipe().then(go, go);
  }, true);

  function register(settings) {
    if (!("serviceWorker" in navigator) || !settings.sw) return;
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(settings.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // A fresh copy of the pages readable offline, at most every half hour (each fetch costs the person).
      var stamp = "sir-warmed-" + settings.user;
      var urls = [];
      if (Date.now() - Number(localStorage.getItem(stamp) || 0) > 30 * 60 * 1000 && navigator.onLine) {
        urls = (settings.warm || []).slice();
        localStorage.setItem(stamp, String(Date.now()));
      }
      var lang = document.documentElement.lang;
      // This page is one to keep, and it came before the worker did: keep it too.
      if (document.getElementById("offline-copy") && !controlled) urls.push(location.pathname + location.search);
      if (navigator.onLine && registration.active) {
        registration.active.postMessage({ type: "sir-warm", urls: urls, lang: lang }); // and the sign-in page
      }
    }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sir-replay") sendNow();
    });
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (kept) { return kept || navigator.storage.persist(); }).catch(function () {});
    }
  }

  /* Something to send, or the queue page: the queue's scripts come; else the stored count is enough. */
  function look(send) {
    if (!config().user) return;
    showCount();
    // The queue page, or a refused post's form opened from it (#offline-fix=<key>) to be filled again.
    if (document.getElementById("offline-queue") || location.hash.indexOf("#offline-fix=") === 0) {
      load().then(function (ui) { return ui.refresh(); }).catch(function () {});
    }
    if (send && storedCount() && navigator.onLine !== false) sendNow().catch(function () {});
    reportForms();
  }

  /* A report form with figures kept on the phone, or offline: its script comes (report-kept.js). */
  function reportForms() {
    if (document.querySelector("form[data-report-form]") && (storedCount() || navigator.onLine === false)) {
      load().catch(function () {});
    }
  }
  window.addEventListener("offline", reportForms);

  function start() {
    var settings = config();
    if (!settings.user) {
      sendSignOut();
      return;
    }
    register(settings);
    look(true);
  }

  window.addEventListener("online", function () {
    if (!config().user) sendSignOut();
    if (config().user && storedCount()) sendNow().catch(function () {});
  });
  window.addEventListener("storage", function (event) {
    if (event.key === countKey()) showCount();
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt !== document.body) look(false);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) look(true);
  });

  window.sirOffline = {
    config: config,
    words: words,
    newKey: newKey,
    flash: flash,
    showCount: showCount,
    load: load,
    sendNow: sendNow,
    wipe: wipe,
    // Tests and the queue page: the queue itself (loads its scripts).
    queue: function () { return load().then(function () { return window.sirQueue; }); },
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
