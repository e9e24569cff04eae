//! `cargo xtask dist`: the SPA built into `dist/`, its wasm split by route so that the first
//! load of a tab carries the app shell and that tab's page, not every page of the app.
//!
//! 1. cargo builds the `linli` binary for wasm32 in release, keeping the link relocations
//!    (`--emit-relocs`) that the splitter reads;
//! 2. `wasm_split_cli_support` moves each area's pages (`lazy_area!` in `src/app.rs`) into a
//!    module of its own, and code that several pages share into chunks, and writes the JS that
//!    fetches them the first time a route is opened;
//! 3. the wasm-bindgen CLI (pinned: it must equal the crate) writes the JS glue of the main module;
//! 4. wasm-opt -Oz (npm binaryen 132) shrinks every module, esbuild minifies the scripts and
//!    the stylesheet, and the main module's imports get short names (`import_names.rs`);
//! 5. each file gets a content hash in its name (the server caches such names for a year),
//!    `index.html` names them, each area's modules are also written together with the main
//!    module as one bundle (`write_bundles`), which a first visit fetches in place of the
//!    separate files, and every file is written compressed beside itself.
//!
//! Trunk cannot split a wasm module (the split must happen before wasm-bindgen), so this is the
//! whole build; `index.html` at the root is its template.

use crate::import_names;
use crate::size::{self, read};
use crate::tools::{Toolchain, WASM_BINDGEN_VERSION, WASM_TARGET};
use crate::{Result, root, step};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

/// The build's own target directory: its flags differ from the clippy and test builds', which
/// would otherwise rebuild each other's dependencies every time.
const TARGET_DIR: &str = "target/split";
/// `--cfg erase_components` as in `.cargo/config.toml` (explicit flags replace it), and the link
/// relocations that the splitter reads.
const RUSTFLAGS: [&str; 3] = ["--cfg", "erase_components", "-Clink-arg=--emit-relocs"];

/// The wasm build's flags: `RUSTFLAGS`, and source paths without this machine's directories.
/// Panic messages name the file they are in, about 120 of them in a first visit's wasm: with
/// the crates' registry and the workspace removed from those names, the files are smaller and
/// the same on every machine. Passed as `CARGO_ENCODED_RUSTFLAGS`, as a path may hold a space.
fn rustflags(root: &Path) -> String {
    let mut flags: Vec<String> = RUSTFLAGS.iter().map(|f| f.to_string()).collect();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    // One directory per registry (`index.crates.io-<hash>`), its crates' sources inside.
    if let Some(registries) =
        cargo_home.and_then(|home| std::fs::read_dir(home.join("registry/src")).ok())
    {
        for registry in registries.flatten() {
            flags.push(format!(
                "--remap-path-prefix={}/=",
                registry.path().display()
            ));
        }
    }
    flags.push(format!("--remap-path-prefix={}/=", root.display()));
    flags.join("\u{1f}")
}

// Quiet: the split modules' name sections use a subsection binaryen does not know, and it
// warns about each (the names are dropped anyway). The producers and target-features sections
// are of no use to a browser, and cost about 200 B in each of the 40-odd files of a first
// visit.
const WASM_OPT_FLAGS: [&str; 6] = [
    "-Oz",
    "--quiet",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--strip-producers",
    "--strip-target-features",
];

/// Files copied under their own names: the service worker must keep its URL (a new name would be
/// a new worker), and the manifest, icons and Leaflet are named by URL elsewhere.
const COPIED: [(&str, &str); 6] = [
    ("public/favicon.ico", "favicon.ico"),
    ("public/manifest.webmanifest", "manifest.webmanifest"),
    ("public/sw.js", "sw.js"),
    ("public/icons", "icons"),
    ("node_modules/leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    (
        "node_modules/leaflet/dist/leaflet.css",
        "leaflet/leaflet.css",
    ),
];
const LEAFLET_IMAGES: (&str, &str) = ("node_modules/leaflet/dist/images", "leaflet/images");

