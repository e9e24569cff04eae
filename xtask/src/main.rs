//! Linli's build orchestration, so that a fresh machine needs two commands:
//!
//! - `cargo xtask run`  — install missing tools, build the SPA in release, build the server,
//!   and serve everything (with the demo community) at http://127.0.0.1:3000;
//! - `cargo xtask test` — format check, clippy, unit and API tests, the release build, the
//!   Python tests (the Open311 client, the API fuzzer) and the browser tests, ending with one
//!   `N passed, N failed` line.
//!
//! Also `cargo xtask dist` (only build the SPA), `cargo xtask setup` (only install tools) and
//! `cargo xtask size` (the release assets' sizes, for BENCHMARKS.md).

mod bench;
mod import_names;
mod postgres;
mod size;
mod spa;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;
use tools::Toolchain;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "run" => run(&rest),
        "test" => test(),
        "dist" => Toolchain::ensure(&root()).and_then(|t| spa::build(&t)),
        "setup" => Toolchain::ensure(&root()).map(|_| ()),
        "size" => size::report(&root().join("dist")),
        "bench" => bench::run(&rest),
        "postgres" => postgres::with_server(&rest),
        _ => {
            eprintln!("usage: cargo xtask <run|test|dist|setup>");
            eprintln!("  run [-- server flags]  build everything and serve Linli with demo data");
            eprintln!("  test                   run every check and test");
            eprintln!("  dist                   build the SPA (release) into dist/");
            eprintln!("  setup                  install the pinned build tools only");
            eprintln!("  size                   print the release assets' raw and gzip sizes");
            eprintln!(
                "  postgres -- CMD…       run CMD with LINLI_TEST_POSTGRES naming a throwaway PostgreSQL"
            );
            eprintln!(
                "  bench                  load 100k requests and measure the request endpoints"
            );
            eprintln!(
                "  bench ballots          10,000 households vote at once: ballots/s, the tally, the result's time"
            );
            eprintln!(
                "  bench walk             walking areas and times on generated cities and Helsinki: p50/p99"
            );
            eprintln!(
                "  bench circle           GET /facilities over 10,000 facilities and GET /walk (demo, Helsinki) over HTTP"
            );
            eprintln!(
                "  bench map              the 服务圈 page's first render in headless Chromium (release build)"
            );
            eprintln!(
                "  bench lighthouse       Lighthouse (mobile, simulated throttling) on the four tabs: scores, FCP, LCP, TBT"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T> = std::result::Result<T, String>;

/// The workspace root (the folder above this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Prints a step header; long steps say so, since a first build takes minutes on 2 cores.
pub fn step(label: &str) {
    println!("\n==> {label}");
}

fn run(server_args: &[String]) -> Result<()> {
    let started = Instant::now();
    let tools = Toolchain::ensure(&root())?;
    spa::build(&tools)?;
    step("Building the server (release; the first time takes a few minutes)");
    tools.run(
        tools
            .cargo()
            .args(["build", "-p", "linli-server", "--profile", "server-release"]),
        "building the server",
    )?;
    let binary = root().join("target/server-release/linli-server");
    println!(
        "Ready in {:.0?}. Starting Linli (Ctrl-C stops it)...\n",
        started.elapsed()
    );
    let server_args: Vec<&String> = server_args.iter().skip_while(|a| *a == "--").collect();
    let status = Command::new(binary)
        .current_dir(root())
        .arg("--dist")
        .arg(root().join("dist"))
        .args(["--seed-demo", "true"])
        .args(server_args)
        .status()
        .map_err(|e| format!("could not start the server: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server stopped with {status}"))
    }
}

/// The outcome of the whole test command.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    /// Stages that failed as a whole (format, clippy, a build).
    broken: Vec<String>,
}

fn test() -> Result<()> {
    let started = Instant::now();
    let mut tally = Tally::default();
    // Whatever stops the pipeline early (a missing tool, say) still ends in the summary line.
    if let Err(e) = test_stages(&mut tally) {
        tally.broken.push(e);
    }
    println!("\nFinished in {:.0?}.", started.elapsed());
    for stage in &tally.broken {
        println!("  failed stage: {stage}");
    }
    println!("Screenshots: target/screenshots/");
    // Every stage that failed as a whole counts as one failed check.
    let failed = tally.failed + tally.broken.len() as u64;
    println!("{} passed, {} failed", tally.passed, failed);
    if failed == 0 {
        Ok(())
    } else {
        Err("some checks failed (see above)".into())
    }
}

