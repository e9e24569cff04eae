//! `cargo xtask bench lighthouse`: Lighthouse on each of the four tabs, against the budgets of
//! the issue: performance at least 90, accessibility 100, best practices at least 95.
//!
//! 1. Installs the npm tools (Lighthouse and chrome-launcher are pinned in package.json) and
//!    finds the system Chromium, as the browser tests do.
//! 2. Uses the release SPA in `dist/` as it is (`cargo xtask dist` builds it; it is built here
//!    only when `dist/index.html` is missing), and builds the release server.
//! 3. Starts the server with the demo community on a temp database and a free loopback port.
//! 4. Runs `tests/browser/bench/lighthouse.mjs`: for each tab `--runs` (3) Lighthouse runs in a
//!    fresh headless Chromium, with Lighthouse's default config (the mobile form factor,
//!    simulated throttling), and keeps the median run (Lighthouse's `computeMedianRun`). Its
//!    JSON and HTML reports go to `target/lighthouse/`.
//! 5. Prints the scores, first contentful paint, largest contentful paint and total blocking
//!    time per tab, whether each budget is met, and the audits that cost accessibility or best
//!    practices points, with the elements they found.
//!
//! The tabs are loaded signed out: `/me` shows its guest view (links to sign in and to register,
//! and the settings).
//!
//! A benchmark, not a test: a missed budget is reported, not failed. It fails only when the
//! measurement does: a tool that cannot run, or a tab that no Lighthouse run could measure.

use super::{Server, TempDir, build_server, target_dir};
use crate::tools::{self, Toolchain};
use crate::{Result, root, spa, step};
use std::fmt::Write as _;
use std::process::Stdio;
use std::time::Instant;

const TABS: [&str; 4] = ["/requests", "/consultations", "/circle", "/me"];
const PERFORMANCE_BUDGET: u32 = 90;
const ACCESSIBILITY_BUDGET: u32 = 100;
const BEST_PRACTICES_BUDGET: u32 = 95;

struct Options {
    runs: u32,
    tabs: Vec<String>,
    keep: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let usage = "usage: cargo xtask bench lighthouse [--runs N] [--tab /path]... [--keep]";
        let mut options = Options {
            runs: 3,
            tabs: Vec::new(),
            keep: false,
        };
        let mut args = args.iter().filter(|a| *a != "--");
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--runs" => {
                    options.runs = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .filter(|n| *n > 0)
                        .ok_or("--runs needs a number above 0")?;
                }
                "--tab" => {
                    let tab = args.next().ok_or(usage)?;
                    if !tab.starts_with('/') || tab.contains(',') {
                        return Err(format!("--tab wants a path such as /requests, not {tab:?}"));
                    }
                    options.tabs.push(tab.clone());
                }
                "--keep" => options.keep = true,
                other => return Err(format!("unknown flag {other}; {usage}")),
            }
        }
        if options.tabs.is_empty() {
            options.tabs = TABS.iter().map(|t| (*t).to_owned()).collect();
        }
        Ok(options)
    }
}

/// The median run of one tab, as the script reports it.
#[derive(Debug, Default, PartialEq)]
struct TabScores {
    tab: String,
    performance: Option<u32>,
    accessibility: Option<u32>,
    best_practices: Option<u32>,
    fcp_ms: Option<f64>,
    lcp_ms: Option<f64>,
    tbt_ms: Option<f64>,
    /// Every measured run's performance score, `63,71,68`.
    runs: String,
    /// Lighthouse's CPU benchmark index during the median run.
    benchmark: Option<u32>,
    report: String,
}

impl TabScores {
    /// Which budgets the tab misses (a score Lighthouse did not give misses its budget).
    fn missed(&self) -> Vec<&'static str> {
        let mut missed = Vec::new();
        if self.performance.is_none_or(|s| s < PERFORMANCE_BUDGET) {
            missed.push("performance");
        }
        if self.accessibility.is_none_or(|s| s < ACCESSIBILITY_BUDGET) {
            missed.push("accessibility");
        }
        if self
            .best_practices
            .is_none_or(|s| s < BEST_PRACTICES_BUDGET)
        {
            missed.push("best practices");
        }
        missed
    }
}