/// Files that get a content hash: the template names them by their plain URL.
const HASHED: [(&str, &str); 3] = [
    ("public/favicon.svg", "/favicon.svg"),
    ("style/main.css", "/main.css"),
    ("public/prefs.js", "/prefs.js"),
];

/// Where the template wants the app's scripts and preloads.
const APP_MARKER: &str = "<!-- linli:app -->";

/// The elements of `index.html` that the app's header and the tabs' headings and leads
/// replace (`boot_shell`).
const BOOT_HEADER_MARKER: &str = "<!-- linli:boot-header -->";
const BOOT_PAGES_MARKER: &str = "<!-- linli:boot-pages -->";

/// The tabs whose heading and lead the static shell shows: their path, their locale section
/// (`title`, `intro`, and `subtitle` where the page has one), as their pages draw them
/// (`src/pages/{requests,consultations,circle,me}/mod.rs`). What 我的 shows below its lead
/// depends on who is signed in, so its shell keeps the placeholder lines (`style/main.css`).
const BOOT_PAGES: [(&str, &str, bool); 4] = [
    ("/requests", "requests", false),
    ("/consultations", "consultations", true),
    ("/circle", "circle", true),
    ("/me", "me", false),
];

/// The static shell's header and each tab's heading and lead, in each language, from the
/// locales, with the app's own markup (`components/header.rs`, the tabs' pages) so that they
/// take the same room: main.css shows those of the path and language.
fn boot_shell(root: &Path) -> Result<(String, String)> {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut header = String::new();
    let mut html = String::new();
    for lang in ["zh-CN", "en"] {
        let file = root.join("locales").join(format!("{lang}.json"));
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let locale: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let text = |section: &str, name: &str| {
            locale[section][name]
                .as_str()
                .map(escape)
                .ok_or_else(|| format!("{}: no {section}.{name}", file.display()))
        };
        header.push_str(&format!(
            "<header class=\"app-header\" lang=\"{lang}\"><span class=\"brand\"><span class=\"brand-name\">{}</span><span class=\"brand-tagline\">{}</span></span><div class=\"header-actions\"><button class=\"switch-button\" type=\"button\" tabindex=\"-1\">{}</button><button class=\"switch-button elder-switch\" type=\"button\" tabindex=\"-1\"><span class=\"switch-mark\" aria-hidden=\"true\"></span>{}</button></div></header>\n",
            text("app", "name")?,
            text("app", "tagline")?,
            text("header", "switch_language")?,
            text("header", "elder_mode")?,
        ));
        for (path, section, has_subtitle) in BOOT_PAGES {
            let key = |name: &str| text(section, name);
            let subtitle = if has_subtitle {
                format!("<span class=\"subtitle\">{}</span>", key("subtitle")?)
            } else {
                String::new()
            };
            html.push_str(&format!(
                "<section class=\"page boot-page\" data-path=\"{path}\" lang=\"{lang}\"><h1>{}{subtitle}</h1><p class=\"lead\">{}</p></section>\n",
                key("title")?,
                key("intro")?
            ));
        }
    }
    Ok((header, html))
}
/// The element of `dist/index.html` that holds each route's bundle and the name of its
/// stylesheet, if it has one of its own, as JSON (`[["/path/:id", "/bundle_area-id.bin",
/// "circle"], ...]`): read by its start script and by `cargo xtask size`.
pub const ROUTES_ID: &str = "linli-routes";
/// The element of `dist/index.html` that names the file of each page stylesheet, as JSON
/// (`{"circle": "/circle-0123456789abcdef.css"}`): read by the start script, which loads them
/// (`src/page_styles.rs`), and by `cargo xtask size`.
pub const STYLES_ID: &str = "linli-styles";

