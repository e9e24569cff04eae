// Applies the saved device preferences (see src/prefs.rs) before the app starts. (The service
// worker is registered by index.html's start script, once the app's files are kept.)
(function () {
  try {
    var root = document.documentElement;
    // Which tab's heading the static shell shows while the app loads (main.css).
    root.setAttribute('data-path', location.pathname.replace(/\/+$/, '') || '/requests');
    if (localStorage.getItem('linli.elder_mode') === 'on') root.classList.add('elder');
    var lang = localStorage.getItem('linli.lang');
    if (lang === 'en' || lang === 'zh-CN') root.lang = lang;
  } catch (e) { /* storage disabled: defaults apply */ }
})();