/// An audit that cost accessibility or best practices points in a tab's median run.
#[derive(Debug, PartialEq)]
struct FailedAudit {
    tab: String,
    category: String,
    id: String,
    score: String,
    title: String,
    /// Why the first element fails, in axe's words (accessibility audits).
    explanation: String,
    /// How many elements or items it found.
    count: String,
    /// What it found: elements (selector and HTML snippet), URLs or descriptions.
    items: Vec<String>,
}

/// Everything the script printed for xtask.
#[derive(Debug, Default, PartialEq)]
struct Report {
    tabs: Vec<TabScores>,
    audits: Vec<FailedAudit>,
    /// (tab, what went wrong): tabs that no run could measure.
    errors: Vec<(String, String)>,
    /// (tab, warning): Lighthouse's run warnings, and runs left out.
    warnings: Vec<(String, String)>,
    lighthouse: String,
    browser: String,
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    let tools = Toolchain::ensure(&root())?;
    let chromium = tools::ensure_chromium()?;
    let dist = root().join("dist");
    if dist.join("index.html").exists() {
        println!(
            "Using the release SPA already in {} (`cargo xtask dist` rebuilds it).",
            dist.display()
        );
    } else {
        spa::build(&tools)?;
    }
    build_server()?;
    let binary = target_dir().join("server-release/linli-server");

    let work = TempDir::new(options.keep)?;
    let database_url = format!("sqlite://{}", work.path.join("lighthouse.db").display());
    step("Starting the server with the demo community on a free loopback port");
    let server = Server::start_serving(&binary, &database_url, &work.path, true, &dist, &[])?;
    println!(
        "Serving at http://{} (log: {})",
        server.addr,
        server.log.display()
    );

    let out = target_dir().join("lighthouse");
    let _ = std::fs::remove_dir_all(&out);
    step(&format!(
        "Lighthouse, mobile with simulated throttling, {} runs on each of {} (signed out)",
        options.runs,
        options.tabs.join(", ")
    ));
    let started = Instant::now();
    // Progress goes to the terminal (stderr); the result lines come back on stdout.
    let output = tools
        .command("node")
        .arg(root().join("tests/browser/bench/lighthouse.mjs"))
        .env("LINLI_URL", format!("http://{}", server.addr))
        .env("LINLI_CHROMIUM", &chromium)
        .env("LINLI_LIGHTHOUSE_OUT", &out)
        .env("RUNS", options.runs.to_string())
        .env("TABS", options.tabs.join(","))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start node: {e}"))?;
    drop(server);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the Lighthouse script failed ({}):\n{stdout}",
            output.status
        ));
    }
    let report = parse(&stdout);
    println!("Measured in {:.0?}.", started.elapsed());

    println!(
        "\nLighthouse {}, {}; median of {} runs per tab; reports in {}",
        report.lighthouse,
        chromium_version(&chromium).unwrap_or_else(|| browser_version(&report.browser)),
        options.runs,
        out.display()
    );
    println!("\n{}", table(&report.tabs));
    for (tab, warning) in &report.warnings {
        println!("warning, {tab}: {warning}");
    }
    if report.audits.is_empty() {
        println!("No accessibility or best practices audit failed.");
    } else {
        println!("Audits that cost accessibility or best practices points:");
        for a in &report.audits {
            println!(
                "- {} {}: `{}` (score {}) {} ({} found)",
                a.tab, a.category, a.id, a.score, a.title, a.count
            );
            if !a.explanation.is_empty() {
                println!("    why, for the first: {}", a.explanation);
            }
            for item in &a.items {
                println!("    {item}");
            }
        }
    }
    let missing: Vec<String> = options
        .tabs
        .iter()
        .filter(|t| !report.tabs.iter().any(|s| &s.tab == *t))
        .map(|t| {
            let why = report
                .errors
                .iter()
                .find(|(tab, _)| tab == t)
                .map_or("no result", |(_, e)| e.as_str());
            format!("{t}: {why}")
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Lighthouse could not measure every tab:\n  {}",
            missing.join("\n  ")
        ))
    }
}