pub fn build(tools: &Toolchain) -> Result<()> {
    let root = root();
    let work = root.join(TARGET_DIR);
    step("Building the SPA (release wasm; the first time takes several minutes)");
    tools.run(
        tools
            .cargo()
            .args(["build", "--release", "--bin", "linli", "-p", "linli"])
            .args(["--target", WASM_TARGET, "--target-dir"])
            .arg(&work)
            .env_remove("RUSTFLAGS")
            .env("CARGO_ENCODED_RUSTFLAGS", rustflags(&root)),
        "building the SPA's wasm",
    )?;
    let input = read(&work.join(WASM_TARGET).join("release/linli.wasm"))?;
    // One name for the build's JS and wasm files: the main JS and the split loader import each
    // other, so their names must be known before either is written. Everything that changes
    // their bytes is in it: a JS glue and a wasm module of two builds must never share a name.
    let build_id = content_hash(&[
        &input,
        WASM_BINDGEN_VERSION.as_bytes(),
        wasm_split_version().as_bytes(),
        WASM_OPT_FLAGS.join(" ").as_bytes(),
        &read(&root.join("node_modules/esbuild/package.json"))?,
        import_names::SCHEME.as_bytes(),
        TAKE_FROM_BUNDLE.as_bytes(),
    ]);

    step("Splitting the wasm by route, then wasm-bindgen and wasm-opt");
    let out = fresh_dir(&work.join("out"))?;
    let main_js = format!("linli-{build_id}.js");
    let loader_js = format!("linli_split-{build_id}.js");
    let unbound_main = out.join("linli_split.wasm");
    let (link_name, main_module) = (format!("./{loader_js}"), format!("./{main_js}"));
    let split = {
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &out;
        options.main_out_path = &unbound_main;
        options.link_name = &link_name;
        options.main_module = &main_module;
        wasm_split_cli_support::transform(options).map_err(|e| format!("splitting: {e:?}"))?
    };
    tools.run(
        tools
            .command("wasm-bindgen")
            .args(["--target", "web", "--keep-lld-exports", "--no-demangle"])
            .args([
                "--no-typescript",
                "--out-name",
                &format!("linli-{build_id}"),
            ])
            .arg("--out-dir")
            .arg(&out)
            .arg(&unbound_main),
        "wasm-bindgen",
    )?;

    let dist = fresh_dir(&root.join("dist"))?;
    let main_wasm = format!("linli-{build_id}_bg.wasm");
    wasm_opt(tools, &out.join(&main_wasm), &dist.join(&main_wasm))?;
    copy(&out.join(&main_js), &dist.join(&main_js))?;
    // The split modules keep the build's name; the loader names them relative to itself.
    let mut loader = std::fs::read_to_string(out.join(&loader_js)).map_err(|e| e.to_string())?;
    loader = take_from_bundle(&loader, split.split_modules.len())?;
    let mut renamed = BTreeMap::new();
    for module in &split.split_modules {
        let stem = module
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("a split module without a name")?;
        let name = format!("{stem}-{build_id}.wasm");
        let quoted = format!("\"./{stem}.wasm\"");
        if loader.matches(&quoted).count() != 1 {
            return Err(format!("the split loader does not name {stem}.wasm once"));
        }
        loader = loader.replace(&quoted, &format!("\"./{name}\""));
        wasm_opt(tools, module, &dist.join(&name))?;
        renamed.insert(stem.to_string(), name);
    }
    std::fs::write(dist.join(&loader_js), loader).map_err(|e| e.to_string())?;
    minify(tools, &dist.join(&main_js))?;
    minify(tools, &dist.join(&loader_js))?;
    let (wasm, js) = import_names::shorten(
        &read(&dist.join(&main_wasm))?,
        &std::fs::read_to_string(dist.join(&main_js)).map_err(|e| e.to_string())?,
        &format!("./linli-{build_id}_bg.js"),
    )?;
    std::fs::write(dist.join(&main_wasm), wasm).map_err(|e| e.to_string())?;
    std::fs::write(dist.join(&main_js), js).map_err(|e| e.to_string())?;
    if out.join("snippets").exists() {
        copy_dir(&out.join("snippets"), &dist.join("snippets"))?;
    }

    step("Writing index.html and the assets");
    for (from, to) in COPIED.iter().chain([&LEAFLET_IMAGES]) {
        let from = root.join(from);
        if from.is_dir() {
            copy_dir(&from, &dist.join(to))?;
        } else {
            copy(&from, &dist.join(to))?;
        }
    }
    minify(tools, &dist.join("sw.js"))?;
    let mut html = std::fs::read_to_string(root.join("index.html")).map_err(|e| e.to_string())?;
    for (source, url) in HASHED {
        let (stem, ext) = url[1..]
            .rsplit_once('.')
            .ok_or("an asset without extension")?;
        // Named by the bytes sent, after minifying.
        let unnamed = dist.join(format!("{stem}.{ext}"));
        copy(&root.join(source), &unnamed)?;
        if ext == "css" || ext == "js" {
            minify(tools, &unnamed)?;
        }
        let name = format!("{stem}-{}.{ext}", content_hash(&[&read(&unnamed)?]));
        std::fs::rename(&unnamed, dist.join(&name)).map_err(|e| e.to_string())?;
        html = replace_once(&html, &format!("\"{url}\""), &format!("\"/{name}\""))?;
    }
    let area_styles = read_area_styles(&root)?;
    let mut styles = BTreeMap::new();
    // Each once: two areas (a tab and the pages behind it) share one.
    for name in area_styles.values().collect::<BTreeSet<_>>() {
        let source = root.join(format!("style/{name}.css"));
        let unnamed = dist.join(format!("{name}.css"));
        copy(&source, &unnamed)?;
        minify(tools, &unnamed)?;
        let file = format!("{name}-{}.css", content_hash(&[&read(&unnamed)?]));
        std::fs::rename(&unnamed, dist.join(&file)).map_err(|e| e.to_string())?;
        styles.insert(name.clone(), format!("/{file}"));
    }
    let (boot_header, boot_pages) = boot_shell(&root)?;
    html = replace_once(&html, BOOT_HEADER_MARKER, &boot_header)?;
    html = replace_once(&html, BOOT_PAGES_MARKER, &boot_pages)?;
    let areas = read_routes(&root)?;
    let routes = route_modules(&areas, &split.prefetch_map, &renamed)?;
    let routes = write_bundles(&dist, &main_wasm, &areas, &routes, &area_styles, &build_id)?;
    html = replace_once(
        &html,
        APP_MARKER,
        &app_scripts(&main_js, &main_wasm, &loader_js, &routes, &styles)?,
    )?;
    let html = minify_page(tools, &html, &out)?;
    std::fs::write(dist.join("index.html"), html).map_err(|e| e.to_string())?;
    size::precompress(&dist)
}

