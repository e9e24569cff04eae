//! One form's sending on the topic page: every action there answers with the topic as it now
//! is, which replaces the page's; a refusal shows on the form that sent it.

use crate::api::ApiError;
use crate::components::errors::{FormErrors, show_errors};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::consultation::TopicDetail;
use std::future::Future;

#[derive(Clone, Copy)]
pub struct TopicAction {
    /// True while a call is out: the form's button is disabled.
    pub sending: RwSignal<bool>,
    pub errors: RwSignal<FormErrors>,
    on_change: Callback<TopicDetail>,
    i18n: leptos_i18n::I18nContext<Locale>,
    /// Fields the server names differently from this form's inputs: (server's, form's).
    rename: &'static [(&'static str, &'static str)],
}

impl TopicAction {
    /// Made in the form's component (it reads the language from there).
    pub fn new(on_change: Callback<TopicDetail>) -> Self {
        Self {
            sending: RwSignal::new(false),
            errors: RwSignal::new(FormErrors::default()),
            on_change,
            i18n: use_i18n(),
            rename: &[],
        }
    }

    /// Refusals of each server field `from` are shown on this form's input `to`.
    pub fn renaming(self, rename: &'static [(&'static str, &'static str)]) -> Self {
        Self { rename, ..self }
    }

    /// Sends `call` unless one is already out; on success `done` runs, then the page takes the
    /// topic the server answered with.
    pub fn send(
        self,
        call: impl Future<Output = Result<TopicDetail, ApiError>> + 'static,
        done: impl FnOnce() + 'static,
    ) {
        self.send_optimistic(call, || (), done, || ());
    }

    /// An optimistic send: `show` puts the expected outcome on the page at once; on success
    /// `done` runs and the server's topic replaces the page's (the truth, which includes it);
    /// on a refusal or a network failure `undo` takes it back before the message is shown.
    /// Nothing is shown when a call is already out.
    pub fn send_optimistic(
        self,
        call: impl Future<Output = Result<TopicDetail, ApiError>> + 'static,
        show: impl FnOnce(),
        done: impl FnOnce() + 'static,
        undo: impl FnOnce() + 'static,
    ) {
        if self.sending.get_untracked() {
            return;
        }
        show();
        let i18n = self.i18n;
        self.sending.set(true);
        self.errors.set(FormErrors::default());
        spawn_local(async move {
            match call.await {
                Ok(detail) => {
                    done();
                    self.on_change.run(detail);
                }
                Err(e) => {
                    undo();
                    let mut refusal = FormErrors::from_api(i18n, &e);
                    for (field, _) in refusal.fields.iter_mut() {
                        if let Some((_, to)) = self.rename.iter().find(|(from, _)| field == from) {
                            *field = (*to).to_owned();
                        }
                    }
                    show_errors(self.errors, refusal);
                }
            }
            self.sending.set(false);
        });
    }
}
