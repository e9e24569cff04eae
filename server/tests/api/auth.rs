//! `/auth/*` and `/me`: registration, login, sessions, logout, throttling.

use crate::helpers::{
    CLIENT_ADDR, GOOD_PASSWORD, assert_problem, field_errors, me_with_token, retry_after,
    session_cookie, set_cookie_header, spawn_app_unseeded,
};
use linli_server::auth::session::token_hash;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn register_creates_a_resident_signs_in_and_sets_a_safe_cookie() {
    let app = spawn_app_unseeded().await;

    let resp = app
        .post_json(
            "/auth/register",
            &json!({ "phone": "+86 138 1234 5678", "password": GOOD_PASSWORD,
                     "privacy_consent": true }),
        )
        .await;

    assert_eq!(resp.status(), StatusCode::CREATED);
    let raw_cookie = set_cookie_header(resp.headers()).expect("a session cookie is set");
    let attributes: Vec<String> = raw_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for expected in ["httponly", "samesite=lax", "path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing from {raw_cookie:?}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a == "secure"),
        "not Secure when secure_cookies is off: {raw_cookie:?}"
    );
    let token = session_cookie(resp.headers()).expect("cookie value");
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["phone"], "13812345678", "the number is normalised: {me}");
    assert_eq!(me["role"], "resident");
    assert_eq!(me["display_name"], "138****5678", "default name: {me}");
    assert_eq!(me["households"], json!([]));

    // The database: one resident, an argon2id hash (never the password), one session stored
    // as the SHA-256 of the cookie's token.
    let (id, phone, hash, role): (i64, String, String, String) =
        sqlx::query_as("SELECT id, phone, password_hash, role FROM users")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(me["id"], json!(id));
    assert_eq!(phone, "13812345678");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(GOOD_PASSWORD));
    assert_eq!(role, "resident");
    let sessions: Vec<(String, i64)> = sqlx::query_as("SELECT token_hash, user_id FROM sessions")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions, vec![(token_hash(&token), id)]);

    // The cookie signs the browser in.
    let me_again = app.me().await;
    assert_eq!(me_again.status(), StatusCode::OK);
    assert_eq!(me_again.json::<Value>().await.unwrap(), me);
}

#[tokio::test]
async fn register_with_a_taken_number_is_a_conflict_and_writes_nothing() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;

    // The same number typed differently is the same number.
    let other = app.new_browser();
    let resp = other.register("138-1234-5678", "another2026pw").await;

    assert!(set_cookie_header(resp.headers()).is_none());
    let body = assert_problem(resp, 409, "phone_taken").await;
    assert_eq!(
        field_errors(&body),
        vec![("phone".to_owned(), "phone_taken".to_owned())]
    );
    assert_eq!(app.count("users", "").await, 1);
    assert_eq!(app.count("sessions", "").await, 1);
}

#[tokio::test]
async fn register_lists_every_refused_field_at_once_and_writes_nothing() {
    let app = spawn_app_unseeded().await;

    let resp = app
        .post_json(
            "/auth/register",
            &json!({ "phone": "12345", "password": "abc12", "display_name": "<b>王</b>" }),
        )
        .await;

    assert!(set_cookie_header(resp.headers()).is_none());
    let body = assert_problem(resp, 422, "phone_invalid").await;
    assert_eq!(
        field_errors(&body),
        vec![
            ("display_name".to_owned(), "display_name_invalid".to_owned()),
            ("password".to_owned(), "password_too_short".to_owned()),
            ("phone".to_owned(), "phone_invalid".to_owned()),
            ("privacy_consent".to_owned(), "consent_required".to_owned()),
        ],
        "{body}"
    );
    assert_eq!(app.count("users", "").await, 0);
    assert_eq!(app.count("sessions", "").await, 0);
}