/// The scripts that start the app, after the static shell's first paint so that its
/// stylesheet and text do not share a slow connection with the app's files.
///
/// A first visit (no service worker controls the page yet) fetches the bundle of the route it
/// opens at: the main module and that route's modules in one file, compressed as one, which
/// is 12 to 19 KB less brotli than the same files sent apart, and one request instead of 40.
/// The modules are handed to the split loader (`take_from_bundle`) and put in the service
/// worker's cache (its `SHELL` name), so that the worker does not fetch them again; the worker
/// is registered after that. A later visit is served from that cache, so it fetches the files
/// apart, as the loader asks for them; so does a first visit whose bundle fails.
fn app_scripts(
    main_js: &str,
    main_wasm: &str,
    loader_js: &str,
    routes: &[(String, String, String)],
    styles: &BTreeMap<String, String>,
) -> Result<String> {
    let routes_json = serde_json::to_string(routes).map_err(|e| e.to_string())?;
    let styles_json = serde_json::to_string(styles).map_err(|e| e.to_string())?;
    Ok(format!(
        r#"<script type="application/json" id="{ROUTES_ID}">{routes_json}</script>
    <script type="application/json" id="{STYLES_ID}">{styles_json}</script>
    <script>
    (function (routes, styles) {{
      var started = false;
      // A page stylesheet, added once (here for the route opened, by src/page_styles.rs for
      // others): the promise of its loading, or failure.
      var pageStyles = {{}};
      window.linliStyle = function (name) {{
        pageStyles[name] = pageStyles[name] || new Promise(function (settle) {{
          var link = document.createElement('link');
          link.rel = 'stylesheet';
          link.href = styles[name];
          link.onload = link.onerror = function () {{ settle(); }};
          document.head.appendChild(link);
        }});
        return pageStyles[name];
      }};
      var afterLoad = function (then) {{
        if (document.readyState === 'complete') then(); else addEventListener('load', then);
      }};
      var registerWorker = function () {{
        if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js');
      }};
      // A bundle: a little-endian u32, the length of a JSON list of [path, length] that
      // follows, then those files one after another.
      var unpack = function (buffer) {{
        var headerLength = new DataView(buffer).getUint32(0, true);
        var parts = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
        var files = new Map();
        var at = 4 + headerLength;
        parts.forEach(function (part) {{
          files.set(part[0], new Uint8Array(buffer, at, part[1]));
          at += part[1];
        }});
        if (at !== buffer.byteLength) throw new Error('a bundle of the wrong length');
        return files;
      }};
      var wasm = function (bytes) {{
        return new Response(bytes, {{ headers: {{ 'Content-Type': 'application/wasm' }} }});
      }};
      // Puts the bundle's files in the worker's cache once the page has loaded and is idle, one
      // at a time: all at once, the copies block a slow phone for a long moment.
      // With no worker to read them (none in this browser), they are not kept.
      var keep = function (files) {{
        return new Promise(function (kept) {{
          if (!window.caches || !('serviceWorker' in navigator)) return kept();
          var whenIdle = window.requestIdleCallback
            ? function (then) {{ requestIdleCallback(then, {{ timeout: 3000 }}); }}
            : function (then) {{ setTimeout(then, 0); }};
          afterLoad(function () {{
            whenIdle(function () {{
              caches.open('linli-shell-v1').then(function (cache) {{
                return files.reduce(function (done, file) {{
                  return done.then(function () {{ return cache.put(file[0], wasm(file[1])); }});
                }}, Promise.resolve());
              }}).catch(function () {{}}).then(kept);
            }});
          }});
        }});
      }};
      var start = function () {{
        if (started) return;
        started = true;
        var path = location.pathname.replace(/\/+$/, '') || '/';
        var match = function (pattern) {{
          return new RegExp('^' + pattern.replace(/:[^/]+/g, '[^/]+') + '$').test(path);
        }};
        // Fixed segments win over parameters, as in the router.
        var route = routes.filter(function (r) {{ return r[0].indexOf(':') < 0 && match(r[0]); }})[0]
          || routes.filter(function (r) {{ return match(r[0]); }})[0];
        var link = document.createElement('link');
        link.rel = 'modulepreload';
        link.href = '/{loader_js}';
        document.head.appendChild(link);
        if (route && route[2]) linliStyle(route[2]);
        var app = import('/{main_js}');
        var firstVisit = route && !(navigator.serviceWorker && navigator.serviceWorker.controller);
        var bundle = !firstVisit ? Promise.resolve(null) : fetch(route[1]).then(function (response) {{
          if (!response.ok) throw new Error(response.status);
          return response.arrayBuffer();
        }}).then(unpack).catch(function () {{ return null; }});
        bundle.then(function (files) {{
          var main = files && files.get('/{main_wasm}');
          if (main) {{
            keep(Array.from(files)).then(registerWorker);
            // The loader takes the others and drops them; the bundle is freed once kept.
            files.delete('/{main_wasm}');
            window.linliModules = files;
          }} else {{
            afterLoad(registerWorker);
          }}
          // A response, not bytes: it is compiled as it is read, off the page's thread.
          return app.then(function (app) {{
            return app.default({{ module_or_path: main ? wasm(main) : '/{main_wasm}' }});
          }});
        }});
      }};
      // After the frame that paints the shell; the timer covers a page that is not painting
      // (opened in the background).
      requestAnimationFrame(function () {{ setTimeout(start, 0); }});
      setTimeout(start, 500);
    }})(JSON.parse(document.getElementById('{ROUTES_ID}').textContent),
      JSON.parse(document.getElementById('{STYLES_ID}').textContent));
    </script>"#
    ))
}

