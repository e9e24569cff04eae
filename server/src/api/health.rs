//! Liveness and readiness in one: the server answers and its database does too.

use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use linli_domain::api::Health;

#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = sqlx::query("SELECT 1").execute(&state.db).await.is_ok();
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if db_ok { "ok" } else { "degraded" }.to_owned(),
            database: if db_ok { "ok" } else { "unavailable" }.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }),
    )
}
