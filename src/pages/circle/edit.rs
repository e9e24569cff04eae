//! Staff keeping the service circle current: adding a facility (`/circle/facilities/new`,
//! coordinates carried from a point picked on the map) and editing one
//! (`/circle/facilities/:id/edit`). The shared rules refuse what they can at once; the server
//! adds whether the hours parse and whether the point lies in the community.

use super::labels;
use crate::api::{self, ApiError};
use crate::components::errors::{FieldMessage, FormErrors, show_errors};
use crate::components::field::Field;
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::pages::me::household::FormAlert;
use crate::session::is_staff;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use linli_domain::facility::{FacilityCategory, NewFacility, Wheelchair, check_facility};
use linli_domain::fixed_decimal;
use linli_domain::geojson::Geometry;
use linli_domain::{ErrorCode, FieldError};

#[component]
pub fn NewFacilityPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let coordinate = move |key: &str| query.get_untracked().get(key).unwrap_or_default();
    let initial = FacilityDraft {
        lat: coordinate("lat"),
        lon: coordinate("lon"),
        ..FacilityDraft::default()
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, circle.form_add_title)}</h1>
            <StaffOnly>
                <FacilityForm initial=initial.clone() id=None/>
            </StaffOnly>
        </section>
    }
}

#[component]
pub fn EditFacilityPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|v| v.parse::<i64>().ok());
    let facility = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api::facility(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, circle.form_edit_title)}</h1>
            <StaffOnly>
                <Transition fallback=Loading>
                    {move || {
                        facility
                            .get()
                            .map(|result| match result {
                                Ok(Some(feature)) => {
                                    let id = feature.id;
                                    view! { <FacilityForm initial=FacilityDraft::of(&feature) id/> }.into_any()
                                }
                                Ok(None) | Err(ApiError::Problem(_)) => {
                                    view! { <p class="empty">{tr!(i18n, states.empty)}</p> }.into_any()
                                }
                                Err(_) => view! { <LoadError retry=move || facility.refetch()/> }.into_any(),
                            })
                    }}
                </Transition>
            </StaffOnly>
        </section>
    }
}

#[component]
fn StaffOnly(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let staff = is_staff();
    view! {
        <Show
            when=move || staff.get()
            fallback=move || view! { <p class="notice">{tr!(i18n, errors.forbidden)}</p> }
        >
            {children()}
        </Show>
    }
}

/// The form's fields as typed (coordinates as text, so a half-typed number is not lost).
#[derive(Debug, Clone, Default, PartialEq)]
struct FacilityDraft {
    category: String,
    name_zh: String,
    name_en: String,
    address_zh: String,
    address_en: String,
    lat: String,
    lon: String,
    opening_hours: String,
    phone: String,
    services_zh: String,
    services_en: String,
    wheelchair: String,
}

impl FacilityDraft {
    fn of(feature: &api::FacilityFeature) -> Self {
        let p = &feature.properties;
        let (lat, lon) = match feature.geometry {
            Geometry::Point { coordinates } => (
                fixed_decimal(coordinates[1], 6),
                fixed_decimal(coordinates[0], 6),
            ),
            _ => Default::default(),
        };
        FacilityDraft {
            category: p.category.key().to_owned(),
            name_zh: p.name_zh.clone(),
            name_en: p.name_en.clone(),
            address_zh: p.address_zh.clone(),
            address_en: p.address_en.clone(),
            lat,
            lon,
            opening_hours: p.opening_hours.clone(),
            phone: p.phone.clone().unwrap_or_default(),
            services_zh: p.services_zh.clone(),
            services_en: p.services_en.clone(),
            wheelchair: p.wheelchair.map(|w| w.key().to_owned()).unwrap_or_default(),
        }
    }
}