/// What `take_from_bundle` puts at the head of the split loader. Part of the build's name, as
/// it changes the loader's bytes.
const TAKE_FROM_BUNDLE: &str = r#"// The modules of the page's first-visit bundle (index.html's start script), each taken once.
function linliFetch(url) {
    const files = globalThis.linliModules;
    const bytes = files && files.get(url.pathname);
    if (!bytes) return fetch(url);
    files.delete(url.pathname);
    return Promise.resolve(new Response(bytes, { headers: { "Content-Type": "application/wasm" } }));
}
"#;

/// Makes the split loader take a module from the bundle the page opened with (`app_scripts`)
/// when it has it, instead of fetching it. Each of the `modules` is fetched once in the loader.
fn take_from_bundle(loader: &str, modules: usize) -> Result<String> {
    const FETCH: &str = "fetch(new URL(";
    if loader.matches(FETCH).count() != modules {
        return Err(format!(
            "the split loader does not fetch its {modules} modules as expected (`{FETCH}`)"
        ));
    }
    Ok(format!(
        "{TAKE_FROM_BUNDLE}{}",
        loader.replace(FETCH, "linliFetch(new URL(")
    ))
}

/// Writes each area's bundle, `bundle_<area>-<build>.bin`: the main module and the modules of
/// the area's routes (`bundle_bytes`). Returns each route's pattern, bundle and stylesheet name
/// (empty for none), as the start script reads them.
fn write_bundles(
    dist: &Path,
    main_wasm: &str,
    areas: &[(String, String)],
    routes: &[(String, Vec<String>)],
    area_styles: &BTreeMap<String, String>,
    build_id: &str,
) -> Result<Vec<(String, String, String)>> {
    let mut written = BTreeMap::new();
    let mut bundles = Vec::new();
    for ((pattern, area), (same, files)) in areas.iter().zip(routes) {
        debug_assert_eq!(pattern, same);
        let name = format!("/bundle_{area}-{build_id}.bin");
        if let Some(earlier) = written.insert(name.clone(), files.clone()) {
            if &earlier != files {
                return Err(format!("the routes of {area} need different modules"));
            }
        } else {
            let mut parts = vec![format!("/{main_wasm}")];
            parts.extend(files.iter().cloned());
            let bytes = bundle_bytes(dist, &parts)?;
            std::fs::write(dist.join(&name[1..]), bytes).map_err(|e| e.to_string())?;
        }
        let style = area_styles.get(area).cloned().unwrap_or_default();
        bundles.push((pattern.clone(), name, style));
    }
    Ok(bundles)
}

