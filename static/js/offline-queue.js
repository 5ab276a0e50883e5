/*
 * The queue of posts kept on the phone (issue 11), shared by the pages (offline.js) and the service
 * worker (/sw.js). Each post is a record in IndexedDB (idb-keyval, database "sir-offline"):
 *   {schema, key, url, fields: [[name, value or File]], user, created, updated, state, reason,
 *    reasonCode, label, page, attempts, conflictHtml, refusedHtml}
 * state: "waiting" (to send), "refused" (a 4xx: the reason stays until the person fixes or deletes
 * it) or "conflict" (an officer saved other figures: the choice is offered). The idempotency key
 * (a UUID made when the form was filled) makes a second send of the same post harmless, and one
 * Web Lock keeps two tabs (or a tab and the worker) from sending at once.
 */
(function (root) {
  "use strict";
  if (root.sirQueue) return;
  var SCHEMA = 1;
  var PREFIX = "q:";
  var SENT_PREFIX = "s:";
  var SENT_KEPT_MS = 24 * 60 * 60 * 1000;
  var LOCK = "sir-offline-replay";
  var RETRIES = 4;
  var RETRY_MS = 1500;
  var kv = root.idbKeyval;
  var queueStore = kv.createStore("sir-offline", "queue");
  var metaStore = kv.createStore("sir-offline-meta", "meta");
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("sir-offline") : null;

  function changed() {
    if (channel) channel.postMessage({ type: "changed" });
    if (root.dispatchEvent && typeof CustomEvent === "function") {
      root.dispatchEvent(new CustomEvent("sir-queue-changed"));
    }
  }

  /* Records written by an older version of this script are brought up to date; a newer one's are left alone. */
  function upgrade(record) {
    if (!record || typeof record !== "object") return null;
    if (!record.schema) {
      record.schema = SCHEMA;
      record.state = record.state || "waiting";
      record.attempts = record.attempts || 0;
    }
    return record;
  }

  function newKey() {
    if (root.crypto && typeof root.crypto.randomUUID === "function") return root.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (root.crypto && root.crypto.getRandomValues) {
      root.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function add(record) {
    var now = Date.now();
    var full = {
      schema: SCHEMA,
      key: record.key,
      url: record.url,
      fields: record.fields,
      user: record.user,
      created: record.created || now,
      updated: now,
      state: "waiting",
      reason: "",
      reasonCode: "network",
      label: record.label || "",
      page: record.page || "",
      attempts: 0,
      conflictHtml: "",
    };
    return kv.set(PREFIX + record.key, full, queueStore).then(function () {
      changed();
      return full;
    });
  }

  function all() {
    return kv.entries(queueStore).then(function (entries) {
      return entries
        .filter(function (entry) { return String(entry[0]).indexOf(PREFIX) === 0; })
        .map(function (entry) { return upgrade(entry[1]); })
        .filter(Boolean)
        .sort(function (a, b) { return a.created - b.created; });
    });
  }

  function forUser(user) {
    return all().then(function (items) {
      return items.filter(function (item) { return item.user === user; });
    });
  }

  function countFor(user) {
    return forUser(user).then(function (items) { return items.length; });
  }

  function remove(key) {
    return kv.del(PREFIX + key, queueStore).then(changed);
  }

  function update(key, patch) {
    return kv.update(PREFIX + key, function (record) {
      if (!record) return record;
      for (var name in patch) record[name] = patch[name];
      record.updated = Date.now();
      return record;
    }, queueStore).then(changed);
  }

  /* A sent post leaves the queue; a short note of it stays a day under SENT_PREFIX (without its
   * fields), so the form that kept it and the queue page can say when it was sent. */
  function markSent(item) {
    var note = { key: item.key, url: item.url, user: item.user, label: item.label, page: item.page, created: item.created, sent: Date.now() };
    return kv.set(SENT_PREFIX + item.key, note, queueStore).then(function () {
      return remove(item.key);
    });
  }

  function sentFor(user) {
    var since = Date.now() - SENT_KEPT_MS;
    return kv.entries(queueStore).then(function (entries) {
      var old = [];
      var found = entries.filter(function (entry) {
        if (String(entry[0]).indexOf(SENT_PREFIX) !== 0 || !entry[1]) return false;
        if (entry[1].sent < since) {
          old.push(entry[0]);
          return false;
        }
        return entry[1].user === user;
      }).map(function (entry) { return entry[1]; });
      return (old.length ? kv.delMany(old, queueStore) : Promise.resolve()).then(function () {
        return found.sort(function (a, b) { return a.sent - b.sent; });
      });
    });
  }

  function getUser() {
    return kv.get("user", metaStore).then(function (user) { return user || null; });
  }

  function setUser(user) {
    return kv.set("user", user, metaStore);
  }

  function wipe() {
    return Promise.all([kv.clear(queueStore), kv.clear(metaStore)]).then(changed);
  }

  function decode(text) {
    if (!text) return "";
    try {
      return decodeURIComponent(text);
    } catch (error) {
      return text;
    }
  }

  /* Send one record; what happened: "sent", "waiting" (try later), "refused" or "conflict". */
  function replayOne(item, csrf) {
    var body = new FormData();
    item.fields.forEach(function (pair) {
      var value = pair[0] === "csrf_token" && csrf ? csrf : pair[1];
      if (value && typeof value === "object" && "size" in value) {
        body.append(pair[0], value, value.name || "upload");
      } else {
        body.append(pair[0], value == null ? "" : value);
      }
    });
    var headers = { "Idempotency-Key": item.key, "HX-Request": "true" };
    if (csrf) headers["X-CSRFToken"] = csrf;
    return fetch(item.url, { method: "POST", body: body, headers: headers, credentials: "same-origin" }).then(
      function (response) {
        var refusal = decode(response.headers.get("X-Refusal"));
        var path = new URL(response.url || item.url, root.location.href).pathname;
        if (response.status === 401 || (response.redirected && path.indexOf("/auth/login") === 0)) {
          return update(item.key, { state: "waiting", reasonCode: "signIn", reason: "", attempts: item.attempts + 1 })
            .then(function () { return "waiting"; });
        }
        if (response.status >= 200 && response.status < 400 && !refusal) {
          return markSent(item).then(function () { return "sent"; });
        }
        if (response.status >= 500 || response.status === 0) {
          return update(item.key, { state: "waiting", reasonCode: "serverError", reason: "", attempts: item.attempts + 1 })
            .then(function () { return "waiting"; });
        }
        return response.text().then(function (html) {
          if (response.status === 409 && html.indexOf("report-conflict") >= 0) {
            return update(item.key, { state: "conflict", reason: refusal, reasonCode: "", conflictHtml: html, attempts: item.attempts + 1 })
              .then(function () { return "conflict"; });
          }
          if (response.status === 409) {
            // Still being saved: the key's first send (a tab gone, a lost answer) is being worked on.
            return update(item.key, { state: "waiting", reasonCode: "network", reason: refusal, attempts: item.attempts + 1 })
              .then(function () { return "again"; });
          }
          if (response.status === 400 && !refusal) {
            // Not the post's fault: the sign-in's token is stale (CSRF).
            return update(item.key, { state: "waiting", reasonCode: "signIn", reason: "", attempts: item.attempts + 1 })
              .then(function () { return "waiting"; });
          }
          // The server's answer (its form with each field's error) lets the page show the reason beside its field.
          return update(item.key, { state: "refused", reason: refusal, reasonCode: "", refusedHtml: html, attempts: item.attempts + 1 })
            .then(function () { return "refused"; });
        });
      },
      function () {
        return update(item.key, { state: "waiting", reasonCode: "network", attempts: item.attempts + 1 })
          .then(function () { return "waiting"; });
      }
    );
  }

  /* Send one record; while its first send is still being worked on (409), ask again a little later. */
  function send(item, csrf, tries) {
    return replayOne(item, csrf).then(function (outcome) {
      if (outcome !== "again" || tries >= RETRIES) return outcome;
      return new Promise(function (resolve) { setTimeout(resolve, RETRY_MS); }).then(function () {
        item.attempts += 1;
        return send(item, csrf, tries + 1);
      });
    });
  }

  /* Send every waiting record of `user`, one after another, under the one lock; a tab that finds the
   * lock taken leaves the sending to the one that holds it. {sent, waiting, refused, busy}. */
  function replayAll(options) {
    function run() {
      var result = { sent: 0, waiting: 0, refused: 0, busy: false };
      return forUser(options.user).then(function (items) {
        var waiting = items.filter(function (item) { return item.state === "waiting" && item.schema === SCHEMA; });
        return waiting.reduce(function (chain, item) {
          return chain.then(function () {
            return send(item, options.csrf, 0).then(function (outcome) {
              if (outcome === "sent") result.sent += 1;
              else if (outcome === "waiting" || outcome === "again") result.waiting += 1;
              else result.refused += 1;
            });
          });
        }, Promise.resolve());
      }).then(function () { return result; });
    }
    var locks = root.navigator && root.navigator.locks;
    if (!locks) return run();
    return locks.request(LOCK, { ifAvailable: true }, function (lock) {
      if (!lock) return { sent: 0, waiting: 0, refused: 0, busy: true };
      return run();
    });
  }

  root.sirQueue = {
    SCHEMA: SCHEMA,
    newKey: newKey,
    add: add,
    all: all,
    forUser: forUser,
    countFor: countFor,
    remove: remove,
    update: update,
    sentFor: sentFor,
    getUser: getUser,
    setUser: setUser,
    wipe: wipe,
    replayOne: replayOne,
    replayAll: replayAll,
    channel: channel,
  };
})(typeof self !== "undefined" ? self : this);
