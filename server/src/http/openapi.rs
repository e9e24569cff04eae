//! The OpenAPI 3.1 document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`. A route added here is documented; a route not added here does not exist.

use super::AppState;
use super::upload::UPLOAD_BODY_LIMIT;
use crate::api;
use axum::extract::DefaultBodyLimit;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Linli 邻里 API",
        description = "The community app's REST API. Errors are application/problem+json (RFC 9457); \
                       messages follow Accept-Language (zh-CN by default, en).",
    ),
    modifiers(&SessionCookie),
    tags(
        (name = "system", description = "Health"),
        (name = "auth", description = "Accounts and sessions"),
        (name = "me", description = "The signed-in resident and their household"),
        (name = "community", description = "Public facts about the community"),
        (name = "requests", description = "Service requests (办事): the catalogue, submitting, tracking, handling"),
        (name = "consultations", description = "Consultations (议事): proposals, co-signatures, deliberation, votes, results"),
        (name = "service circle", description = "The 15-minute service circle (服务圈): facilities, the walking network, walking areas"),
        (name = "administration", description = "For admins: the access log of residents' personal data"),
    )
)]
struct ApiDoc;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::COOKIE_NAME,
            ))),
        );
    }
}

/// The answers any operation can give before its handler runs, added to every operation
/// that can give them, so that the document lists every status a client may see: 401 where a
/// session is required, 400 for a path or query parameter that is not of its type, 404 for a
/// path naming nothing there, 400 and 415 for a body that is not JSON or not well-formed.
pub fn document_common_answers(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let needs_session = operation.security.as_ref().is_some_and(|requirements| {
                // `security(("session" = []))` requires one; `security((), ("session" = []))`
                // (an empty requirement among them) makes it optional.
                let requirements = serde_json::to_value(requirements).unwrap_or_default();
                requirements.as_array().is_some_and(|all| {
                    !all.is_empty()
                        && all
                            .iter()
                            .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
                })
            });
            let parameters = operation.parameters.as_deref().unwrap_or_default();
            let has_parameters = !parameters.is_empty();
            let names_a_thing = parameters
                .iter()
                .any(|p| p.parameter_in == ParameterIn::Path);
            let takes_json = operation
                .request_body
                .as_ref()
                .is_some_and(|body| body.content.contains_key("application/json"));
            let answers = &mut operation.responses.responses;
            if needs_session {
                add_problem(answers, "401", "Not signed in, or the session has ended");
            }
            if has_parameters || takes_json {
                add_problem(
                    answers,
                    "400",
                    "A parameter that is not of its type, or a body that is not well-formed JSON",
                );
            }
            if names_a_thing {
                add_problem(answers, "404", "Nothing of that kind has this number");
            }
            if takes_json {
                add_problem(
                    answers,
                    "415",
                    "A body that is not sent as application/json",
                );
            }
        }
    }
}

fn add_problem(
    answers: &mut std::collections::BTreeMap<String, RefOr<Response>>,
    status: &str,
    description: &str,
) {
    answers.entry(status.to_owned()).or_insert_with(|| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
            .into()
    });
}

pub fn api_router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(api::health::health))
        .routes(routes!(api::auth::register))
        .routes(routes!(api::auth::login))
        .routes(routes!(api::auth::logout))
        .routes(routes!(api::auth::logout_everywhere))
        .routes(routes!(api::auth::session))
        .routes(routes!(api::me::me, api::personal::correct))
        .routes(routes!(api::personal::my_data))
        .routes(routes!(api::personal::delete_account))
        .routes(routes!(api::me::bind_household))
        .routes(routes!(api::community::overview))
        .routes(routes!(api::requests::categories))
        .routes(routes!(api::requests::figures))
        .routes(routes!(api::requests::public_list))
        .routes(routes!(api::community::map))
        .routes(routes!(api::requests::mine))
        .routes(routes!(api::requests::detail))
        .routes(routes!(api::requests::add_note))
        .routes(routes!(api::requests::queue))
        .routes(routes!(api::access::open_contact))
        .routes(routes!(api::access::access_log))
        .routes(routes!(api::follows::similar))
        .routes(routes!(api::follows::follow, api::follows::unfollow))
        .routes(routes!(api::photos::photo))
        .routes(routes!(
            api::consultations::list,
            api::consultations::propose
        ))
        .routes(routes!(api::consultations::detail))
        .routes(routes!(api::consultations::cosign))
        .routes(routes!(api::consultations::review))
        .routes(routes!(api::consultations::comment))
        .routes(routes!(api::consultations::hide_comment))
        .routes(routes!(api::consultations::open_vote))
        .routes(routes!(api::consultations::vote))
        .routes(routes!(api::consultations::close))
        .routes(routes!(api::consultations::result_csv))
        .routes(routes!(api::results::roll))
        .routes(routes!(api::results::correct))
        .routes(routes!(api::deliberation::document))
        .routes(routes!(api::deliberation::report_comment))
        .routes(routes!(api::deliberation::extend))
        .routes(routes!(api::consultations::post_update))
        .routes(routes!(api::facilities::list))
        .routes(routes!(api::facilities::detail))
        .routes(routes!(api::facilities::network))
        .routes(routes!(api::facilities::base))
        .routes(routes!(api::facilities::walk))
        .routes(routes!(api::facilities::create))
        .routes(routes!(api::facilities::update))
        .routes(routes!(api::facilities::retire))
        .routes(routes!(api::consultations::rate));
    // The bodies that may carry photos get a larger limit than every other body.
    let uploads = OpenApiRouter::new()
        .routes(routes!(api::requests::create))
        .routes(routes!(api::requests::act))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    // Documents are larger still; only staff send them.
    let documents = OpenApiRouter::new()
        .routes(routes!(api::deliberation::attach_document))
        .layer(DefaultBodyLimit::max(
            api::deliberation::DOCUMENT_BODY_LIMIT,
        ));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1.merge(uploads).merge(documents))
}
