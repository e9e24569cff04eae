// Applies the saved device preferences (see src/prefs.rs) before the app starts, and
// registers the service worker.
(function () {
  try {
    var root = document.documentElement;
    // Which tab's heading the static shell shows while the app loads (main.css).
    root.setAttribute('data-path', location.pathname.replace(/\/+$/, '') || '/requests');
    if (localStorage.getItem('linli.elder_mode') === 'on') root.classList.add('elder');
    var lang = localStorage.getItem('linli.lang');
    if (lang === 'en' || lang === 'zh-CN') root.lang = lang;
  } catch (e) { /* storage disabled: defaults apply */ }
  // The service worker (sw.js) lets the app open with no network, showing what it last loaded.
  if ('serviceWorker' in navigator) {
    addEventListener('load', function () { navigator.serviceWorker.register('/sw.js'); });
  }
})();
