//! Choosing up to three photos: checked on the device with the shared rules (kind, size,
//! count) before anything is sent, with previews and a remove button for each.

use crate::components::errors::FormErrors;
use crate::i18n::*;
use leptos::prelude::*;
use linli_domain::FieldError;
use linli_domain::photo::{ACCEPTED_TYPES, FIELD, check_count, check_photo};
use wasm_bindgen::JsCast;

/// A chosen photo and the object URL of its preview (revoked when it is removed).
#[derive(Clone)]
pub struct ChosenPhoto {
    pub file: web_sys::File,
    pub preview: String,
}

/// The files to send, in the order chosen.
pub fn files(photos: &[ChosenPhoto]) -> Vec<web_sys::File> {
    photos.iter().map(|p| p.file.clone()).collect()
}

#[component]
pub fn PhotoPicker(
    /// Lives on the page (files cannot cross threads, hence local).
    photos: RwSignal<Vec<ChosenPhoto>, LocalStorage>,
    errors: RwSignal<FormErrors>,
    #[prop(into)] label: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let add = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else { return };
        let mut refused: Option<FieldError> = None;
        let mut chosen = photos.get_untracked();
        for i in 0..list.length() {
            let Some(file) = list.get(i) else { continue };
            let checked = check_photo(&file.type_(), file.size() as u64)
                .and_then(|_| check_count(chosen.len() + 1));
            match checked {
                Ok(()) => {
                    let preview =
                        web_sys::Url::create_object_url_with_blob(&file).unwrap_or_default();
                    chosen.push(ChosenPhoto { file, preview });
                }
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
        }
        // Choosing the same file again must fire `change` again.
        input.set_value("");
        photos.set(chosen);
        errors.update(|e| e.set_field(i18n, FIELD, refused.map(|r| r.code)));
    };
    let remove = move |index: usize| {
        photos.update(|list| {
            if index < list.len() {
                let gone = list.remove(index);
                let _ = web_sys::Url::revoke_object_url(&gone.preview);
            }
        });
        errors.update(|e| e.set_field(i18n, FIELD, None));
    };
    view! {
        <div class="field" class:field-invalid=move || errors.get().field(FIELD).is_some()>
            <p class="field-label" id="photos-label">{move || label.get()}</p>
            // The browser's own file button speaks the browser's language, not the app's: the
            // input stays (focusable, announced) but the visible control is our label.
            <input
                id="photos"
                class="visually-hidden"
                type="file"
                accept=ACCEPTED_TYPES.join(",")
                multiple
                aria-labelledby="photos-label"
                aria-describedby="photos-hint photos-error"
                on:change=add
            />
            <label for="photos" class="button secondary file-button" aria-hidden="true">
                {tr!(i18n, requests.photos_add)}
            </label>
            <p class="hint" id="photos-hint">{tr!(i18n, requests.photos_hint)}</p>
            {move || {
                errors
                    .get()
                    .field(FIELD)
                    .map(|message| {
                        view! {
                            <p class="field-error" id="photos-error">
                                <span aria-hidden="true">"⚠ "</span>
                                {message}
                            </p>
                        }
                    })
            }}
            <ul class="photo-previews">
                {move || {
                    photos
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| {
                            let name = p.file.name();
                            let alt = move || t_string!(i18n, requests.photo_alt, n = i + 1);
                            let remove_label = {
                                let name = name.clone();
                                move || t_string!(i18n, requests.photo_remove, name = name.clone())
                            };
                            view! {
                                <li>
                                    <img src=p.preview.clone() alt=alt/>
                                    <button
                                        type="button"
                                        class="button secondary"
                                        aria-label=remove_label
                                        on:click=move |_| remove(i)
                                    >
                                        "×"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
