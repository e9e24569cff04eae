// Applies the saved device preferences (see src/prefs.rs) before the app starts.
(function () {
  try {
    var root = document.documentElement;
    if (localStorage.getItem('linli.elder_mode') === 'on') root.classList.add('elder');
    var lang = localStorage.getItem('linli.lang');
    if (lang === 'en' || lang === 'zh-CN') root.lang = lang;
  } catch (e) { /* storage disabled: defaults apply */ }
})();