/// A bundle of `dist`'s files: a little-endian u32, the length of the JSON list of
/// `[path, length]` that follows, then the files' bytes in that order.
fn bundle_bytes(dist: &Path, paths: &[String]) -> Result<Vec<u8>> {
    let mut header = Vec::new();
    let mut body = Vec::new();
    for path in paths {
        let bytes = read(&dist.join(path.trim_start_matches('/')))?;
        header.push((path.clone(), bytes.len()));
        body.extend(bytes);
    }
    let header = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    let mut bundle = u32::try_from(header.len())
        .map_err(|e| e.to_string())?
        .to_le_bytes()
        .to_vec();
    bundle.extend(header);
    bundle.extend(body);
    Ok(bundle)
}

/// Each area's own stylesheet (`style = Some("circle")` in its `lazy_area!`), by area.
fn read_area_styles(root: &Path) -> Result<BTreeMap<String, String>> {
    let app = std::fs::read_to_string(root.join("src/app.rs")).map_err(|e| e.to_string())?;
    let mut styles = BTreeMap::new();
    for line in app.lines() {
        let Some(rest) = line.trim().strip_prefix("lazy_area!(") else {
            continue;
        };
        let area = rest.split(',').next().unwrap_or_default();
        if let Some((_, style)) = rest.split_once("style = Some(\"") {
            let style = style.split('"').next().unwrap_or_default();
            styles.insert(area.to_string(), style.to_string());
        }
    }
    Ok(styles)
}