fn test_stages(tally: &mut Tally) -> Result<()> {
    let tools = Toolchain::ensure(&root())?;
    let chromium = tools::ensure_chromium()?;

    step("[1/8] Format check (cargo fmt --check)");
    check_stage(
        tally,
        "format",
        tools.cargo().args(["fmt", "--all", "--check"]),
        &tools,
    );

    step("[2/8] Clippy, warnings denied (native crates)");
    check_stage(
        tally,
        "clippy (native)",
        tools.cargo().args([
            "clippy",
            "--workspace",
            "--exclude",
            "linli",
            "--all-targets",
            // The benchmarks' optional code is linted too.
            "--features",
            "xtask/walk-bench",
            "--",
            "-D",
            "warnings",
        ]),
        &tools,
    );

    step("[3/8] Clippy, warnings denied (SPA, wasm32)");
    check_stage(
        tally,
        "clippy (wasm)",
        tools.cargo().args([
            "clippy",
            "-p",
            "linli",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
        &tools,
    );

    step("[4/8] Unit and API tests (cargo test; each API test has its own SQLite file)");
    let (passed, failed, ok) = counted_run(
        tools.cargo().args([
            "test",
            "--workspace",
            "--exclude",
            "linli",
            "--no-fail-fast",
        ]),
        parse_cargo_test_line,
    )?;
    tally.passed += passed;
    tally.failed += failed;
    if !ok && failed == 0 {
        tally.broken.push("cargo test (build)".into());
    }

    step(
        "[5/8] The server's unit and API tests again on PostgreSQL (a throwaway server; each test has its own database)",
    );
    match postgres::Server::start(false) {
        Ok(server) => {
            let (passed, failed, ok) = counted_run(
                tools
                    .cargo()
                    .args([
                        "test",
                        "-p",
                        "linli-server",
                        "--lib",
                        "--test",
                        "api",
                        "--no-fail-fast",
                    ])
                    .env(postgres::TEST_URL_VAR, server.url()),
                parse_cargo_test_line,
            )?;
            tally.passed += passed;
            tally.failed += failed;
            if !ok && failed == 0 {
                tally.broken.push("API tests on PostgreSQL (build)".into());
            }
        }
        Err(e) => tally.broken.push(format!("PostgreSQL: {e}")),
    }

    step(
        "[6/8] Release build of the SPA, and the server binary (debug) for the Open311 and browser tests",
    );
    spa::build(&tools)?;
    first_load_check(tally)?;
    tools.run(
        tools.cargo().args(["build", "-p", "linli-server"]),
        "building the server",
    )?;

    step(
        "[7/8] Python tests against the server binary: the Open311 client (georeport) and the API fuzzer (schemathesis)",
    );
    for suite in PYTHON_SUITES {
        match python_tests(suite) {
            Ok((passed, failed, ok)) => {
                tally.passed += passed;
                tally.failed += failed;
                if !ok && failed == 0 {
                    tally.broken.push(format!("tests/{suite} (runner)"));
                }
            }
            Err(e) => tally.broken.push(e),
        }
    }

    step("[8/8] Browser tests (headless Chromium against the server binary and the release SPA)");
    let (passed, failed, ok) = browser_tests(&tools, &chromium)?;
    tally.passed += passed;
    tally.failed += failed;
    if !ok && failed == 0 {
        tally.broken.push("browser tests (runner)".into());
    }
    Ok(())
}

/// Each tab's first load, compressed as the server sends it, printed against the budget and
/// checked against its ceiling (`size::first_load_ceiling`): the budget itself, or for 服务圈,
/// still over it (see BENCHMARKS.md), a ceiling that keeps a change from making it worse unseen.
fn first_load_check(tally: &mut Tally) -> Result<()> {
    for load in size::first_loads(&root().join("dist"))? {
        let ceiling = size::first_load_ceiling(load.tab);
        let within = load.brotli <= ceiling;
        println!(
            "first load of {}: {} B brotli, {} B gzip ({} the {} B budget; {} its {} B ceiling)",
            load.tab,
            load.brotli,
            load.gzip,
            if load.brotli <= size::FIRST_LOAD_BUDGET {
                "within"
            } else {
                "OVER"
            },
            size::FIRST_LOAD_BUDGET,
            if within { "within" } else { "FAILED: over" },
            ceiling,
        );
        if within {
            tally.passed += 1;
        } else {
            tally.failed += 1;
        }
    }
    Ok(())
}

fn check_stage(tally: &mut Tally, name: &str, command: &mut Command, tools: &Toolchain) {
    match tools.run(command, name) {
        Ok(()) => tally.passed += 1,
        Err(_) => tally.broken.push(name.to_owned()),
    }
}

fn browser_tests(tools: &Toolchain, chromium: &Path) -> Result<(u64, u64, bool)> {
    let dir = root().join("tests/browser");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    let tap = root().join("target/browser-tests.tap");
    let _ = std::fs::remove_file(&tap);
    let mut command = tools.command("node");
    command
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg("--test-reporter-destination=stdout")
        .arg("--test-reporter=tap")
        .arg(format!("--test-reporter-destination={}", tap.display()))
        .args(&files)
        .env("LINLI_SERVER_BIN", root().join("target/debug/linli-server"))
        .env("LINLI_DIST", root().join("dist"))
        .env("LINLI_SCREENSHOTS", root().join("target/screenshots"))
        .env("LINLI_CHROMIUM", chromium);
    let ok = tools.run(&mut command, "browser tests").is_ok();
    let report = std::fs::read_to_string(&tap).unwrap_or_default();
    let count = |key: &str| {
        report
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok((
        count("# pass "),
        count("# fail ") + count("# cancelled "),
        ok,
    ))
}

/// The Python test suites, each a folder of `tests/` with its own pinned `requirements.txt`:
/// the Open311 client `georeport`, and the API fuzzer `schemathesis`.
const PYTHON_SUITES: [&str; 2] = ["open311", "fuzz"];

/// `tests/<suite>/`, in a venv of its own at `target/<suite>-venv` with its pinned
/// requirements, run with `python3 -m unittest` against the debug server binary. Returns
/// (passed, failed, ran cleanly).
fn python_tests(suite: &str) -> Result<(u64, u64, bool)> {
    let venv = root().join(format!("target/{suite}-venv"));
    let python = venv.join("bin/python");
    let hint = "the Python tests need Python 3 with venv (`apt-get install -y python3-venv`)";
    if !python.is_file() {
        println!(
            "Creating {} and installing its pinned requirements",
            venv.display()
        );
        let created = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .map_err(|e| format!("{hint}: {e}"))?;
        if !created.success() {
            return Err(hint.into());
        }
    }
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(root().join(format!("tests/{suite}/requirements.txt")))
        .status()
        .map_err(|e| format!("pip: {e}"))?;
    if !installed.success() {
        return Err(format!("installing tests/{suite}/requirements.txt failed"));
    }
    // Where `cargo build -p linli-server` (stage 5) put the binary.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .and_then(|dir| std::path::absolute(dir).ok())
        .unwrap_or_else(|| root().join("target"));
    let output = Command::new(&python)
        .current_dir(root())
        .args(["-m", "unittest", "discover", "-v", "-s"])
        .arg(format!("tests/{suite}"))
        .env("LINLI_SERVER_BIN", target.join("debug/linli-server"))
        .output()
        .map_err(|e| format!("could not run tests/{suite}: {e}"))?;
    // unittest reports on stderr.
    let report = String::from_utf8_lossy(&output.stderr);
    print!("{}{report}", String::from_utf8_lossy(&output.stdout));
    let (passed, failed) = parse_unittest_report(&report);
    Ok((passed, failed, output.status.success()))
}

/// `Ran 6 tests` and `FAILED (failures=1, errors=1, skipped=1)` → (3, 2).
fn parse_unittest_report(report: &str) -> (u64, u64) {
    let ran = report
        .lines()
        .find_map(|l| {
            l.strip_prefix("Ran ")?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    let count = |key: &str| -> u64 {
        report
            .lines()
            .filter(|l| l.starts_with("FAILED (") || l.starts_with("OK ("))
            .flat_map(|l| l.split(['(', ')', ',']))
            .filter_map(|part| part.trim().strip_prefix(key)?.parse::<u64>().ok())
            .sum()
    };
    let failed = count("failures=") + count("errors=") + count("unexpected successes=");
    let skipped = count("skipped=") + count("expected failures=");
    (ran.saturating_sub(failed + skipped), failed)
}

/// Runs a command, echoing its output, and adds up the pass/fail counts `parse` finds in it.
fn counted_run(
    command: &mut Command,
    parse: fn(&str) -> Option<(u64, u64)>,
) -> Result<(u64, u64, bool)> {
    use std::io::{BufRead, BufReader};
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {command:?}: {e}"))?;
    let (mut passed, mut failed) = (0, 0);
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            if let Some((p, f)) = parse(&line) {
                passed += p;
                failed += f;
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((passed, failed, status.success()))
}

/// `test result: ok. 18 passed; 0 failed; ...` → (18, 0).
fn parse_cargo_test_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("test result: ")?;
    let number_before = |word: &str| {
        rest.split(';')
            .find_map(|part| part.trim().strip_suffix(word).map(str::trim))
            .and_then(|n| n.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    Some((number_before(" passed")?, number_before(" failed")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_test_summaries() {
        assert_eq!(
            parse_cargo_test_line(
                "test result: ok. 18 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            Some((18, 0))
        );
        assert_eq!(
            parse_cargo_test_line("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured"),
            Some((3, 2))
        );
        assert_eq!(parse_cargo_test_line("running 3 tests"), None);
    }

    #[test]
    fn reads_unittest_reports() {
        let ok = "test_a ... ok\n\n----\nRan 6 tests in 0.873s\n\nOK\n";
        assert_eq!(parse_unittest_report(ok), (6, 0));
        let skipped = "Ran 6 tests in 0.1s\n\nOK (skipped=2)\n";
        assert_eq!(parse_unittest_report(skipped), (4, 0));
        let failed = "Ran 6 tests in 0.1s\n\nFAILED (failures=1, errors=2, skipped=1)\n";
        assert_eq!(parse_unittest_report(failed), (2, 3));
        let odd = "Ran 3 tests in 0.1s\n\nOK (expected failures=1, unexpected successes=1)\n";
        assert_eq!(parse_unittest_report(odd), (1, 1));
        assert_eq!(parse_unittest_report("Traceback: no server"), (0, 0));
    }
}