#[tokio::test]
async fn register_refuses_weak_passwords_and_missing_fields() {
    let app = spawn_app_unseeded().await;
    let cases = [
        // The number itself, or its last eight digits, inside the password.
        (
            "13812345678",
            "ab13812345678",
            "password",
            "password_contains_phone",
        ),
        (
            "13812345678",
            "pw12345678",
            "password",
            "password_contains_phone",
        ),
        (
            "13812345678",
            "Password1",
            "password",
            "password_too_common",
        ),
        (
            "13812345678",
            "abcdefghij",
            "password",
            "password_needs_letter_and_digit",
        ),
        ("13812345678", "", "password", "required"),
        ("", GOOD_PASSWORD, "phone", "required"),
        ("12800138000", GOOD_PASSWORD, "phone", "phone_invalid"),
    ];
    for (phone, password, field, code) in cases {
        let resp = app.register(phone, password).await;
        let body = assert_problem(resp, 422, code).await;
        assert_eq!(
            field_errors(&body),
            vec![(field.to_owned(), code.to_owned())],
            "{phone:?} / {password:?}: {body}"
        );
    }
    assert_eq!(app.count("users", "").await, 0);
    assert_eq!(app.count("sessions", "").await, 0);
}

#[tokio::test]
async fn login_with_the_right_password_signs_in() {
    let app = spawn_app_unseeded().await;
    let registered = app.register_ok("13812345678").await;

    let browser = app.new_browser();
    assert_problem(browser.me().await, 401, "unauthorized").await;
    let resp = browser.login("138 1234 5678", GOOD_PASSWORD).await;

    assert_eq!(resp.status(), StatusCode::OK);
    let token = session_cookie(resp.headers()).expect("login sets a session cookie");
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me, registered);
    let me_now = browser.me().await;
    assert_eq!(me_now.status(), StatusCode::OK);
    assert_eq!(me_now.json::<Value>().await.unwrap(), registered);
    // Two browsers, two sessions: the registration's and the login's.
    assert_eq!(app.count("sessions", "").await, 2);
    assert_eq!(
        app.count(
            "sessions",
            &format!("token_hash = '{}'", token_hash(&token))
        )
        .await,
        1
    );
    assert_eq!(app.failed_guesses().await, 0);
}

#[tokio::test]
async fn wrong_password_and_unknown_number_get_the_same_answer() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;
    let browser = app.new_browser();

    let wrong = browser.login("13812345678", "not-the-password-1").await;
    assert!(set_cookie_header(wrong.headers()).is_none());
    let wrong = assert_problem(wrong, 401, "wrong_credentials").await;
    let unknown = browser.login("13987654321", GOOD_PASSWORD).await;
    assert!(set_cookie_header(unknown.headers()).is_none());
    let unknown = assert_problem(unknown, 401, "wrong_credentials").await;

    assert_eq!(wrong, unknown, "nothing tells who has an account");
    assert_problem(browser.me().await, 401, "unauthorized").await;
    assert_eq!(
        app.count("sessions", "").await,
        1,
        "only the registration's"
    );
    // Each failure counts against its number and against the address.
    assert_eq!(app.failures("login_account", "13812345678").await, 1);
    assert_eq!(app.failures("login_account", "13987654321").await, 1);
    assert_eq!(app.failures("login_address", CLIENT_ADDR).await, 2);
}

