//! One topic: what it is, who it concerns, its co-signatures, its history from proposal to
//! result, the discussion, the vote, and what staff can do at each step (review, open the vote,
//! close it, moderate comments).

use crate::api;
use crate::components::errors::{FieldMessage, FormErrors};
use crate::components::field::{Field, RadioChoice, TextArea};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::pages::consultations::action::TopicAction;
use crate::pages::consultations::labels::percent;
use crate::pages::consultations::labels::{TopicStatusBadge, event_text, scope_name};
use crate::pages::consultations::vote::{Bar, BarChart, OpenVoteForm, VoteSection};
use crate::pages::me::household::FormAlert;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;
use linli_domain::ErrorCode;
use linli_domain::consultation::{
    COMMENT_MAX_CHARS, Comment, IMPLEMENTATION_UPDATE, NewComment, RatingSummary, TopicDetail,
    TopicReview, TopicStatus,
};
use linli_domain::deliberation::TopicDocument;
use linli_domain::figures::china_time_label;

#[component]
pub fn TopicPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::pages::route_id();
    let topic = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api::consultation(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    // Every action answers with the topic as it now is; show that without a second request.
    let latest = RwSignal::new(None::<TopicDetail>);
    Effect::new(move |_| {
        if let Some(Ok(Some(detail))) = topic.get() {
            latest.set(Some(detail));
        }
    });
    let on_change = Callback::new(move |detail: TopicDetail| latest.set(Some(detail)));
    view! {
        <section class="page" aria-labelledby="page-title">
            <Transition fallback=Loading>
                {move || {
                    topic
                        .get()
                        .map(|result| match result {
                            Ok(Some(_)) => {
                                view! {
                                    {move || latest.get().map(|detail| view! { <Detail detail on_change/> })}
                                }
                                    .into_any()
                            }
                            Ok(None) | Err(api::ApiError::Problem(_)) => {
                                view! { <crate::pages::not_found::NotFoundPage/> }.into_any()
                            }
                            Err(api::ApiError::Network) => {
                                view! { <LoadError retry=move || topic.refetch()/> }.into_any()
                            }
                        })
                }}
            </Transition>
            <p>
                <a href="/consultations">{tr!(i18n, consultations.back_to_list)}</a>
            </p>
        </section>
    }
}

/// What the signed-in account is, for what the page offers it.
#[derive(Clone, Copy, PartialEq)]
pub struct Viewer {
    pub signed_in: bool,
    pub verified: bool,
    pub staff: bool,
}

pub fn viewer() -> Signal<Viewer> {
    let session = use_session();
    Signal::derive(move || match session.0.get() {
        SessionState::SignedIn(me) => Viewer {
            signed_in: true,
            verified: me.is_verified(),
            staff: me.role.is_staff(),
        },
        _ => Viewer {
            signed_in: false,
            verified: false,
            staff: false,
        },
    })
}