/// Reads the script's tagged, tab-separated `key=value` lines; other lines are ignored.
fn parse(stdout: &str) -> Report {
    let mut report = Report::default();
    for line in stdout.lines() {
        let mut fields = line.split('\t');
        let tag = fields.next().unwrap_or_default();
        let fields: Vec<(&str, &str)> = fields.filter_map(|f| f.split_once('=')).collect();
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| *k == key)
                .map_or("", |(_, v)| *v)
                .to_owned()
        };
        let number = |key: &str| get(key).parse::<f64>().ok().filter(|v| v.is_finite());
        let score = |key: &str| number(key).map(|v| v.round() as u32);
        match tag {
            "LINLI-LIGHTHOUSE" => report.tabs.push(TabScores {
                tab: get("tab"),
                performance: score("performance"),
                accessibility: score("accessibility"),
                best_practices: score("best-practices"),
                fcp_ms: number("fcp"),
                lcp_ms: number("lcp"),
                tbt_ms: number("tbt"),
                runs: get("runs"),
                benchmark: score("benchmark"),
                report: get("report"),
            }),
            "LINLI-LIGHTHOUSE-AUDIT" => report.audits.push(FailedAudit {
                tab: get("tab"),
                category: get("category"),
                id: get("id"),
                score: get("score"),
                title: get("title"),
                explanation: get("explanation"),
                count: get("count"),
                items: get("items")
                    .split(" | ")
                    .filter(|i| !i.is_empty())
                    .map(str::to_owned)
                    .collect(),
            }),
            "LINLI-LIGHTHOUSE-ERROR" => report.errors.push((get("tab"), get("error"))),
            "LINLI-LIGHTHOUSE-WARN" => report.warnings.push((get("tab"), get("warning"))),
            "LINLI-LIGHTHOUSE-ENV" => {
                report.lighthouse = get("lighthouse");
                report.browser = get("browser");
            }
            _ => {}
        }
    }
    report
}

/// `Chromium 156.0.8078.79`, as the binary says it (the user agent rounds the version).
fn chromium_version(chromium: &std::path::Path) -> Option<String> {
    let output = std::process::Command::new(chromium)
        .arg("--version")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let said = String::from_utf8_lossy(&output.stdout);
    let mut words = said.split_whitespace();
    Some(format!("{} {}", words.next()?, words.next()?))
}

/// `Chromium 156.0.0.0` out of a user agent (`HeadlessChrome/156.0.0.0`).
fn browser_version(user_agent: &str) -> String {
    user_agent
        .split_whitespace()
        .find_map(|part| {
            let (name, version) = part.split_once('/')?;
            matches!(name, "Chrome" | "HeadlessChrome" | "Chromium")
                .then(|| format!("Chromium {version}"))
        })
        .unwrap_or_else(|| user_agent.to_owned())
}

/// A score with its budget's mark: `63 ✗`, `100 ✓`, or `–` when Lighthouse gave none.
fn judged(score: Option<u32>, budget: u32) -> String {
    match score {
        Some(s) => format!("{s} {}", if s >= budget { "✓" } else { "✗" }),
        None => "– ✗".to_owned(),
    }
}

fn seconds(ms: Option<f64>) -> String {
    ms.map_or_else(|| "–".to_owned(), |ms| format!("{:.1} s", ms / 1000.0))
}

