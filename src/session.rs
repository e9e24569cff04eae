//! Who is signed in, shared by every page: loaded once at start, replaced on login and logout.

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::api::Me;

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    Loading,
    Guest,
    SignedIn(Me),
    /// The server could not be asked; pages show an error with a retry.
    Unreachable,
}

/// Who is signed in, and whether the app was opened at an address that is no community's (as
/// the session's answer says).
#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<SessionState>, pub RwSignal<bool>);

impl Session {
    pub fn provide() -> Self {
        let session = Session(RwSignal::new(SessionState::Loading), RwSignal::new(false));
        provide_context(session);
        session.reload();
        session
    }

    /// Asks again; callable from anywhere (an event handler, a task), as it needs no context.
    pub fn reload(self) {
        spawn_local(async move {
            let state = match api::session().await {
                Ok(info) => {
                    self.1.set(info.unknown_address);
                    match info.me {
                        Some(me) => SessionState::SignedIn(me),
                        None => SessionState::Guest,
                    }
                }
                Err(_) => SessionState::Unreachable,
            };
            self.0.set(state);
        });
    }

    pub fn signed_in(self, me: Me) {
        self.0.set(SessionState::SignedIn(me));
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Whether the signed-in account is staff (or an admin), as the server decides it.
pub fn is_staff() -> Memo<bool> {
    let session = use_session();
    Memo::new(move |_| matches!(session.0.get(), SessionState::SignedIn(me) if me.role.is_staff()))
}
