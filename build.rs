//! Generates the `i18n` module from `locales/*.json` (zh-CN first, English second); keys are
//! checked at compile time, and a key missing from one locale fails the build's diagnostics.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?).join("i18n");
    // interpolate_display: numbers and names go into sentences with `t_string!`.
    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new("zh-CN")?
        .add_locale("en")?
        .parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
