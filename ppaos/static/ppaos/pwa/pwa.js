/* PPAOS volunteers' app, on every page (base.html):

   - registers the service worker (sw.js) that keeps the work pages for offline use;
   - on the worklist ([data-pwa-worklist]), keeps the volunteer's worklist data and pages;
   - forms marked data-offline-form="visit" or "household" save a draft in localStorage as
     they are filled in (restored on reopening) and, offline, go into a queue in IndexedDB;
   - the queue is sent to the sync endpoint when the phone is back online (or on "Sync now"),
     and each record's result is shown in [data-pwa-status];
   - signing out (form[data-pwa-logout]) wipes the queue, drafts and caches from the phone.

   Every text shown comes from the page (data-msg-* attributes, translated on the server)
   or from the server's sync results; values are set as text, never as HTML. */
(function () {
  "use strict";

  const script = document.currentScript;
  const config = script ? script.dataset : {};
  const DB_NAME = "ppaos-offline";
  const STORE = "queue";
  const DRAFT_PREFIX = "ppaos-draft:";
  const SUBMITTED = "ppaos-submitted-draft";
  let syncing = false;

  // IndexedDB ------------------------------------------------------------------------------

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, action) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = action(tx.objectStore(STORE));
      tx.oncomplete = () => {
        db.close();
        resolve(result && "result" in result ? result.result : undefined);
      };
      tx.onerror = () => reject(tx.error);
    });
  }

  const queueAll = () => withStore("readonly", (store) => store.getAll());
  const queuePut = (item) => withStore("readwrite", (store) => store.put(item));
  const queueDelete = (id) => withStore("readwrite", (store) => store.delete(id));

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // Status box -------------------------------------------------------------------------------

  function statusBox() {
    return document.querySelector("[data-pwa-status]");
  }

  function message(name, n) {
    const box = statusBox();
    const text = (box && box.dataset[name]) || "";
    return text.replace("{n}", String(n === undefined ? "" : n));
  }

  function say(text, kind) {
    const box = statusBox();
    if (!box || !text) return;
    const list = box.querySelector("[data-pwa-messages]");
    const line = document.createElement("li");
    line.textContent = text;
    if (kind) line.className = `pwa-${kind}`;
    list.append(line);
  }

  async function showCount() {
    const box = statusBox();
    if (!box) return;
    let count = 0;
    try {
      count = (await queueAll()).length;
    } catch (e) {
      count = 0;
    }
    box.querySelector("[data-pwa-count]").textContent = count
      ? message("msgWaiting", count)
      : navigator.onLine
        ? ""
        : message("msgOffline");
    box.querySelector("[data-pwa-sync]").hidden = !count;
    box.hidden = false;
  }

  // Sync ------------------------------------------------------------------------------------

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      const input = document.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }
  }

  async function sync() {
    if (syncing || !navigator.onLine || !config.syncUrl) return;
    syncing = true;
    try {
      const items = await queueAll();
      if (!items.length) return;
      const response = await fetch(config.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ items: items.map(({ label, draftKey, ...item }) => item) }),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || !type.includes("json")) {
        say(message("msgLogin"), "error");
        return;
      }
      const byId = new Map(items.map((item) => [item.id, item]));
      for (const result of (await response.json()).results) {
        const item = byId.get(result.id);
        if (!item) continue;
        await queueDelete(item.id);
        if (result.status !== "error" && item.draftKey) localStorage.removeItem(item.draftKey);
        const kind = result.status === "saved" ? "saved" : result.status;
        say(`${item.label || ""}: ${result.message || message("msgSent")}`, kind);
      }
      document.dispatchEvent(new CustomEvent("ppaos:synced"));
    } catch (e) {
      // Still offline after all (or the server did not answer): the queue is kept.
    } finally {
      syncing = false;
      showCount();
    }
  }

  // Forms: drafts and the offline queue ----------------------------------------------------------

  function fieldsOf(form) {
    const pairs = [];
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") continue;
      pairs.push([name, value]);
    }
    return pairs;
  }

  function restore(form, pairs) {
    const values = new Map();
    for (const [name, value] of pairs) {
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    }
    for (const element of form.elements) {
      if (!element.name || element.name === "csrfmiddlewaretoken" || element.type === "file") {
        continue;
      }
      const given = values.get(element.name) || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = given.includes(element.value);
      } else if (element.tagName === "SELECT" && element.multiple) {
        for (const option of element.options) option.selected = given.includes(option.value);
      } else if (given.length) {
        element.value = given[0];
      }
    }
  }

  // The new-household form's people: head-<name> for the head, m<slot>-<name> for the
  // others; a slot with no name is skipped (as on the server, views_pwa.household_new).
  const MEMBER_FIELD = /^(head|m\d+)-/;

  function members(fields) {
    const groups = new Map();
    for (const [name, value] of fields) {
      const match = MEMBER_FIELD.exec(name);
      if (!match) continue;
      if (!groups.has(match[1])) groups.set(match[1], []);
      groups.get(match[1]).push([name.slice(match[0].length), value]);
    }
    return Array.from(groups, ([prefix, pairs]) => ({ prefix, pairs }))
      .filter(({ prefix, pairs }) =>
        prefix === "head" ||
        pairs.some(([n, v]) => (n === "first_name" || n === "last_name") && v.trim()),
      )
      .map(({ pairs }) => pairs);
  }

  function setUpForm(form) {
    const key = DRAFT_PREFIX + form.dataset.draftKey;
    const hasErrors = form.querySelector(".errorlist, [role=alert]");
    const saved = localStorage.getItem(key);
    if (saved && !hasErrors) {
      try {
        restore(form, JSON.parse(saved).fields);
        say(message("msgDraftRestored"), "info");
      } catch (e) {
        localStorage.removeItem(key);
      }
    }
    const saveDraft = () =>
      localStorage.setItem(key, JSON.stringify({ fields: fieldsOf(form), at: Date.now() }));
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    form.addEventListener("submit", async (event) => {
      if (navigator.onLine) {
        sessionStorage.setItem(SUBMITTED, key); // cleared once the save has gone through
        return;
      }
      event.preventDefault();
      saveDraft();
      const fields = fieldsOf(form);
      const item = {
        id: newId(),
        kind: form.dataset.offlineForm,
        campaign: Number(form.dataset.campaign),
        saved_at: new Date().toISOString(),
        label: form.dataset.label || "",
        draftKey: key,
      };
      if (item.kind === "visit") {
        item.household = Number(form.dataset.household);
        item.fields = fields;
      } else {
        item.community = Number((fields.find(([n]) => n === "community") || [])[1]);
        item.fields = fields.filter(([n]) => !MEMBER_FIELD.test(n));
        item.members = members(fields);
      }
      await queuePut(item);
      sessionStorage.setItem("ppaos-queued-note", "1");
      window.location.href = form.dataset.doneUrl || window.location.href;
    });
  }

  function clearSubmittedDraft() {
    const key = sessionStorage.getItem(SUBMITTED);
    if (!key) return;
    const stillHere = Array.from(document.querySelectorAll("form[data-draft-key]")).some(
      (form) => DRAFT_PREFIX + form.dataset.draftKey === key,
    );
    if (!stillHere) {
      localStorage.removeItem(key); // the server took it and moved on to the next page
      sessionStorage.removeItem(SUBMITTED);
    }
  }

  // The worklist slice ----------------------------------------------------------------------

  async function keepWorklist(element) {
    if (!navigator.onLine || !("caches" in window)) return;
    try {
      const response = await fetch(element.dataset.pwaWorklist, { credentials: "same-origin" });
      if (!response.ok || response.redirected) return;
      const cache = await caches.open("ppaos-pages");
      await cache.put(new URL(response.url).pathname, response.clone());
      const data = await response.json();
      for (const page of data.pages) {
        const got = await fetch(page, { credentials: "same-origin" });
        if (got.ok && !got.redirected) await cache.put(page, got);
      }
      element.dataset.pwaKept = String(data.pages.length);
      document.dispatchEvent(new CustomEvent("ppaos:kept"));
    } catch (e) {
      // Offline or the server did not answer: what was kept before stays.
    }
  }

  // Sign-out ----------------------------------------------------------------------------------

  async function wipe() {
    localStorage.clear();
    sessionStorage.clear();
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if ("caches" in window) {
      for (const key of await caches.keys()) await caches.delete(key);
    }
  }

  function setUpLogout(form) {
    let wiped = false;
    form.addEventListener("submit", async (event) => {
      if (wiped) return;
      event.preventDefault();
      await sync();
      let waiting = 0;
      try {
        waiting = (await queueAll()).length;
      } catch (e) {
        waiting = 0;
      }
      if (waiting && !window.confirm(form.dataset.pwaLogout)) return;
      try {
        await wipe();
      } finally {
        wiped = true;
        form.submit();
      }
    });
  }

  // Start ------------------------------------------------------------------------------------

  // The app is installed from the work pages (worklist, visit, new household), not from every
  // page a manager opens.
  function register() {
    if ("serviceWorker" in navigator && config.sw && statusBox()) {
      navigator.serviceWorker.register(config.sw, { scope: config.scope }).catch(() => {});
    }
  }
  document.addEventListener("DOMContentLoaded", async () => {
    // Someone else signed in on this phone without the last user signing out: their kept
    // pages, drafts and records must not be shown to (or sent as) this user.
    const owner = localStorage.getItem("ppaos-user");
    if (config.user && owner && owner !== config.user) await wipe();
    if (config.user) localStorage.setItem("ppaos-user", config.user);
    document.querySelectorAll("form[data-pwa-logout]").forEach(setUpLogout);
    register();
    clearSubmittedDraft();
    document.querySelectorAll("form[data-offline-form][data-draft-key]").forEach(setUpForm);
    if (sessionStorage.getItem("ppaos-queued-note")) {
      sessionStorage.removeItem("ppaos-queued-note");
      say(message("msgQueued"), "info");
    }
    const worklist = document.querySelector("[data-pwa-worklist]");
    if (worklist) keepWorklist(worklist);
    const button = document.querySelector("[data-pwa-sync]");
    if (button) button.addEventListener("click", () => sync());
    showCount();
    sync();
  });
  window.addEventListener("online", () => sync());
  window.addEventListener("offline", () => showCount());
})();
