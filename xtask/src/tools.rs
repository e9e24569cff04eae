//! The pinned build tools: checked, installed when missing, and put first on PATH for every
//! command xtask runs. Versions must match each other exactly (see TOOLCHAIN notes in
//! ARCHITECTURE.md): the wasm-bindgen CLI equals the `wasm-bindgen` crate in Cargo.lock.

use crate::{Result, step};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

pub struct Toolchain {
    root: PathBuf,
    path: String,
}

impl Toolchain {
    /// Makes sure every tool the build needs is present, installing what is missing.
    pub fn ensure(root: &Path) -> Result<Self> {
        let cargo_bin = cargo_home().join("bin");
        let npm_bin = root.join("node_modules/.bin");
        // Our pinned wasm-opt (npm binaryen 132) must win over any system one: Debian's 108
        // silently produces a module that fails in the browser.
        let path = std::env::join_paths([npm_bin, cargo_bin].into_iter().chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .map_err(|e| e.to_string())?
        .to_string_lossy()
        .into_owned();
        let tools = Toolchain {
            root: root.to_path_buf(),
            path,
        };
        tools.ensure_wasm_target()?;
        tools.ensure_components()?;
        // Without --locked: the CLI's own lock file names a crate version the registry lacks.
        tools.ensure_cargo_tool(
            "wasm-bindgen",
            WASM_BINDGEN_VERSION,
            &[
                "install",
                "wasm-bindgen-cli",
                "--version",
                WASM_BINDGEN_VERSION,
            ],
            "about 5 minutes",
        )?;
        tools.ensure_npm_packages()?;
        Ok(tools)
    }

    /// A command run from the workspace root with the tools on PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("PATH", &self.path);
        command
    }

    pub fn cargo(&self) -> Command {
        self.command(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
    }

    /// Runs a command to completion; `what` names it in the error.
    pub fn run(&self, command: &mut Command, what: &str) -> Result<()> {
        let status = command
            .status()
            .map_err(|e| format!("{what}: could not start {:?}: {e}", command.get_program()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{what} failed ({status})"))
        }
    }

    fn output(&self, program: &str, args: &[&str]) -> Option<String> {
        let output = self.command(program).args(args).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn ensure_wasm_target(&self) -> Result<()> {
        let installed = self
            .output("rustup", &["target", "list", "--installed"])
            .ok_or(
                "rustup is needed (https://rustup.rs) to add the wasm32-unknown-unknown target",
            )?;
        if installed.lines().any(|l| l.trim() == WASM_TARGET) {
            return Ok(());
        }
        // These machines set RUSTUP_AUTO_INSTALL=0: rust-toolchain.toml alone installs nothing.
        step(&format!("Adding the Rust target {WASM_TARGET}"));
        self.run(
            self.command("rustup").args(["target", "add", WASM_TARGET]),
            "rustup target add",
        )
    }

    /// rustfmt and clippy, which a minimal rustup profile leaves out.
    fn ensure_components(&self) -> Result<()> {
        let present = |sub: &str| self.output("cargo", &[sub, "--version"]).is_some();
        if present("fmt") && present("clippy") {
            return Ok(());
        }
        step("Adding the rustfmt and clippy components");
        self.run(
            self.command("rustup")
                .args(["component", "add", "rustfmt", "clippy"]),
            "rustup component add",
        )
    }

    fn ensure_cargo_tool(
        &self,
        binary: &str,
        version: &str,
        install: &[&str],
        duration: &str,
    ) -> Result<()> {
        let current = self.output(binary, &["--version"]).unwrap_or_default();
        if current.split_whitespace().nth(1) == Some(version) {
            return Ok(());
        }
        step(&format!(
            "Installing {binary} {version} with cargo ({duration} on 2 cores, once per machine)"
        ));
        self.run(
            self.cargo().args(install),
            &format!("installing {binary} {version}"),
        )
    }

    fn ensure_npm_packages(&self) -> Result<()> {
        if self.output("node", &["--version"]).is_none()
            || self.output("npm", &["--version"]).is_none()
        {
            return Err(
                "Node.js and npm are needed (for wasm-opt and the browser tests): \
                        install Node.js 20 or newer, e.g. `apt-get install -y nodejs npm`"
                    .into(),
            );
        }
        let lock = self.root.join("package-lock.json");
        let installed = self.root.join("node_modules/.package-lock.json");
        let fresh = match (modified(&lock), modified(&installed)) {
            (Some(lock), Some(installed)) => installed >= lock,
            _ => false,
        };
        if fresh && self.root.join("node_modules/.bin/wasm-opt").exists() {
            return Ok(());
        }
        step(
            "Installing npm packages from package-lock.json (binaryen's wasm-opt, esbuild, Playwright, Lighthouse)",
        );
        self.run(
            self.command("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]),
            "npm ci",
        )
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// The Chromium the browser tests drive: `LINLI_CHROMIUM`, or Debian's, installed with apt-get
/// when we are root and it is missing.
pub fn ensure_chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("LINLI_CHROMIUM").map(PathBuf::from) {
        return if path.exists() {
            Ok(path)
        } else {
            Err(format!("LINLI_CHROMIUM={} does not exist", path.display()))
        };
    }
    let chromium = PathBuf::from("/usr/bin/chromium");
    if chromium.exists() {
        return Ok(chromium);
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    let hint = "the browser tests need Chromium: `apt-get install -y chromium chromium-driver fonts-noto-cjk` \
                (or set LINLI_CHROMIUM to a Chromium binary)";
    if !is_root {
        return Err(hint.into());
    }
    step("Installing Chromium and a CJK font with apt-get (about a minute)");
    let ok = Command::new("sh")
        .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok && chromium.exists() {
        Ok(chromium)
    } else {
        Err(hint.into())
    }
}