/// The app's lazy routes, read from `src/app.rs`: (path pattern, the `lazy_area!` whose module
/// holds its page). `/` redirects to `/requests`, so it opens that route's modules.
pub fn read_routes(root: &Path) -> Result<Vec<(String, String)>> {
    let app = std::fs::read_to_string(root.join("src/app.rs")).map_err(|e| e.to_string())?;
    let mut area_of = BTreeMap::new();
    let mut area = None;
    let mut routes = Vec::new();
    for line in app.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("lazy_area!(") {
            area = rest.split(',').next().map(str::to_string);
        } else if line == "});" {
            area = None;
        } else if let (Some(area), Some((route, _))) = (&area, line.split_once(" => ")) {
            area_of.insert(route.to_string(), area.clone());
        } else if let Some(rest) = line.strip_prefix("<Route path=path!(\"") {
            // `view=SomeRoute/>`: a `LazyPage` of a `lazy_area!` (a closure is not one).
            let lazy = rest
                .split_once("\")")
                .and_then(|(pattern, rest)| Some((pattern, rest.trim().strip_prefix("view=")?)));
            if let Some((pattern, rest)) = lazy {
                let route: String = rest
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                if !route.is_empty() {
                    routes.push((pattern.to_string(), route));
                }
            }
        }
    }
    let mut areas = Vec::new();
    for (pattern, route) in routes {
        let area = area_of
            .get(&route)
            .ok_or_else(|| format!("route {route} is in no lazy_area! of src/app.rs"))?;
        if pattern == "/requests" {
            areas.push(("/".to_string(), area.clone()));
        }
        areas.push((pattern, area.clone()));
    }
    if areas.is_empty() {
        return Err("no lazy routes found in src/app.rs".into());
    }
    Ok(areas)
}

/// The wasm files each route needs, from the splitter's map of split point → files. Each area's
/// split point is named after it (`lazy_area!` in `src/app.rs`).
fn route_modules(
    routes: &[(String, String)],
    prefetch: &std::collections::HashMap<String, Vec<String>>,
    renamed: &BTreeMap<String, String>,
) -> Result<Vec<(String, Vec<String>)>> {
    routes
        .iter()
        .map(|(pattern, area)| {
            let mut found = prefetch.iter().filter(|(split, _)| *split == area);
            let (Some((_, stems)), None) = (found.next(), found.next()) else {
                return Err(format!(
                    "route {pattern}: not exactly one split module named {area}"
                ));
            };
            let files = stems
                .iter()
                .map(|stem| {
                    renamed
                        .get(stem)
                        .map(|name| format!("/{name}"))
                        .ok_or_else(|| format!("route {pattern}: no module file {stem}"))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((pattern.clone(), files))
        })
        .collect()
}

/// The page as it is sent: without the template's comments and indentation, and its start
/// script (the one `<script>` with no attributes) minified: 0.7 KB less brotli on every first
/// visit. Indentation only: a line break between two tags stays, as it can be a space.
fn minify_page(tools: &Toolchain, html: &str, work: &Path) -> Result<String> {
    let mut page = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        page.push_str(&rest[..start]);
        let end = rest[start..]
            .find("-->")
            .ok_or("index.html: a comment with no end")?;
        rest = &rest[start + end + "-->".len()..];
    }
    page.push_str(rest);
    let page: Vec<&str> = page
        .lines()
        .map(str::trim_start)
        .filter(|line| !line.is_empty())
        .collect();
    let page = page.join("\n");
    let (before, after) = page
        .split_once("<script>")
        .ok_or("index.html: no start script")?;
    let (script, after) = after
        .split_once("</script>")
        .ok_or("index.html: an unterminated start script")?;
    let file = work.join("start.js");
    std::fs::write(&file, script).map_err(|e| e.to_string())?;
    minify(tools, &file)?;
    let script = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    Ok(format!(
        "{before}<script>{}</script>{after}",
        script.trim_end()
    ))
}

/// Minifies a script or stylesheet in place (npm esbuild, pinned): the JS glue, the split
/// loader, the service worker and the stylesheet come to about 8 KB less brotli, on every
/// tab's first load. Names that other files use (exports, the glue's import keys) are kept.
fn minify(tools: &Toolchain, file: &Path) -> Result<()> {
    tools.run(
        tools
            .command("esbuild")
            .args(["--minify", "--log-level=error", "--allow-overwrite"])
            .arg(file)
            .arg(format!("--outfile={}", file.display())),
        &format!("esbuild {}", file.display()),
    )
}

fn wasm_opt(tools: &Toolchain, from: &Path, to: &Path) -> Result<()> {
    tools.run(
        tools
            .command("wasm-opt")
            .args(WASM_OPT_FLAGS)
            .arg(from)
            .arg("-o")
            .arg(to),
        &format!("wasm-opt {}", from.display()),
    )
}

/// The version of the splitter, part of the build's name: another splitter makes other files.
fn wasm_split_version() -> String {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap_or_default();
    lock.split("[[package]]")
        .find(|p| p.contains("name = \"wasm_split_cli_support\""))
        .unwrap_or_default()
        .to_string()
}

/// 16 hex digits of a 64-bit hash of the parts: enough to tell builds apart in a file name.
fn content_hash(parts: &[&[u8]]) -> String {
    let mut hasher = DefaultHasher::new();
    for part in parts {
        hasher.write_usize(part.len());
        hasher.write(part);
    }
    format!("{:016x}", hasher.finish())
}

fn replace_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => Err(format!(
            "index.html names {from} {n} times; the build expects it once"
        )),
    }
}

