// Linli's service worker: the app opens with no network and shows what it last loaded.
//
// - Pages (navigations): the network first, else the last index.html, so every route opens.
// - Hashed assets (name-<16 hex>.ext, never changed once built) and Leaflet: the cache first.
// - API reads (GET /api/v1/…): the network first, else the last answer, marked with the
//   `Linli-Offline-Saved-At` header (ms since the epoch) so the app can say it is offline.
//   Photos (private to a request) and writes are never kept. A sign-out, a session the server
//   no longer knows (a 401, or /auth/session answering nobody) empties the API cache, so the
//   next person on a shared phone does not see the last one's requests or number.
// The version below changes with this file only; hashed assets need no version of their own.
const SHELL = 'linli-shell-v1';
const API = 'linli-api-v1';
const HASHED = /-[0-9a-f]{16}(\.|_)/;
const SAVED_AT = 'Linli-Offline-Saved-At';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.add(new Request('/', { cache: 'reload' }));
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
    if (url.pathname === '/api/v1/auth/logout') event.waitUntil(caches.delete(API));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, SHELL, () => caches.match('/', { cacheName: SHELL })));
  } else if (url.pathname.startsWith('/api/v1/')) {
    if (url.pathname.startsWith('/api/v1/photos/')) return;
    // A kept answer carries its saved-at header, which is what marks it offline.
    event.respondWith(networkFirst(request, API, () => caches.match(request, { cacheName: API })));
  } else if (HASHED.test(url.pathname) || url.pathname.startsWith('/leaflet/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(cacheFirst(request));
  }
});

/** The network's answer (kept when it is a success), else `fallback()`'s, else the error. */
async function networkFirst(request, cacheName, fallback) {
  try {
    const response = await fetch(request);
    if (cacheName === API && await signedOut(request, response)) await caches.delete(API);
    if (response.ok) {
      const copy = response.clone();
      const headers = new Headers(copy.headers);
      headers.set(SAVED_AT, String(Date.now()));
      const kept = new Response(await copy.blob(), { status: copy.status, statusText: copy.statusText, headers });
      // A navigation is kept as the shell ("/"), whatever route it was.
      if (request.mode === 'navigate') {
        const html = await kept.clone().text();
        await (await caches.open(cacheName)).put('/', kept);
        await forgetOldBuilds(html);
      } else {
        await (await caches.open(cacheName)).put(request, kept);
      }
    }
    return response;
  } catch (error) {
    const saved = await fallback();
    if (saved) return saved;
    throw error;
  }
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

/** Drops the hashed assets of earlier builds: those the current index.html no longer names. */
async function forgetOldBuilds(html) {
  const cache = await caches.open(SHELL);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (HASHED.test(path) && !html.includes(path.slice(1))) await cache.delete(request);
  }
}

async function cacheFirst(request) {
  const saved = await caches.match(request, { cacheName: SHELL });
  if (saved) return saved;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
  return response;
}