/// A coordinate as typed: a finite number, or the refusal the server would give.
fn coordinate(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[component]
fn FacilityForm(initial: FacilityDraft, id: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let text = |value: String| RwSignal::new(value);
    let category = text(initial.category);
    let name_zh = text(initial.name_zh);
    let name_en = text(initial.name_en);
    let address_zh = text(initial.address_zh);
    let address_en = text(initial.address_en);
    let lat = text(initial.lat);
    let lon = text(initial.lon);
    let opening_hours = text(initial.opening_hours);
    let phone = text(initial.phone);
    let services_zh = text(initial.services_zh);
    let services_en = text(initial.services_en);
    let wheelchair = text(initial.wheelchair);
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let (lat_value, lon_value) = (
            coordinate(&lat.get_untracked()),
            coordinate(&lon.get_untracked()),
        );
        let body = NewFacility {
            category: category.get_untracked(),
            name_zh: name_zh.get_untracked(),
            name_en: name_en.get_untracked(),
            address_zh: address_zh.get_untracked(),
            address_en: address_en.get_untracked(),
            lat: lat_value.unwrap_or(f64::NAN),
            lon: lon_value.unwrap_or(f64::NAN),
            opening_hours: opening_hours.get_untracked(),
            phone: Some(phone.get_untracked()).filter(|p| !p.trim().is_empty()),
            services_zh: services_zh.get_untracked(),
            services_en: services_en.get_untracked(),
            wheelchair: Wheelchair::parse(&wheelchair.get_untracked()),
        };
        let mut refused = check_facility(&body).err().unwrap_or_default();
        if lat_value.is_none() && !refused.iter().any(|e| e.field == "lat") {
            refused.push(FieldError::new("lat", ErrorCode::LocationInvalid));
        }
        if lon_value.is_none() && !refused.iter().any(|e| e.field == "lon") {
            refused.push(FieldError::new("lon", ErrorCode::LocationInvalid));
        }
        if !refused.is_empty() {
            show_errors(errors, FormErrors::from_fields(i18n, &refused));
            return;
        }
        errors.set(FormErrors::default());
        sending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let saved = match id {
                Some(id) => api::edit_facility(id, &body).await,
                None => api::add_facility(&body).await,
            };
            match saved {
                Ok(feature) => navigate(
                    &format!("/circle/facilities/{}", feature.id.unwrap_or_default()),
                    Default::default(),
                ),
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };
    let field_error = move |name: &'static str| Signal::derive(move || errors.get().field(name));
    view! {
        <form class="form facility-form" on:submit=on_submit novalidate>
            <FormAlert errors/>
            <div class="field" class:field-invalid=move || errors.get().field("category").is_some()>
                <label for="category">{tr!(i18n, circle.f_category)}</label>
                <select
                    id="category"
                    prop:value=move || category.get()
                    on:change=move |ev| category.set(event_target_value(&ev))
                    aria-invalid=move || errors.get().field("category").is_some().to_string()
                >
                    <option value="" disabled=true>"—"</option>
                    {FacilityCategory::ALL
                        .iter()
                        .map(|&c| {
                            view! {
                                <option value=c.key() selected=move || category.get() == c.key()>
                                    {move || labels::category_label(i18n, c)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldMessage errors field="category"/>
            </div>
            <Field id="name_zh" label=Signal::derive(move || t_string!(i18n, circle.f_name_zh).to_string()) value=name_zh error=field_error("name_zh") required=true/>
            <Field id="name_en" label=Signal::derive(move || t_string!(i18n, circle.f_name_en).to_string()) value=name_en error=field_error("name_en")/>
            <Field id="address_zh" label=Signal::derive(move || t_string!(i18n, circle.f_address_zh).to_string()) value=address_zh error=field_error("address_zh")/>
            <Field id="address_en" label=Signal::derive(move || t_string!(i18n, circle.f_address_en).to_string()) value=address_en error=field_error("address_en")/>
            <fieldset id="location" tabindex="-1" class="coordinates">
                <legend>{tr!(i18n, circle.f_location)}</legend>
                <p class="hint">{tr!(i18n, circle.f_location_hint)}</p>
                <FieldMessage errors field="location"/>
                <Field id="lat" label=Signal::derive(move || t_string!(i18n, circle.f_lat).to_string()) value=lat error=field_error("lat") inputmode="decimal" required=true/>
                <Field id="lon" label=Signal::derive(move || t_string!(i18n, circle.f_lon).to_string()) value=lon error=field_error("lon") inputmode="decimal" required=true/>
            </fieldset>
            <Field
                id="opening_hours"
                label=Signal::derive(move || t_string!(i18n, circle.f_hours).to_string())
                hint=Signal::derive(move || t_string!(i18n, circle.f_hours_hint).to_string())
                value=opening_hours
                error=field_error("opening_hours")
            />
            <Field id="phone" label=Signal::derive(move || t_string!(i18n, circle.f_phone).to_string()) value=phone error=field_error("phone") input_type="tel"/>
            <Field id="services_zh" label=Signal::derive(move || t_string!(i18n, circle.f_services_zh).to_string()) value=services_zh error=field_error("services_zh")/>
            <Field id="services_en" label=Signal::derive(move || t_string!(i18n, circle.f_services_en).to_string()) value=services_en error=field_error("services_en")/>
            <div class="field">
                <label for="wheelchair">{tr!(i18n, circle.f_wheelchair)}</label>
                <select id="wheelchair" prop:value=move || wheelchair.get() on:change=move |ev| wheelchair.set(event_target_value(&ev))>
                    <option value="" selected=move || wheelchair.get().is_empty()>{tr!(i18n, circle.wheelchair_unknown)}</option>
                    {[Wheelchair::Yes, Wheelchair::Limited, Wheelchair::No]
                        .into_iter()
                        .map(|w| {
                            view! {
                                <option value=w.key() selected=move || wheelchair.get() == w.key()>
                                    {move || labels::wheelchair_label(i18n, w)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button primary" disabled=move || sending.get()>
                {move || {
                    if sending.get() {
                        t_string!(i18n, circle.saving).to_string()
                    } else {
                        t_string!(i18n, circle.save).to_string()
                    }
                }}
            </button>
        </form>
    }
}