fn fresh_dir(dir: &Path) -> Result<PathBuf> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir.to_path_buf())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {}: {e}", from.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for path in size::files(from)? {
        let relative = path.strip_prefix(from).map_err(|e| e.to_string())?;
        copy(&path, &to.join(relative))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_is_a_header_of_lengths_then_the_files() {
        let dist = std::env::temp_dir().join(format!("linli-bundle-test-{}", std::process::id()));
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("main.wasm"), b"main").unwrap();
        std::fs::write(dist.join("chunk_1.wasm"), b"chunk").unwrap();
        let paths = ["/main.wasm".to_string(), "/chunk_1.wasm".to_string()];
        let bundle = bundle_bytes(&dist, &paths).unwrap();
        std::fs::remove_dir_all(&dist).unwrap();
        let header = r#"[["/main.wasm",4],["/chunk_1.wasm",5]]"#;
        assert_eq!(bundle[..4], (header.len() as u32).to_le_bytes());
        assert_eq!(&bundle[4..4 + header.len()], header.as_bytes());
        assert_eq!(&bundle[4 + header.len()..], b"mainchunk");
    }

    #[test]
    fn the_loader_takes_each_module_from_the_bundle_first() {
        let loader = r#"const a = fetch(new URL("./chunk_1-x.wasm", import.meta.url));
const b = fetch(new URL("./split_a-x.wasm", import.meta.url));"#;
        let taken = take_from_bundle(loader, 2).unwrap();
        assert_eq!(taken.matches("linliFetch(new URL(").count(), 2);
        assert!(taken.contains("function linliFetch(url)"));
        // A loader of another shape is refused rather than left fetching the modules apart.
        assert!(take_from_bundle(loader, 3).is_err());
    }

    #[test]
    fn routes_are_read_from_the_router() {
        let routes = read_routes(&root()).unwrap();
        assert!(routes.contains(&("/circle/facilities/:id".into(), "circle_pages".into())));
        assert!(routes.contains(&("/".into(), "requests_tab".into())));
        assert_eq!(routes.len(), 20, "19 lazy routes and /");
        let styles = read_area_styles(&root()).unwrap();
        assert_eq!(
            styles.get("circle_pages").map(String::as_str),
            Some("circle")
        );
        assert_eq!(
            styles.get("consultations_tab").map(String::as_str),
            Some("consultations")
        );
        assert_eq!(styles.get("requests_tab"), None);
    }
}
