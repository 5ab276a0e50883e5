/* The SIR field desk's service worker (app/offline/routes.py serves it as /sw.js, scope /).
 * Build {{ version }}: the caches' names carry it, so after a release the new worker's caches are
 * new and the old ones are deleted on activate; an old cache is never served.
 * - /static/: cache first (the URLs carry a stamp of the file's content).
 * - Pages the server marks X-Offline-Copy (a BLO's or volunteer's own pages): network first, the copy
 *   kept per user as a fallback, shown with "last updated"; any other page goes to the network only.
 * - The sign-in page (signed out, in the user's language) is kept with the shell, so signing out
 *   with no network opens it at once; the sign-out then waits in SIGN_OUT_CACHE and goes to the
 *   server before any other page is asked for (static/js/offline.js writes it).
 * - Posts are never touched here: the page queues them (static/js/offline.js); a Background Sync
 *   asks the open pages to send the queue, or sends it itself when none is open. */
"use strict";
var VERSION = {{ version | tojson }};
var SHELL = {{ shell | tojson }};
var QUEUE_URL = {{ queue_url | tojson }};
var SYNC_TAG = {{ sync_tag | tojson }};
var SIGN_IN_URL = {{ sign_in_url | tojson }};
var SIGN_OUT_CACHE = "signout-pending"; // not "sir-": no version's clean-up or wipe deletes it
var PREFIX = "sir-";
var STATIC_CACHE = PREFIX + "static-" + VERSION;
var PAGES_PREFIX = PREFIX + "pages-" + VERSION + "-u";
importScripts({{ idb_keyval | tojson }}, {{ queue_script | tojson }});

function pagesCache(user) {
  return PAGES_PREFIX + user;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      return cache.addAll(SHELL);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        var ours = name === STATIC_CACHE || name.indexOf(PAGES_PREFIX) === 0;
        return name.indexOf(PREFIX) === 0 && !ours ? caches.delete(name) : null;
      }));
    }).then(function () {
      return self.clients.claim();
    }).then(function () {
      return replayQueue();
    }).catch(function () {})
  );
});

/* Only the signed-in user's copies stay: another user's are deleted when a page of the new user arrives. */
function keepOnly(user) {
  return caches.keys().then(function (names) {
    return Promise.all(names.map(function (name) {
      return name.indexOf(PREFIX + "pages-") === 0 && name !== pagesCache(user) ? caches.delete(name) : null;
    }));
  });
}

function staticFirst(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function pageKey(request) {
  var url = new URL(request.url);
  return url.origin + url.pathname + url.search;
}

/* The kept copy, its "no network" notice shown (the page renders it hidden). */
function keptCopy(request) {
  return sirQueue.getUser().then(function (user) {
    if (!user) return null;
    return caches.open(pagesCache(user)).then(function (cache) {
      return cache.match(pageKey(request), { ignoreVary: true, ignoreSearch: false });
    });
  }).then(function (hit) {
    if (!hit) return null;
    return hit.text().then(function (html) {
      var shown = html.replace('class="flash offline-copy" role="status" hidden>', 'class="flash offline-copy" role="status" data-from-cache>');
      var headers = new Headers(hit.headers);
      headers.delete("Content-Encoding");
      headers.delete("Content-Length");
      headers.set("X-Offline-Served", "cache");
      return new Response(shown, { status: 200, headers: headers });
    });
  });
}

/* A sign-out made with no network: sent first, so the old session ends at the server's first contact. */
function signOutFirst() {
  return caches.has(SIGN_OUT_CACHE).then(function (pending) {
    if (!pending) return null;
    return caches.open(SIGN_OUT_CACHE).then(function (cache) {
      return cache.match("/" + SIGN_OUT_CACHE);
    }).then(function (hit) {
      return hit ? hit.json() : null;
    }).then(function (marker) {
      if (!marker) return caches.delete(SIGN_OUT_CACHE);
      var body = new URLSearchParams({ csrf_token: marker.csrf || "" });
      return fetch(marker.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" }).then(function () {
        return caches.delete(SIGN_OUT_CACHE);
      });
    });
  }).catch(function () { return null; }); // still no network: it waits for the next contact
}