#[tokio::test]
async fn login_rotates_the_session_and_ends_the_old_one() {
    let app = spawn_app_unseeded().await;
    let resp = app.register("13812345678", GOOD_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let old = session_cookie(resp.headers()).expect("registration cookie");
    assert_eq!(me_with_token(&app, &old).await.status(), StatusCode::OK);

    // Logging in again from the same browser (which sends the old cookie).
    let resp = app.login("13812345678", GOOD_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let new = session_cookie(resp.headers()).expect("a new cookie");

    assert_ne!(old, new);
    assert_problem(me_with_token(&app, &old).await, 401, "unauthorized").await;
    assert_eq!(me_with_token(&app, &new).await.status(), StatusCode::OK);
    assert_eq!(app.me().await.status(), StatusCode::OK);
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, vec![token_hash(&new)]);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app_unseeded().await;
    let resp = app.register("13812345678", GOOD_PASSWORD).await;
    let token = session_cookie(resp.headers()).expect("cookie");
    assert_eq!(app.me().await.status(), StatusCode::OK);

    let resp = app.logout().await;

    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let removal = set_cookie_header(resp.headers()).expect("the cookie is cleared");
    assert!(
        removal.to_ascii_lowercase().contains("max-age=0")
            || removal.to_ascii_lowercase().contains("expires="),
        "{removal}"
    );
    assert_problem(app.me().await, 401, "unauthorized").await;
    // Not only forgotten by the browser: the token itself no longer works.
    assert_problem(me_with_token(&app, &token).await, 401, "unauthorized").await;
    assert_eq!(app.count("sessions", "").await, 0);
    assert_eq!(app.count("users", "").await, 1, "the account stays");

    // Logging out without a session is harmless.
    assert_eq!(app.logout().await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_session_of_the_account_and_no_other() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;
    // The same account signed in on a second phone, and somebody else on a third.
    let other_phone = app.new_browser();
    let token = session_cookie(
        other_phone
            .login("13812345678", GOOD_PASSWORD)
            .await
            .headers(),
    )
    .expect("cookie");
    let neighbour = app.new_browser();
    neighbour.register_ok("13812345679").await;
    assert_eq!(me_with_token(&app, &token).await.status(), StatusCode::OK);

    let resp = app.post_json("/auth/logout-everywhere", &json!({})).await;

    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(
        set_cookie_header(resp.headers()).is_some(),
        "this browser's cookie is cleared"
    );
    assert_problem(app.me().await, 401, "unauthorized").await;
    assert_problem(me_with_token(&app, &token).await, 401, "unauthorized").await;
    assert_problem(other_phone.me().await, 401, "unauthorized").await;
    assert_eq!(
        neighbour.me().await.status(),
        StatusCode::OK,
        "others stay signed in"
    );
    assert_eq!(app.count("sessions", "").await, 1);

    // Without a session there is nothing to end.
    let resp = app.post_json("/auth/logout-everywhere", &json!({})).await;
    assert_problem(resp, 401, "unauthorized").await;
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_one() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;
    app.new_browser().register_ok("13987654321").await;
    let attacker = app.new_browser();

    for attempt in 1..=5 {
        let resp = attacker
            .login("13812345678", &format!("guess{attempt}xyz"))
            .await;
        assert_problem(resp, 401, "wrong_credentials").await;
    }
    let resp = attacker.login("13812345678", GOOD_PASSWORD).await;

    assert!(set_cookie_header(resp.headers()).is_none());
    let wait = retry_after(resp.headers());
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(app.failures("login_account", "13812345678").await, 5);
    assert_eq!(
        app.count("sessions", "").await,
        2,
        "only the registrations'"
    );

    // The owner of the account, from another browser, is locked out too...
    let owner = app.new_browser();
    assert_problem(
        owner.login("13812345678", GOOD_PASSWORD).await,
        429,
        "too_many_attempts",
    )
    .await;
    // ...but the address is under its own limit: another account still signs in from it.
    let neighbour = app.new_browser();
    let resp = neighbour.login("13987654321", GOOD_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(neighbour.me().await.status(), StatusCode::OK);
}

#[tokio::test]
async fn twenty_failures_across_numbers_lock_the_address() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;
    let attacker = app.new_browser();

    // Twenty different numbers, one wrong guess each: no account reaches its own limit.
    for i in 0..20 {
        let phone = format!("1370000{i:04}");
        let resp = attacker.login(&phone, GOOD_PASSWORD).await;
        assert_problem(resp, 401, "wrong_credentials").await;
    }
    assert_eq!(app.failures("login_address", CLIENT_ADDR).await, 20);

    let resp = app.new_browser().login("13812345678", GOOD_PASSWORD).await;
    let wait = retry_after(resp.headers());
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(
        app.count("sessions", "").await,
        1,
        "only the registration's"
    );
    assert_eq!(
        app.failures("login_address", CLIENT_ADDR).await,
        20,
        "a refused attempt is not counted again"
    );
}

#[tokio::test]
async fn a_successful_login_clears_the_accounts_failures() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;
    let browser = app.new_browser();
    for _ in 0..4 {
        assert_problem(
            browser.login("13812345678", "wrong2026pw").await,
            401,
            "wrong_credentials",
        )
        .await;
    }
    assert_eq!(
        browser.login("13812345678", GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.failures("login_account", "13812345678").await, 0);
    // A fresh allowance: four more mistakes are still not a lock.
    for _ in 0..4 {
        assert_problem(
            browser.login("13812345678", "wrong2026pw").await,
            401,
            "wrong_credentials",
        )
        .await;
    }
    assert_eq!(
        browser.login("13812345678", GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn session_is_null_for_a_visitor_and_me_when_signed_in() {
    let app = spawn_app_unseeded().await;

    let resp = app.get("/auth/session").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({ "me": null, "unknown_address": false })
    );

    // A stale or forged cookie is a visitor too, not an error.
    let resp = crate::helpers::bare_client()
        .get(app.api("/auth/session"))
        .header("cookie", "linli_session=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({ "me": null, "unknown_address": false })
    );

    let me = app.register_ok("13812345678").await;
    let resp = app.get("/auth/session").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({ "me": me, "unknown_address": false })
    );

    app.logout().await;
    let resp = app.get("/auth/session").await;
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({ "me": null, "unknown_address": false })
    );
}

#[tokio::test]
async fn me_without_a_session_is_401() {
    let app = spawn_app_unseeded().await;
    assert_problem(app.me().await, 401, "unauthorized").await;
    assert_problem(me_with_token(&app, "0123abcd").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn login_input_errors_are_422_and_not_counted_as_guesses() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;

    let body = assert_problem(app.login("123", GOOD_PASSWORD).await, 422, "phone_invalid").await;
    assert_eq!(
        field_errors(&body),
        vec![("phone".to_owned(), "phone_invalid".to_owned())]
    );
    let body = assert_problem(app.login("13812345678", "").await, 422, "required").await;
    assert_eq!(
        field_errors(&body),
        vec![("password".to_owned(), "required".to_owned())]
    );

    assert_eq!(app.failed_guesses().await, 0);
}

#[tokio::test]
async fn an_expired_session_is_not_honoured() {
    let app = spawn_app_unseeded().await;
    let me = app.register_ok("13812345678").await;
    // Expired in the database before the server first looks the session up (a looked-up
    // session is kept in memory with its expiry; `store::sessions` tests that one).
    sqlx::query("UPDATE sessions SET expires_at = created_at - 1")
        .execute(&app.db)
        .await
        .unwrap();

    assert_problem(app.me().await, 401, "unauthorized").await;
    let resp = app.get("/auth/session").await;
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({ "me": null, "unknown_address": false })
    );
    // Signing in again works and gives a live session.
    assert_eq!(
        app.login("13812345678", GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.me().await.json::<Value>().await.unwrap(), me);
}

#[tokio::test]
async fn parallel_wrong_passwords_cannot_slip_under_the_limit() {
    let app = spawn_app_unseeded().await;
    app.register_ok("13812345678").await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let browser = app.new_browser();
        guesses.spawn(async move {
            browser
                .login("13812345678", "wrong-guess-1")
                .await
                .status()
                .as_u16()
        });
    }
    let statuses = guesses.join_all().await;

    // Each attempt is counted before its password is checked, atomically with the limit test:
    // exactly the limit's worth of guesses are checked, the rest are refused.
    assert_eq!(
        statuses.iter().filter(|&&s| s == 401).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        5,
        "{statuses:?}"
    );
}