fn table(tabs: &[TabScores]) -> String {
    let mut out = String::from(
        "| tab | performance | accessibility | best practices | FCP | LCP | TBT | runs (performance) | CPU index | budgets |\n\
         |---|---:|---:|---:|---:|---:|---:|---|---:|---|\n",
    );
    for t in tabs {
        let missed = t.missed();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            t.tab,
            judged(t.performance, PERFORMANCE_BUDGET),
            judged(t.accessibility, ACCESSIBILITY_BUDGET),
            judged(t.best_practices, BEST_PRACTICES_BUDGET),
            seconds(t.fcp_ms),
            seconds(t.lcp_ms),
            t.tbt_ms
                .map_or_else(|| "–".to_owned(), |ms| format!("{ms:.0} ms")),
            t.runs,
            t.benchmark
                .map_or_else(|| "–".to_owned(), |b| b.to_string()),
            if missed.is_empty() {
                "all met".to_owned()
            } else {
                format!("missed: {}", missed.join(", "))
            }
        );
    }
    let _ = write!(
        out,
        "\n✓ budget met, ✗ missed: performance ≥ {PERFORMANCE_BUDGET}, accessibility = {ACCESSIBILITY_BUDGET}, \
         best practices ≥ {BEST_PRACTICES_BUDGET}. Scores and times of each tab's median run."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "progress on stderr is not here\n\
        LINLI-LIGHTHOUSE\ttab=/requests\tperformance=63\taccessibility=100\tbest-practices=96\tfcp=1045\tlcp=4802\ttbt=799\truns=63,70,58\tbenchmark=1210\treport=/t/requests.report.html\n\
        LINLI-LIGHTHOUSE-ENV\tlighthouse=12.8.2\tbrowser=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\n\
        LINLI-LIGHTHOUSE-AUDIT\ttab=/circle\tcategory=accessibility\tid=target-size\tscore=0\ttitle=Touch targets do not have sufficient size or spacing.\texplanation=Fix any of the following:  Target has insufficient size\tcount=26\titems=div.a <div class=\"a\"> | div.b <div>\n\
        LINLI-LIGHTHOUSE-ERROR\ttab=/me\terror=NO_FCP: The page did not paint any content.\n\
        LINLI-LIGHTHOUSE-WARN\ttab=/requests\twarning=a run left out: NO_FCP\n";

    #[test]
    fn reads_the_script_lines() {
        let report = parse(OUTPUT);
        assert_eq!(report.lighthouse, "12.8.2");
        assert_eq!(browser_version(&report.browser), "Chromium 156.0.0.0");
        assert_eq!(
            report.tabs,
            vec![TabScores {
                tab: "/requests".into(),
                performance: Some(63),
                accessibility: Some(100),
                best_practices: Some(96),
                fcp_ms: Some(1045.0),
                lcp_ms: Some(4802.0),
                tbt_ms: Some(799.0),
                runs: "63,70,58".into(),
                benchmark: Some(1210),
                report: "/t/requests.report.html".into(),
            }]
        );
        assert_eq!(report.audits.len(), 1);
        assert_eq!(report.audits[0].id, "target-size");
        assert_eq!(report.audits[0].count, "26");
        assert!(report.audits[0].explanation.ends_with("insufficient size"));
        assert_eq!(
            report.audits[0].items,
            ["div.a <div class=\"a\">", "div.b <div>"]
        );
        assert_eq!(
            report.errors,
            [(
                "/me".to_owned(),
                "NO_FCP: The page did not paint any content.".to_owned()
            )]
        );
        assert_eq!(report.warnings.len(), 1);
    }

    #[test]
    fn judges_the_budgets() {
        let mut t = TabScores {
            performance: Some(90),
            accessibility: Some(100),
            best_practices: Some(95),
            ..TabScores::default()
        };
        assert!(t.missed().is_empty());
        t.performance = Some(89);
        t.accessibility = Some(99);
        t.best_practices = None;
        assert_eq!(
            t.missed(),
            ["performance", "accessibility", "best practices"]
        );
        assert_eq!(judged(Some(89), 90), "89 ✗");
        assert_eq!(judged(Some(100), 100), "100 ✓");
        assert_eq!(seconds(Some(1045.0)), "1.0 s");
        let printed = table(&parse(OUTPUT).tabs);
        assert!(printed.contains(
            "| /requests | 63 ✗ | 100 ✓ | 96 ✓ | 1.0 s | 4.8 s | 799 ms | 63,70,58 | 1210 | missed: performance |"
        ));
    }

    #[test]
    fn reads_options() {
        let o = Options::parse(&[]).unwrap();
        assert_eq!((o.runs, o.tabs.len(), o.keep), (3, 4, false));
        let args: Vec<String> = ["--", "--runs", "5", "--tab", "/me", "--keep"]
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        let o = Options::parse(&args).unwrap();
        assert_eq!((o.runs, o.tabs, o.keep), (5, vec!["/me".to_owned()], true));
        assert!(Options::parse(&["--runs".into(), "0".into()]).is_err());
        assert!(Options::parse(&["--tab".into(), "me".into()]).is_err());
    }
}