#[component]
fn Detail(detail: TopicDetail, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let just_proposed = move || query.read().get("proposed").is_some();
    let who = viewer();
    let s = detail.summary.clone();
    let id = s.id;
    let status = s.status;
    let scope = {
        let s = s.clone();
        move || scope_name(i18n, &s)
    };
    // A signal, so that a co-signature shows at once (see `Cosign`).
    let (count, threshold) = (RwSignal::new(s.cosigns), s.cosign_threshold);
    let option_count = detail.options.len();
    view! {
        <h1 id="page-title">{s.title.clone()}</h1>
        {move || {
            just_proposed()
                .then(|| {
                    view! {
                        <p class="success" role="status">
                            <span aria-hidden="true">"✓ "</span>
                            {tr!(i18n, consultations.proposed)}
                        </p>
                    }
                })
        }}
        <dl class="facts">
            <dt>{tr!(i18n, requests.status_label)}</dt>
            <dd><TopicStatusBadge status/></dd>
            <dt>{tr!(i18n, consultations.scope_label)}</dt>
            <dd>{scope}</dd>
            <dt>{tr!(i18n, consultations.proposed_at)}</dt>
            <dd>{china_time_label(s.created_at)}</dd>
            <dt>{tr!(i18n, consultations.cosign_heading)}</dt>
            <dd>{move || t_string!(i18n, consultations.cosign_count, count = count.get(), threshold)}</dd>
        </dl>
        {(!detail.background.is_empty())
            .then(|| {
                view! {
                    <h2>{tr!(i18n, consultations.background_heading)}</h2>
                    <p class="description">{detail.background.clone()}</p>
                }
            })}
        {(!detail.options.is_empty())
            .then(|| {
                view! {
                    <h2>{tr!(i18n, consultations.options_heading)}</h2>
                    <ol class="options">{detail.options.iter().map(|o| view! { <li>{o.clone()}</li> }).collect_view()}</ol>
                }
            })}
        <Documents id documents=detail.documents.clone() on_change/>
        {(status == TopicStatus::Collecting)
            .then(|| view! { <Cosign id count threshold cosigned=detail.cosigned on_change/> })}
        {move || {
            (who.get().staff && status.can_be_reviewed()).then(|| view! { <ReviewForm id on_change/> })
        }}
        {move || (who.get().staff && status.can_open_vote()).then(|| view! { <OpenVoteForm id options=option_count on_change/> })}
        {detail.vote.clone().map(|vote| view! { <VoteSection topic=detail.clone() vote on_change/> })}
        {status
            .accepts_follow_up()
            .then(|| {
                view! {
                    <FollowUp
                        id
                        rating=detail.rating.clone()
                        my_rating=detail.my_rating
                        can_rate=detail.can_rate
                        reported=detail.events.iter().any(|e| e.kind == IMPLEMENTATION_UPDATE)
                        on_change
                    />
                }
            })}
        <h2>{tr!(i18n, consultations.timeline)}</h2>
        <ol class="timeline">
            {detail
                .events
                .iter()
                .map(|e| {
                    let staff = e.actor_role == "staff";
                    let kind = e.kind.clone();
                    view! {
                        <li>
                            <span class="meta">
                                {china_time_label(e.at)} " · "
                                {move || if staff { t_string!(i18n, consultations.by_staff) } else { t_string!(i18n, consultations.by_resident) }}
                            </span>
                            <strong>{move || event_text(i18n, &kind)}</strong>
                            {(!e.note.is_empty()).then(|| view! { <span class="note">{e.note.clone()}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <Comments id open=status.accepts_comments() comments=detail.comments.clone() on_change/>
    }
}

#[component]
fn Cosign(
    id: i64,
    count: RwSignal<u32>,
    threshold: u32,
    cosigned: bool,
    on_change: Callback<TopicDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let who = viewer();
    let action = TopicAction::new(on_change);
    let TopicAction {
        sending, errors, ..
    } = action;
    // Optimistic: the household counts at once; a refusal or a lost connection takes it back.
    let cosigned = RwSignal::new(cosigned);
    let sign = move |_| {
        action.send_optimistic(
            api::cosign_topic(id),
            move || {
                cosigned.set(true);
                count.update(|c| *c += 1);
            },
            || (),
            move || {
                cosigned.set(false);
                count.update(|c| *c = c.saturating_sub(1));
            },
        )
    };
    view! {
        <section class="card" aria-labelledby="cosign-heading">
            <h2 id="cosign-heading">{tr!(i18n, consultations.cosign_heading)}</h2>
            <p>{move || t_string!(i18n, consultations.cosign_progress, count = count.get(), threshold)}</p>
            <progress max=threshold value=move || count.get().min(threshold)></progress>
            <FormAlert errors/>
            {move || {
                let who = who.get();
                if cosigned.get() {
                    view! { <p class="success" role="status">{tr!(i18n, consultations.cosigned)}</p> }.into_any()
                } else if who.verified {
                    view! {
                        <button type="button" class="button primary" disabled=move || sending.get() on:click=sign>
                            {tr!(i18n, consultations.cosign_button)}
                        </button>
                    }
                        .into_any()
                } else if who.signed_in {
                    view! { <a class="button secondary" href="/me/household">{tr!(i18n, consultations.bind_to_vote)}</a> }
                        .into_any()
                } else {
                    view! { <a class="button secondary" href="/login">{tr!(i18n, consultations.login_to_take_part)}</a> }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The review steps (四议) staff tick off, in their legal order.
fn review_steps(i18n: I18nContext<Locale>) -> [&'static str; 4] {
    [
        t_string!(i18n, consultations.review_step_party),
        t_string!(i18n, consultations.review_step_committees),
        t_string!(i18n, consultations.review_step_members),
        t_string!(i18n, consultations.review_step_representatives),
    ]
}

#[component]
fn ReviewForm(id: i64, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let steps = RwSignal::new([false; 4]);
    let note = RwSignal::new(String::new());
    let action = TopicAction::new(on_change);
    let TopicAction {
        sending, errors, ..
    } = action;
    let decide = move |accept: bool| {
        let ticked = steps.get_untracked();
        let body = TopicReview {
            accept,
            note: note.get_untracked(),
            steps: review_steps(i18n)
                .into_iter()
                .zip(ticked)
                .filter(|(_, on)| *on)
                .map(|(s, _)| s.to_owned())
                .collect(),
        };
        action.send(async move { api::review_topic(id, &body).await }, || ());
    };
    view! {
        <section class="card staff-only" aria-labelledby="review-heading">
            <h2 id="review-heading">{tr!(i18n, consultations.review_heading)}</h2>
            <FormAlert errors/>
            <fieldset class="choice-group">
                <legend>{tr!(i18n, consultations.review_steps_legend)}</legend>
                {(0..4)
                    .map(|i| {
                        view! {
                            <label class="choice">
                                <input
                                    type="checkbox"
                                    prop:checked=move || steps.get()[i]
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        steps.update(|s| s[i] = on);
                                    }
                                />
                                <span>{move || review_steps(i18n)[i]}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <TextArea
                id="note"
                label=Signal::derive(move || t_string!(i18n, consultations.review_note).to_string())
                value=note
                max_chars=500
                error=Signal::derive(move || errors.get().field("note"))
                rows=2
            />
            <div class="button-row">
                <button type="button" class="button primary" disabled=move || sending.get() on:click=move |_| decide(true)>
                    {tr!(i18n, consultations.accept)}
                </button>
                <button type="button" class="button secondary" disabled=move || sending.get() on:click=move |_| decide(false)>
                    {tr!(i18n, consultations.decline)}
                </button>
            </div>
        </section>
    }
}

#[component]
fn Comments(
    id: i64,
    open: bool,
    comments: Vec<Comment>,
    on_change: Callback<TopicDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let who = viewer();
    let roots: Vec<Comment> = comments
        .iter()
        .filter(|c| c.parent_id.is_none())
        .cloned()
        .collect();
    let replying_to = RwSignal::new(None::<i64>);
    // A comment on its way: shown at once, replaced by the server's topic, or taken back.
    let pending = RwSignal::new(None::<NewComment>);
    // The comment on its way under `parent` (`None`: the topic itself), if there is one.
    let pending_under = move |parent: Option<i64>| {
        pending
            .get()
            .filter(|p| p.parent_id == parent)
            .map(|p| view! { <li><PendingComment body=p.body/></li> })
    };
    view! {
        <section aria-labelledby="comments-heading">
            <h2 id="comments-heading">{tr!(i18n, consultations.comments_heading)}</h2>
            {
                let none_yet = roots.is_empty();
                // A first comment on its way is shown below: "no comments yet" would contradict it.
                move || {
                    (none_yet && pending.with(Option::is_none))
                        .then(|| view! { <p class="empty">{tr!(i18n, consultations.no_comments)}</p> })
                }
            }
            <ol class="comments">
                {roots
                    .into_iter()
                    .map(|c| {
                        let replies: Vec<Comment> = comments
                            .iter()
                            .filter(|r| r.parent_id == Some(c.id))
                            .cloned()
                            .collect();
                        let parent = c.id;
                        view! {
                            <li>
                                <CommentBody topic=id comment=c on_change/>
                                {move || {
                                    let waiting = pending_under(Some(parent));
                                    (!replies.is_empty() || waiting.is_some())
                                        .then(|| {
                                            view! {
                                                <ol class="replies">
                                                    {replies
                                                        .iter()
                                                        .cloned()
                                                        .map(|r| view! { <li><CommentBody topic=id comment=r on_change/></li> })
                                                        .collect_view()}
                                                    {waiting}
                                                </ol>
                                            }
                                        })
                                }}
                                {move || {
                                    let who = who.get();
                                    let can_write = open && (who.verified || who.staff);
                                    if replying_to.get() == Some(parent) {
                                        view! { <CommentForm id parent=Some(parent) replying_to pending on_change/> }.into_any()
                                    } else if can_write {
                                        view! {
                                            <button type="button" class="link-button" on:click=move |_| replying_to.set(Some(parent))>
                                                {tr!(i18n, consultations.reply)}
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        ().into_any()
                                    }
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
                {move || pending_under(None)}
            </ol>
            {move || {
                let who = who.get();
                if !open {
                    view! { <p class="meta">{tr!(i18n, consultations.comments_closed)}</p> }.into_any()
                } else if who.verified || who.staff {
                    view! { <CommentForm id parent=None replying_to pending on_change/> }.into_any()
                } else {
                    view! { <p class="meta">{tr!(i18n, consultations.verify_to_comment)}</p> }.into_any()
                }
            }}
        </section>
    }
}

/// A comment being sent, as it will look, marked as not yet posted.
#[component]
fn PendingComment(body: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="comment pending" aria-busy="true">
            <p class="meta">{tr!(i18n, consultations.comment_sending)}</p>
            <p class="comment-body">{body}</p>
        </article>
    }
}

#[component]
fn CommentBody(topic: i64, comment: Comment, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let who = viewer();
    let staff_author = comment.author_role == "staff";
    let hiding = RwSignal::new(false);
    let reported = RwSignal::new(false);
    let hidden = comment.hidden_reason.clone();
    let reports = comment.reports;
    let comment_id = comment.id;
    let visible = comment.hidden_reason.is_none();
    let report_refused = RwSignal::new(None::<String>);
    let report = move |_| {
        spawn_local(async move {
            // The count is for moderators; the reporter only needs to know it was received.
            match api::report_comment(topic, comment_id).await {
                Ok(_) => reported.set(true),
                Err(e) => report_refused.set(FormErrors::from_api(i18n, &e).general),
            }
        });
    };
    view! {
        <article class="comment" class:official=comment.official id=format!("comment-{}", comment.id)>
            <p class="meta">
                {move || if staff_author { t_string!(i18n, consultations.by_staff) } else { t_string!(i18n, consultations.by_resident) }}
                {comment.official.then(|| view! { " " <span class="badge official">{tr!(i18n, consultations.official)}</span> })}
                " · " {china_time_label(comment.created_at)}
            </p>
            {match hidden {
                Some(reason) => {
                    view! {
                        <p class="hidden-comment">
                            {move || t_string!(i18n, consultations.hidden_by_moderator, reason = reason.clone())}
                        </p>
                    }
                        .into_any()
                }
                None => view! { <p class="comment-body">{comment.body.clone()}</p> }.into_any(),
            }}
            {move || {
                (who.get().staff && reports > 0)
                    .then(|| view! { <p class="meta reports">{t_string!(i18n, consultations.reports_count, count = reports)}</p> })
            }}
            {move || {
                let who = who.get();
                (who.verified && !who.staff && visible)
                    .then(|| {
                        if reported.get() {
                            view! { <p class="meta" role="status">{tr!(i18n, consultations.reported)}</p> }.into_any()
                        } else {
                            view! {
                                <button type="button" class="link-button" on:click=report>
                                    {tr!(i18n, consultations.report)}
                                </button>
                                {move || report_refused.get().map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
                            }
                                .into_any()
                        }
                    })
            }}
            {move || {
                (who.get().staff && visible)
                    .then(|| {
                        if hiding.get() {
                            view! { <HideForm topic comment=comment.id hiding on_change/> }.into_any()
                        } else {
                            view! {
                                <button type="button" class="link-button" on:click=move |_| hiding.set(true)>
                                    {tr!(i18n, consultations.hide)}
                                </button>
                            }
                                .into_any()
                        }
                    })
            }}
        </article>
    }
}

#[component]
fn HideForm(
    topic: i64,
    comment: i64,
    hiding: RwSignal<bool>,
    on_change: Callback<TopicDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let action = TopicAction::new(on_change);
    let errors = action.errors;
    let field_id = format!("hide-{comment}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked();
        action.send(
            async move { api::hide_comment(topic, comment, &text).await },
            move || hiding.set(false),
        );
    };
    view! {
        <form class="inline-form" on:submit=submit novalidate>
            <FormAlert errors/>
            <label for=field_id.clone()>{tr!(i18n, consultations.hide_reason)}</label>
            <input id=field_id type="text" bind:value=reason/>
            <div class="button-row">
                <button type="submit" class="button secondary small">{tr!(i18n, consultations.hide)}</button>
                <button type="button" class="link-button" on:click=move |_| hiding.set(false)>
                    {tr!(i18n, consultations.cancel)}
                </button>
            </div>
        </form>
    }
}

#[component]
fn CommentForm(
    id: i64,
    parent: Option<i64>,
    replying_to: RwSignal<Option<i64>>,
    pending: RwSignal<Option<NewComment>>,
    on_change: Callback<TopicDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = RwSignal::new(String::new());
    let field_id: &'static str = if parent.is_some() { "reply" } else { "body" };
    // The server names the field `body`; a reply's text area has its own id.
    let rename: &'static [(&str, &str)] = if parent.is_some() {
        &[("body", "reply")]
    } else {
        &[]
    };
    let action = TopicAction::new(on_change).renaming(rename);
    let TopicAction {
        sending, errors, ..
    } = action;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let comment = NewComment {
            body: body.get_untracked(),
            parent_id: parent,
        };
        // Optimistic: the comment shows in the list at once and the box empties; the server's
        // topic then replaces the page. If it is refused or the connection fails, the comment
        // leaves the list and its text comes back into the box, with the reason.
        let shown = comment.clone();
        let typed = comment.body.clone();
        action.send_optimistic(
            async move { api::comment_on_topic(id, &comment).await },
            move || {
                pending.set(Some(shown));
                body.set(String::new());
            },
            move || replying_to.set(None),
            move || {
                pending.set(None);
                body.set(typed);
            },
        );
    };
    view! {
        <form class="comment-form" on:submit=submit novalidate>
            {parent.is_some().then(|| view! { <p class="meta">{tr!(i18n, consultations.replying_to)}</p> })}
            <FormAlert errors/>
            <TextArea
                id=field_id
                label=Signal::derive(move || {
                    if parent.is_some() {
                        t_string!(i18n, consultations.reply_label).to_string()
                    } else {
                        t_string!(i18n, consultations.comment_label).to_string()
                    }
                })
                value=body
                max_chars=COMMENT_MAX_CHARS
                error=Signal::derive(move || errors.get().field(field_id))
                rows=3
            />
            <div class="button-row">
                <button type="submit" class="button primary" disabled=move || sending.get()>
                    {move || {
                        if parent.is_some() {
                            t_string!(i18n, consultations.reply)
                        } else {
                            t_string!(i18n, consultations.comment_submit)
                        }
                    }}
                </button>
                {parent
                    .is_some()
                    .then(|| {
                        view! {
                            <button type="button" class="link-button" on:click=move |_| replying_to.set(None)>
                                {tr!(i18n, consultations.cancel)}
                            </button>
                        }
                    })}
            </div>
        </form>
    }
}

/// The documents staff attached (anyone can open them), and, for staff, the form to attach one.
#[component]
fn Documents(
    id: i64,
    documents: Vec<TopicDocument>,
    on_change: Callback<TopicDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let who = viewer();
    let empty = documents.is_empty();
    view! {
        {(!empty)
            .then(|| {
                view! {
                    <h2>{tr!(i18n, consultations.documents_heading)}</h2>
                    <ul class="documents">
                        {documents
                            .into_iter()
                            .map(|d| {
                                let size = d.size.div_ceil(1024);
                                view! {
                                    <li>
                                        <a href=api::document_url(d.id) target="_blank" rel="noopener">{d.title}</a>
                                        <span class="meta">
                                            {china_time_label(d.uploaded_at)} " · "
                                            {move || t_string!(i18n, consultations.document_size, size)}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        {move || who.get().staff.then(|| view! { <AttachForm id on_change/> })}
    }
}

#[component]
fn AttachForm(id: i64, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let title = RwSignal::new(String::new());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let action = TopicAction::new(on_change);
    let TopicAction {
        sending, errors, ..
    } = action;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let file = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let Some(file) = file else {
            errors.update(|e| e.set_field(i18n, "file", Some(ErrorCode::Required)));
            return;
        };
        let text = title.get_untracked();
        action.send(
            async move { api::attach_document(id, &text, &file).await },
            move || title.set(String::new()),
        );
    };
    view! {
        <form class="card staff-only form" on:submit=submit novalidate aria-labelledby="attach-heading">
            <h2 id="attach-heading">{tr!(i18n, consultations.attach_heading)}</h2>
            <FormAlert errors/>
            <Field
                id="title"
                label=Signal::derive(move || t_string!(i18n, consultations.document_title).to_string())
                value=title
                error=Signal::derive(move || errors.get().field("title"))
                required=true
            />
            <div class="field" class:field-invalid=move || errors.get().field("file").is_some()>
                <label for="file">{tr!(i18n, consultations.document_file)}</label>
                <input id="file" type="file" accept="application/pdf,image/jpeg,image/png" node_ref=file_input/>
                <FieldMessage errors field="file"/>
            </div>
            <button type="submit" class="button secondary" disabled=move || sending.get()>
                {tr!(i18n, consultations.attach)}
            </button>
        </form>
    }
}

/// 民事民评: staff report on carrying out the decision; households in scope rate it 1 to 5
/// once there is a report; everyone sees the count, the average and how the stars fall.
#[component]
fn FollowUp(
    id: i64,
    rating: RatingSummary,
    my_rating: Option<u8>,
    can_rate: bool,
    /// Staff have reported on carrying it out (until then nobody can rate).
    reported: bool,
    on_change: Callback<TopicDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let who = viewer();
    let note = RwSignal::new(String::new());
    let stars = RwSignal::new(my_rating);
    let action = TopicAction::new(on_change);
    let TopicAction {
        sending, errors, ..
    } = action;
    let report = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = note.get_untracked();
        action.send(async move { api::post_follow_up(id, &text).await }, || ());
    };
    let rate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(n) = stars.get_untracked() else {
            errors.update(|e| e.set_field(i18n, "stars", Some(ErrorCode::Required)));
            return;
        };
        action.send(api::rate_topic(id, n), || ());
    };
    let summary = rating.clone();
    let whole = u64::from(rating.count);
    // Five stars first; each bar says its stars in words, so screen readers do not count "★".
    let bars: Vec<Bar> = rating
        .by_stars
        .iter()
        .enumerate()
        .rev()
        .map(|(i, count)| {
            let n = i + 1;
            let value = u64::from(*count);
            Bar {
                name: Signal::derive(move || t_string!(i18n, consultations.stars, n).to_string()),
                class: "bar-yes",
                value,
                figure: format!("{value} · {}", percent(value, whole)),
            }
        })
        .collect();
    view! {
        <section class="card" aria-labelledby="follow-up-heading">
            <h2 id="follow-up-heading">{tr!(i18n, consultations.follow_up_heading)}</h2>
            <FormAlert errors/>
            {match summary.average_centi {
                Some(avg) => {
                    let count = summary.count;
                    let average = format!("{}.{:02}", avg / 100, avg % 100);
                    view! {
                        <p class="rating-summary">{move || t_string!(i18n, consultations.rating_summary, count, average = average.clone())}</p>
                        <BarChart
                            caption=Signal::derive(move || t_string!(i18n, consultations.chart_ratings).to_string())
                            bars
                            whole
                        />
                    }
                        .into_any()
                }
                None => view! { <p class="meta">{tr!(i18n, consultations.no_ratings)}</p> }.into_any(),
            }}
            {move || {
                let who = who.get();
                if who.staff {
                    view! {
                        <form class="form" on:submit=report novalidate>
                            <TextArea
                                id="update"
                                label=Signal::derive(move || t_string!(i18n, consultations.update_label).to_string())
                                value=note
                                max_chars=500
                                error=Signal::derive(move || errors.get().field("note"))
                                rows=3
                            />
                            <button type="submit" class="button secondary" disabled=move || sending.get()>
                                {tr!(i18n, consultations.update_submit)}
                            </button>
                        </form>
                    }
                        .into_any()
                } else if can_rate {
                    view! {
                        <form class="form" on:submit=rate novalidate>
                            {my_rating.map(|n| view! { <p class="success">{move || t_string!(i18n, consultations.my_rating, n)}</p> })}
                            <fieldset id="stars" tabindex="-1" class="choice-group stars">
                                <legend>{tr!(i18n, consultations.rate_legend)}</legend>
                                {(1..=5u8)
                                    .rev()
                                    .map(|n| {
                                        view! {
                                            <RadioChoice name="stars" value=stars option=Some(n)>
                                                <span aria-hidden="true">{"★".repeat(n as usize)} " "</span>
                                                {move || t_string!(i18n, consultations.stars, n)}
                                            </RadioChoice>
                                        }
                                    })
                                    .collect_view()}
                                {move || errors.get().field("stars").map(|m| view! { <p class="field-error">{m}</p> })}
                            </fieldset>
                            <button type="submit" class="button primary" disabled=move || sending.get()>
                                {tr!(i18n, consultations.rate_submit)}
                            </button>
                        </form>
                    }
                        .into_any()
                } else if who.verified && !reported {
                    view! { <p class="meta">{tr!(i18n, consultations.rate_after_update)}</p> }.into_any()
                } else {
                    ().into_any()
                }
            }}
        </section>
    }
}