/* The signed-out sign-in page, fetched without the session in the page's language, kept with the shell. */
function keepSignIn(lang) {
  var key = self.location.origin + SIGN_IN_URL;
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(key).then(function (kept) {
      if (kept && kept.headers.get("X-Kept-Lang") === lang) return null; // kept already, in this language
      var request = new Request(SIGN_IN_URL, { credentials: "omit", headers: { "Accept-Language": lang } });
      return fetch(request).then(function (response) {
        if (response.status !== 200 || response.redirected) return null;
        return response.text().then(function (html) {
          var headers = new Headers(response.headers); // its own security policy and type
          headers.delete("Content-Encoding");
          headers.delete("Content-Length");
          headers.set("X-Kept-Lang", lang);
          return cache.put(key, new Response(html, { status: 200, headers: headers }));
        });
      });
    });
  }).catch(function () {});
}

function keptSignIn(request) {
  var url = new URL(request.url);
  if (url.pathname !== SIGN_IN_URL) return Promise.resolve(null);
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(url.origin + url.pathname);
  });
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    var user = response.headers.get("X-Offline-Copy");
    if (response.status === 200 && user) {
      var copy = response.clone();
      return sirQueue.getUser().then(function (known) {
        var wipe = String(known) !== user ? keepOnly(user).then(function () { return sirQueue.setUser(Number(user)); }) : null;
        return Promise.resolve(wipe).then(function () {
          return caches.open(pagesCache(user));
        }).then(function (cache) {
          return cache.put(pageKey(request), copy);
        });
      }).catch(function () {}).then(function () {
        return response;
      });
    }
    return response;
  }, function (error) {
    return keptCopy(request).then(function (kept) {
      return kept || keptSignIn(request);
    }).then(function (kept) {
      return kept || signedOutGoesToSignIn(request);
    }).then(function (kept) {
      if (kept) return kept;
      throw error;
    });
  });
}

/* No network and nobody signed in on this phone (signed out, even offline): any page, the installed
 * app's start page first, goes to the kept sign-in page, as the server would send it there. */
function signedOutGoesToSignIn(request) {
  if (request.mode !== "navigate") return Promise.resolve(null);
  return Promise.all([sirQueue.getUser(), caches.has(SIGN_OUT_CACHE)]).then(function (found) {
    if (found[0] && !found[1]) return null;
    return caches.open(STATIC_CACHE).then(function (cache) {
      return cache.match(self.location.origin + SIGN_IN_URL);
    }).then(function (kept) {
      return kept ? Response.redirect(self.location.origin + SIGN_IN_URL, 302) : null;
    });
  }).catch(function () { return null; });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFirst(request));
    return;
  }
  // A page: a navigation, or htmx's boosted one (the whole page too). Fragments go to the network.
  if (request.mode === "navigate" || request.headers.get("HX-Boosted") === "true") {
    event.respondWith(signOutFirst().then(function () { return networkFirst(request); }));
  }
});

/* Send the queue: the open pages do it (they hold the CSRF token and show the outcome), else this worker. */
function replayQueue() {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    if (windows.length) {
      windows.forEach(function (client) { client.postMessage({ type: "sir-replay" }); });
      return null;
    }
    return sirQueue.getUser().then(function (user) {
      if (!user) return null;
      return sirQueue.countFor(user).then(function (count) {
        if (!count) return null;
        return fetch(QUEUE_URL, { credentials: "same-origin" }).then(function (response) {
          return response.text();
        }).then(function (html) {
          var match = /"X-CSRFToken": "([^"]+)"/.exec(html);
          if (!match) return null;
          return sirQueue.replayAll({ user: user, csrf: match[1] }).then(function (result) {
            if (result && result.waiting) throw new Error("still waiting");
          });
        });
      });
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) event.waitUntil(replayQueue());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "sir-warm" && data.urls) {
    // Keep a fresh copy of the user's readable pages, fetched while the network is there.
    var steps = data.urls.map(function (path) {
      return networkFirst(new Request(path, { credentials: "same-origin" })).catch(function () {});
    });
    if (data.lang) steps.push(keepSignIn(String(data.lang)));
    event.waitUntil(Promise.all(steps));
  } else if (data.type === "sir-forget") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return name.indexOf(PREFIX) === 0 ? caches.delete(name) : null; }));
    }));
  }
});
