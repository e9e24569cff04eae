// Linli's service worker: the app opens with no network and shows what it last loaded.
//
// - Pages (navigations that answer HTML): the network first, else the last index.html, so
//   every route opens. A photo or document opened in a tab is not a page and is not kept.
//   Each new shell also fetches the wasm modules of all its routes, not only those opened.
// - Hashed assets (name-<hash>.ext, never changed once built): the cache first. Leaflet and
//   the icons keep their names, so they are served from the cache and refreshed behind it.
// - API reads (GET /api/v1/…): the network first, else the last answer, marked with the
//   `Linli-Offline-Saved-At` header (ms since the epoch) so the app can say it is offline.
//   Photos and documents (files, some private), the download of a resident's own data, the
//   admins' access log, and writes are never kept.
// - Kept API answers belong to one account. Signing in or out, any 401, and a session answer
//   of nobody (after somebody) empty that cache, and an answer to a read that started before
//   the emptying is not kept, so the next person on a shared phone sees none of it.
// The version below changes with this file only; hashed assets need no version of their own.
const SHELL = 'linli-shell-v1';
const API = 'linli-api-v1';
// The build's names carry 16 hex digits; like the server's `is_hashed_asset`, 8 to 16 are taken.
const HASHED = /-[0-9a-f]{8,16}[._]/;
/** The hashed files an index.html names (its scripts, styles and main wasm module), and that
 *  its scripts name: the split loader names every other wasm module. */
const NAMED = /\/[\w.-]+-[0-9a-f]{8,16}(?:\.(?:js|css|svg)|(?:_bg)?\.wasm)/g;
/** The hash in a hashed name: all files of one build share the build's. */
const HASH = /-([0-9a-f]{8,16})(?:_bg)?[._]/;
const SAVED_AT = 'Linli-Offline-Saved-At';
/** Fetched by the map only when it is opened, so kept beforehand: the map then opens offline. */
const MAP_FILES = ['/leaflet/leaflet.js', '/leaflet/leaflet.css'];
const ACCOUNT_CHANGES = ['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/register',
  '/api/v1/auth/logout-everywhere', '/api/v1/me/deletion'];

/** Counts the emptyings of the API cache; a read that saw another count is not kept. */
let apiGeneration = 0;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.add(new Request('/', { cache: 'reload' }));
    await keepModules(await (await cache.match('/')).text());
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== SHELL && name !== API) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== 'GET') {
    if (ACCOUNT_CHANGES.includes(url.pathname)) event.waitUntil(forgetAccount());
    return;
  }
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/open311/')) {
    if (!url.pathname.startsWith('/api/v1/') || url.pathname.startsWith('/api/v1/photos/')
      || url.pathname.startsWith('/api/v1/consultations/documents/')
      || url.pathname === '/api/v1/me/data' || url.pathname.startsWith('/api/v1/admin/')) return;
    // A kept answer carries its saved-at header, which is what marks it offline.
    event.respondWith(networkFirst(event, request, () => caches.match(request, { cacheName: API })));
  } else if (request.mode === 'navigate') {
    event.respondWith(networkFirst(event, request, () => caches.match('/', { cacheName: SHELL })));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(event, request));
  } else if (url.pathname.startsWith('/leaflet/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(staleWhileRevalidate(event, request));
  }
});

async function forgetAccount() {
  apiGeneration += 1;
  await caches.delete(API);
}

/** The network's answer, else `fallback()`'s, else the error. Keeping a copy never gets in
 *  the way of the answer: a full disk only means nothing is kept. */
async function networkFirst(event, request, fallback) {
  const generation = apiGeneration;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const saved = await fallback();
    if (saved) return saved;
    throw error;
  }
  event.waitUntil(keep(request, response.clone(), generation).catch(() => {}));
  return response;
}

async function keep(request, response, generation) {
  if (request.mode === 'navigate') {
    const type = response.headers.get('Content-Type') || '';
    if (response.status !== 200 || !type.startsWith('text/html')) return;
    const html = await response.clone().text();
    // A navigation is kept as the shell ("/"), whatever route it was.
    await (await caches.open(SHELL)).put('/', await stamped(response));
    await forgetOldBuilds(html);
    await keepModules(html);
    return;
  }
  if (await signedOut(request, response)) await forgetAccount();
  if (response.status !== 200 || generation !== apiGeneration) return;
  await (await caches.open(API)).put(request, await stamped(response));
}

/** A copy of an answer with the time it was saved. The body is already decoded, so its
 *  encoding and length headers would no longer be true. */
async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.delete('Content-Encoding');
  headers.delete('Content-Length');
  headers.set(SAVED_AT, String(Date.now()));
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

/** Whether this answer says that the account whose answers are kept is signed in no more. */
async function signedOut(request, response) {
  if (response.status === 401) return true;
  if (!response.ok || new URL(request.url).pathname !== '/api/v1/auth/session') return false;
  const kept = await caches.match(request, { cacheName: API });
  try {
    return kept !== undefined && (await kept.json()).me != null && (await response.clone().json()).me == null;
  } catch {
    return false;
  }
}

/** Drops the hashed assets of earlier builds: those whose hash no name in the current
 *  index.html carries (the split modules carry the build's, as its scripts do). */
async function forgetOldBuilds(html) {
  const cache = await caches.open(SHELL);
  const current = new Set((html.match(NAMED) || []).map((path) => path.match(HASH)[1]));
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (HASHED.test(path) && !current.has((path.match(HASH) || [])[1])) await cache.delete(request);
  }
}

/** Fetches what the shell names and the cache lacks, so that a route never opened before still
 *  opens offline: its wasm module would otherwise be missing. Leaflet too, for the map. */
async function keepModules(html) {
  const cache = await caches.open(SHELL);
  // A set grows as it is walked: the names a script holds are walked too.
  const paths = new Set([...(html.match(NAMED) || []), ...MAP_FILES]);
  for (const path of paths) {
    let kept = await cache.match(path);
    if (!kept) {
      try {
        const response = await fetch(path);
        if (response.status !== 200) continue;
        await cache.put(path, response.clone());
        kept = response;
      } catch {
        return; // offline again: the next shell tries the rest
      }
    }
    if (path.endsWith('.js')) for (const named of (await kept.text()).match(NAMED) || []) paths.add(named);
  }
}

async function cacheFirst(event, request) {
  const saved = await caches.match(request, { cacheName: SHELL });
  if (saved) return saved;
  const response = await fetch(request);
  if (response.status === 200) {
    const copy = response.clone();
    event.waitUntil(caches.open(SHELL).then((cache) => cache.put(request, copy)).catch(() => {}));
  }
  return response;
}

async function staleWhileRevalidate(event, request) {
  const saved = await caches.match(request, { cacheName: SHELL });
  const fresh = fetch(request).then(async (response) => {
    if (response.status === 200) await (await caches.open(SHELL)).put(request, response.clone());
    return response;
  });
  if (saved) {
    event.waitUntil(fresh.catch(() => {}));
    return saved;
  }
  return fresh;
}
