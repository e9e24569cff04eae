//! A labelled text input with its hint and its error, wired for screen readers
//! (`label for`, `aria-describedby`, `aria-invalid`).

use leptos::prelude::*;

#[component]
pub fn Field(
    /// The input's id; also the prefix of its hint and error ids.
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into, optional)] hint: Option<Signal<String>>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                bind:value=value
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone()>
                                <span aria-hidden="true">"⚠ "</span>
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// One radio button of a group, bound to the group's signal: checked when the signal holds
/// `option`, setting it when chosen. The label is its children.
#[component]
pub fn RadioChoice<T>(
    /// The group's `name`.
    name: &'static str,
    value: RwSignal<T>,
    option: T,
    children: Children,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <label class="choice">
            <input
                type="radio"
                name=name
                prop:checked=move || value.get() == option
                on:change=move |_| value.set(option)
            />
            <span>{children()}</span>
        </label>
    }
}

/// A labelled text area with a live "characters left" counter, counted as the shared rules
/// count, and its error.
#[component]
pub fn TextArea(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    max_chars: usize,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let left = move || value.with(|v| linli_domain::request::chars_left(v, max_chars));
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            <textarea
                id=id
                name=id
                rows=rows
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=format!("{id}-count {id}-error")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            <p class="hint" id=format!("{id}-count") aria-live="polite" class:over=move || { left() < 0 }>
                {move || {
                    let count = left();
                    crate::i18n::t_string!(i18n, requests.chars_left, count)
                }}
            </p>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=format!("{id}-error")>
                                <span aria-hidden="true">"⚠ "</span>
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
