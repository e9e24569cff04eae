// `sqlx::migrate!` embeds server/migrations at compile time: build again when a migration is
// added or changed, not only when Rust code changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
