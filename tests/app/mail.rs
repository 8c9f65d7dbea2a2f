//! Email through a real SMTP server on loopback: what arrives, once; SMTP
//! down then up; a permanent refusal; two workers on one database.

use std::collections::BTreeSet;
use std::time::Duration;

use campus_visits::config::MailConfig;
use campus_visits::db::outbox::{self, NewMessage};
use campus_visits::db::schema::outbox_messages;
use campus_visits::db::{self, Db};
use campus_visits::domain::visit::VisitStatus;
use campus_visits::jobs::{Round, Worker};
use diesel::prelude::*;

use crate::helpers::BrowserOn;
use crate::helpers::{spawn_app, spawn_app_on, TestApp, TestDb};
use crate::items::{everything, observe, signed_in, story, visit, Story};
use crate::smtp::SmtpServer;
use campus_visits::db::action_items::Item;

/// A worker of the app's database that sends to `smtp_url`.
pub fn worker(app: &TestApp, smtp_url: &str) -> Worker {
    MailConfig {
        smtp_url: Some(smtp_url.to_owned()),
        from: "campus-visits <no-reply@test.example.org>".parse().unwrap(),
        dir: std::env::temp_dir(),
        host: "test.example.org".to_owned(),
        base_url: "http://127.0.0.1".to_owned(),
        signing_key: "k".repeat(64),
        worker: true,
    }
    .worker(Db::new(app.db.url(), 4, Duration::from_secs(5)))
    .unwrap()
}

/// Rounds until nothing is due.
pub async fn drain(worker: &Worker) -> Round {
    let mut total = Round::default();
    loop {
        let round = worker.run_once().await.unwrap();
        if round.handled() == 0 {
            return total;
        }
        total.sent += round.sent;
        total.retried += round.retried;
        total.failed += round.failed;
    }
}

fn message(n: usize) -> NewMessage {
    NewMessage {
        kind: "test".to_owned(),
        recipient: format!("person{n}@district.example.org"),
        recipient_id: None,
        subject: format!("Message {n}"),
        text_body: format!("Plain {n}"),
        html_body: format!("<p>Rich {n}</p>"),
        dedupe_key: None,
        list_unsubscribe: None,
    }
}

fn statuses(app: &TestApp) -> Vec<(String, i32, String)> {
    outbox_messages::table
        .order(outbox_messages::id)
        .select((
            outbox_messages::status,
            outbox_messages::attempts,
            outbox_messages::last_error,
        ))
        .load(&mut app.conn())
        .unwrap()
}

fn message_ids(mails: &[crate::smtp::Mail]) -> BTreeSet<String> {
    mails
        .iter()
        .map(|m| m.header("Message-ID").expect("a Message-ID"))
        .collect()
}

/// A visit of the story observed, debriefed through the page (a strength;
/// a problem of practice for Technology) and with its items proposed; and
/// the lead's browser, to publish it.
async fn debriefed<'a>(app: &'a TestApp, s: &Story) -> (i64, BrowserOn<'a>) {
    let first = visit(app, s, "2027-01-06");
    observe(app, s, first);
    let lead = signed_in(app, &s.lead).await;
    let saved = lead
        .post_form(
            &format!("/visits/{first}/debrief"),
            &[
                ("strengths", "Calm, purposeful classrooms"),
                ("problem_0", "Laptop carts are not charged"),
                (&format!("problem_0_dept_{}", s.technology), "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    for to in [VisitStatus::InProgress, VisitStatus::Debriefed] {
        db::visits::advance(&mut app.conn(), first, to).unwrap();
    }
    db::action_items::generate(&mut app.conn(), first, s.lead.id).unwrap();
    (first, lead)
}

/// The department head gives `item` to their staff member, through the page.
async fn assign_to_staff(app: &TestApp, s: &Story, item: &Item) {
    let head = signed_in(app, &s.head).await;
    let assigned = head
        .post_form(
            &format!("/items/{}", item.id),
            &[
                ("version", &item.version.to_string()),
                ("status", "in_progress"),
                ("priority", "normal"),
                ("owner", &s.staff.id.to_string()),
            ],
        )
        .await;
    assert_eq!(assigned.status(), 303);
}

/// Asks for a password reset link for `email`, as a signed-out browser.
async fn ask_for_reset(app: &TestApp, client: &reqwest::Client, email: &str) -> reqwest::Response {
    let url = app.url("/password/forgot");
    let page = client.get(&url).send().await.unwrap().text().await.unwrap();
    let csrf = crate::helpers::csrf_in(&page).unwrap();
    client
        .post(&url)
        .form(&[("csrf_token", csrf.as_str()), ("email", email)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn publishing_a_visit_emails_its_summaries_and_assignments_once() {
    let app = spawn_app().await;
    let s = story(&app);
    let (first, lead) = debriefed(&app, &s).await;
    let smtp = SmtpServer::start();
    let worker = worker(&app, &smtp.url());
    assert_eq!(
        drain(&worker).await,
        Round::default(),
        "nothing before publishing"
    );

    let published = lead
        .post_form(&format!("/visits/{first}/publish"), &[])
        .await;
    assert_eq!(published.status(), 303);
    let round = drain(&worker).await;
    let mails = smtp.received();
    assert_eq!(round.sent, mails.len());
    let items = everything(&app, first);
    let (curriculum_item, step) = crate::items::curriculum_and_step(&items, &s);

    // The school leader: the campus's steps and the department items.
    let to_leader: Vec<_> = mails
        .iter()
        .filter(|m| m.to == [s.leader.email.clone()])
        .collect();
    assert_eq!(to_leader.len(), 1, "{mails:#?}");
    let leader_mail = to_leader[0];
    let (subject, text, html) = leader_mail.parts();
    assert!(
        subject.contains("Oak Middle") && subject.contains("2027-01-06"),
        "{subject}"
    );
    assert!(leader_mail.data.contains("multipart/alternative"));
    for fact in [
        "Calm, purposeful classrooms".to_owned(),
        "Laptop carts are not charged".to_owned(),
        step.title.clone(),
        curriculum_item.title.clone(),
        format!("http://127.0.0.1/items/{}", step.id),
        format!("http://127.0.0.1/items/{}", curriculum_item.id),
        format!("http://127.0.0.1/visits/{first}"),
    ] {
        assert!(text.contains(&fact), "{fact} in the text part: {text}");
        assert!(html.contains(&fact), "{fact} in the HTML part: {html}");
    }
    assert!(
        html.contains(&format!("href=\"http://127.0.0.1/items/{}\"", step.id)),
        "{html}"
    );
    // The links work for the reader: signed in, they open the item; signed
    // out, sign-in comes first and leads back to it.
    let path = format!("/items/{}", step.id);
    let leader = signed_in(&app, &s.leader).await;
    assert_eq!(leader.get(&path).await.status(), 200);
    let signed_out = app.get(&path).await;
    assert_eq!(signed_out.status(), 303);
    let location = signed_out.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with("/sign-in") && location.contains("items"),
        "{location}"
    );
    let message_id = leader_mail.header("Message-ID").unwrap();
    let row: i64 = message_id
        .strip_prefix("<outbox-")
        .and_then(|rest| rest.strip_suffix("@test.example.org>"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a Message-ID from the outbox row: {message_id}"));
    let recipient: String = outbox_messages::table
        .find(row)
        .select(outbox_messages::recipient)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(recipient, s.leader.email);
    // The Curriculum head: Curriculum's items only.
    let to_head: Vec<_> = mails
        .iter()
        .filter(|m| m.to == [s.head.email.clone()])
        .collect();
    assert_eq!(to_head.len(), 1, "{mails:#?}");
    let (_, head_text, head_html) = to_head[0].parts();
    assert!(head_text.contains(&format!("/items/{}", curriculum_item.id)));
    assert!(head_html.contains(&format!("/items/{}", curriculum_item.id)));
    assert!(
        !head_text.contains(&format!("/items/{}", step.id)),
        "not the school's step"
    );
    // Technology's head is told of Technology's item.
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to == [s.tech_head.email.clone()])
            .count(),
        1
    );

    // Nothing more goes out, however often the worker runs.
    assert_eq!(drain(&worker).await, Round::default());
    assert_eq!(smtp.received().len(), mails.len());
    assert_eq!(message_ids(&mails).len(), mails.len());

    // Assigning the item to department staff tells them, once.
    assign_to_staff(&app, &s, curriculum_item).await;
    drain(&worker).await;
    let to_staff: Vec<_> = smtp
        .received()
        .into_iter()
        .filter(|m| m.to == [s.staff.email.clone()])
        .collect();
    assert_eq!(to_staff.len(), 1);
    let (subject, text, html) = to_staff[0].parts();
    assert!(subject.starts_with("Action item for you"), "{subject}");
    let link = format!("http://127.0.0.1/items/{}", curriculum_item.id);
    assert!(
        text.contains(&link) && html.contains(&link),
        "{text}\n{html}"
    );
}

#[tokio::test]
async fn messages_written_while_smtp_is_down_are_all_delivered_once_when_it_returns() {
    let app = spawn_app().await;
    for n in 0..20 {
        outbox::enqueue(&mut app.conn(), &message(n)).unwrap();
    }
    let port = SmtpServer::free_port();
    let worker = worker(&app, &format!("smtp://127.0.0.1:{port}"));
    let down = worker.run_once().await.unwrap();
    assert_eq!(down.retried, 20, "{down:?}");
    assert!(statuses(&app)
        .iter()
        .all(|(status, attempts, error)| status == "waiting"
            && *attempts == 1
            && !error.is_empty()));
    // Backoff: nothing is due again at once.
    assert_eq!(worker.run_once().await.unwrap(), Round::default());

    let smtp = SmtpServer::start_on(port);
    // Time passes: the retries fall due.
    diesel::update(outbox_messages::table)
        .set(outbox_messages::next_attempt_at.eq(db::now()))
        .execute(&mut app.conn())
        .unwrap();
    let up = drain(&worker).await;
    assert_eq!(up.sent, 20);
    let mails = smtp.received();
    assert_eq!(mails.len(), 20);
    assert_eq!(message_ids(&mails).len(), 20, "each message once");
    assert!(statuses(&app)
        .iter()
        .all(|(status, attempts, _)| status == "sent" && *attempts == 2));
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_message_with_the_server_s_reason() {
    let app = spawn_app().await;
    outbox::enqueue(&mut app.conn(), &message(1)).unwrap();
    let smtp = SmtpServer::start();
    smtp.refuse_with(550, "Mailbox unavailable: no such person here");
    let worker = worker(&app, &smtp.url());
    let round = worker.run_once().await.unwrap();
    assert_eq!(round.failed, 1, "{round:?}");
    let failed = outbox::list(&mut app.conn(), &["failed"], 10).unwrap();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].last_error.contains("no such person here"),
        "{failed:?}"
    );
    // Not retried, however often the worker runs.
    assert_eq!(drain(&worker).await, Round::default());
    assert_eq!(statuses(&app)[0].1, 1, "one try");
    // The administrator sees it with the reason, and puts it back in line.
    app.sign_in_as(&[campus_visits::domain::account::Role::Admin])
        .await;
    let page = app.get_text("/admin/mail").await;
    assert!(
        page.contains("no such person here") && page.contains("Failed"),
        "{page}"
    );
    let retried = app
        .post_form(&format!("/admin/mail/{}/retry", failed[0].id), &[])
        .await;
    assert_eq!(retried.status(), 303);
    assert_eq!(statuses(&app)[0].0, "waiting");
    let again = app
        .post_form(&format!("/admin/mail/{}/retry", failed[0].id), &[])
        .await;
    assert_eq!(again.status(), 404, "only a failed message is retried");
    // It goes once the server takes it.
    let smtp = SmtpServer::start();
    let round = drain(&self::worker(&app, &smtp.url())).await;
    assert_eq!(round.sent, 1);
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_later() {
    let app = spawn_app().await;
    outbox::enqueue(&mut app.conn(), &message(1)).unwrap();
    let smtp = SmtpServer::start();
    smtp.refuse_with(451, "Try again later");
    let round = worker(&app, &smtp.url()).run_once().await.unwrap();
    assert_eq!(round.retried, 1, "{round:?}");
    let (status, attempts, error) = statuses(&app).remove(0);
    assert_eq!((status.as_str(), attempts), ("waiting", 1));
    assert!(error.contains("Try again later"), "{error}");
}

/// Two workers, each with its own pool, on one database: a few hundred
/// messages, each delivered exactly once.
#[tokio::test]
async fn two_workers_on_one_database_send_each_message_once() {
    let app = spawn_app().await;
    for n in 0..300 {
        outbox::enqueue(&mut app.conn(), &message(n)).unwrap();
    }
    let smtp = SmtpServer::start();
    let (one, two) = (worker(&app, &smtp.url()), worker(&app, &smtp.url()));
    let (a, b) = tokio::join!(drain(&one), drain(&two));
    assert_eq!(a.sent + b.sent, 300, "{a:?} {b:?}");
    assert!(
        a.sent > 0 && b.sent > 0,
        "both workers took a share: {a:?} {b:?}"
    );
    let mails = smtp.wait_for(300).await;
    assert_eq!(mails.len(), 300);
    assert_eq!(message_ids(&mails).len(), 300);
    let recipients: BTreeSet<_> = mails.iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(recipients.len(), 300);
    assert!(statuses(&app)
        .iter()
        .all(|(status, attempts, _)| status == "sent" && *attempts == 1));
}

/// The same event's guard: a message with a dedupe key is written once.
#[tokio::test]
async fn a_dedupe_key_writes_one_message() {
    let app = spawn_app().await;
    let keyed = NewMessage {
        dedupe_key: Some("due_soon:7:2027-01-04".to_owned()),
        list_unsubscribe: None,
        ..message(1)
    };
    assert!(outbox::enqueue(&mut app.conn(), &keyed).unwrap());
    assert!(!outbox::enqueue(&mut app.conn(), &keyed).unwrap());
    assert_eq!(statuses(&app).len(), 1);
}

/// `serve` runs the worker itself: messages go without anyone asking.
#[tokio::test]
async fn the_worker_inside_serve_delivers_by_itself() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_on(TestDb::fresh(), |config| {
        config.mail.smtp_url = Some(url);
        config.mail.worker = true;
    })
    .await;
    for n in 0..3 {
        outbox::enqueue(&mut app.conn(), &message(n)).unwrap();
    }
    let mails = smtp.wait_for(3).await;
    assert_eq!(mails.len(), 3);
}

/// Development without SMTP_URL: each message becomes an .eml file.
#[tokio::test]
async fn without_smtp_messages_become_eml_files() {
    let app = spawn_app().await;
    outbox::enqueue(&mut app.conn(), &message(7)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let worker = MailConfig {
        smtp_url: None,
        from: "campus-visits <no-reply@test.example.org>".parse().unwrap(),
        dir: dir.path().to_path_buf(),
        host: "test.example.org".to_owned(),
        base_url: "http://127.0.0.1".to_owned(),
        signing_key: "k".repeat(64),
        worker: true,
    }
    .worker(Db::new(app.db.url(), 2, Duration::from_secs(5)))
    .unwrap();
    assert_eq!(worker.run_once().await.unwrap().sent, 1);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        eml.contains("Subject: Message 7") && eml.contains("person7@district.example.org"),
        "{eml}"
    );
}

/// Due-soon and overdue reminders: to the owner, with a copy to the
/// department's head when overdue; once a day however often the scheduler
/// runs; overdue ones again a week later.
#[tokio::test]
async fn reminders_go_once_a_day_to_owners_with_a_copy_when_overdue() {
    use campus_visits::db::schema::action_items;
    let app = spawn_app().await;
    let s = story(&app);
    let items = crate::items::published(&app, &s, s.school, &[s.visitor.id], &[]);
    let (curriculum, step) = crate::items::curriculum_and_step(&items, &s);
    let today = chrono::NaiveDate::from_ymd_opt(2027, 3, 2).unwrap(); // a Tuesday: no digests
    let day = chrono::Duration::days(1);
    for (id, owner, due) in [
        (curriculum.id, s.staff.id, today - day),
        (step.id, s.leader.id, today + day * 3),
    ] {
        diesel::update(action_items::table.find(id))
            .set((
                action_items::owner_id.eq(owner),
                action_items::due_on.eq(due),
            ))
            .execute(&mut app.conn())
            .unwrap();
    }
    let smtp = SmtpServer::start();
    let worker = worker(&app, &smtp.url());
    assert_eq!(worker.remind(today).await.unwrap(), 3);
    assert_eq!(worker.remind(today).await.unwrap(), 0, "the same day again");
    assert_eq!(drain(&worker).await.sent, 3);
    let mails = smtp.received();
    let to = |email: &str| -> Vec<String> {
        mails
            .iter()
            .filter(|m| m.to == [email.to_owned()])
            .map(|m| m.parts().0)
            .collect()
    };
    assert_eq!(
        to(&s.staff.email),
        [format!(
            "Overdue since {}: {}",
            today - day,
            curriculum.title
        )]
    );
    assert_eq!(
        to(&s.head.email),
        [format!(
            "Overdue since {}: {}",
            today - day,
            curriculum.title
        )],
        "the head's copy"
    );
    assert_eq!(
        to(&s.leader.email),
        [format!("Due {}: {}", today + day * 3, step.title)]
    );
    let (_, text, _) = mails
        .iter()
        .find(|m| m.to == [s.head.email.clone()])
        .unwrap()
        .parts();
    assert!(
        text.contains(&format!(
            "owned by {}",
            db::users::find(&mut app.conn(), s.staff.id).unwrap().name
        )),
        "{text}"
    );
    // The next days: nothing; a week on, the overdue item again.
    assert_eq!(worker.remind(today + day).await.unwrap(), 0);
    assert_eq!(worker.remind(today + day * 7).await.unwrap(), 2);
}

/// The Monday digest: overdue, due this week and recently done, to school
/// leaders and department heads, once a week, with a One-Click unsubscribe
/// that works without signing in and only with a true signature.
#[tokio::test]
async fn the_monday_digest_comes_once_a_week_and_one_click_unsubscribes() {
    use campus_visits::db::schema::action_items;
    let app = spawn_app().await;
    let s = story(&app);
    let items = crate::items::published(&app, &s, s.school, &[s.visitor.id], &[]);
    let (curriculum, step) = crate::items::curriculum_and_step(&items, &s);
    let monday = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let day = chrono::Duration::days(1);
    // Dates that raise no reminder on these days, only the digest.
    for (id, due) in [
        (curriculum.id, monday - day * 3),
        (step.id, monday + day * 5),
    ] {
        diesel::update(action_items::table.find(id))
            .set(action_items::due_on.eq(due))
            .execute(&mut app.conn())
            .unwrap();
    }
    let smtp = SmtpServer::start();
    let worker = worker(&app, &smtp.url());
    assert_eq!(
        worker.remind(monday - day).await.unwrap(),
        0,
        "Sunday: no digest"
    );
    assert_eq!(
        worker.remind(monday).await.unwrap(),
        2,
        "the leader's and the head's"
    );
    assert_eq!(worker.remind(monday).await.unwrap(), 0, "once a week");
    drain(&worker).await;
    let mails = smtp.received();
    let leader = mails
        .iter()
        .find(|m| m.to == [s.leader.email.clone()])
        .unwrap();
    let (subject, text, html) = leader.parts();
    assert!(subject.contains("1 overdue, 1 due"), "{subject}");
    for title in [&curriculum.title, &step.title] {
        assert!(
            text.contains(title.as_str()) && html.contains(title.as_str()),
            "{title}"
        );
    }
    let head = mails
        .iter()
        .find(|m| m.to == [s.head.email.clone()])
        .unwrap();
    let (head_subject, head_text, _) = head.parts();
    assert!(head_subject.contains("1 overdue, 0 due"), "{head_subject}");
    assert!(
        !head_text.contains(&step.title),
        "not the campus's own step"
    );
    let url = leader.header("List-Unsubscribe").unwrap();
    assert_eq!(
        leader.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let path = url
        .trim_start_matches("<http://127.0.0.1")
        .trim_end_matches('>')
        .to_owned();
    assert!(
        path.starts_with(&format!("/unsubscribe/{}/digest/", s.leader.id)),
        "{path}"
    );
    assert!(
        text.contains(&format!("http://127.0.0.1{path}")),
        "the link in the text too"
    );

    // A forged signature does nothing.
    let stranger = reqwest::Client::new();
    let forged = stranger
        .post(app.url(&format!(
            "/unsubscribe/{}/digest/00000000000000000000000000000000",
            s.leader.id
        )))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404);
    // Opening the link asks first; the mail program's One-Click POST acts.
    let page = stranger.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(db::outbox::opted_out(&mut app.conn(), s.leader.id)
        .unwrap()
        .is_empty());
    let clicked = stranger
        .post(app.url(&path))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 200);
    assert_eq!(
        db::outbox::opted_out(&mut app.conn(), s.leader.id).unwrap(),
        ["digest"]
    );
    // The next Monday, only the head's digest.
    assert_eq!(worker.remind(monday + day * 7).await.unwrap(), 1);
}

/// People choose on their account which kinds of email they receive; the
/// outbox refuses the kinds they turned off.
#[tokio::test]
async fn people_choose_which_email_they_receive() {
    let app = spawn_app().await;
    let user = app
        .sign_in_as(&[campus_visits::domain::account::Role::SchoolLeader])
        .await;
    let page = app.get_text("/account/mail").await;
    assert_eq!(page.matches("checked").count(), 5, "everything on at first");
    let kept: Vec<(&str, &str)> = ["visit_summary", "due_soon", "overdue", "digest"]
        .into_iter()
        .map(|k| (k, "on"))
        .collect();
    let saved = app.post_form("/account/mail", &kept).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        db::outbox::opted_out(&mut app.conn(), user.id).unwrap(),
        ["assignment"]
    );
    let to_user = |kind: &str| NewMessage {
        kind: kind.to_owned(),
        recipient_id: Some(user.id),
        ..message(1)
    };
    assert!(!outbox::enqueue(&mut app.conn(), &to_user("assignment")).unwrap());
    assert!(outbox::enqueue(&mut app.conn(), &to_user("visit_summary")).unwrap());
    assert_eq!(statuses(&app).len(), 1);
}

/// Every kind of message as its reader gets it — subject, plain text and
/// HTML — from one story: publish (summaries), assign, the reminders of a
/// Tuesday, the digest of a Monday. People's names, addresses and
/// unsubscribe signatures are redacted (they depend on test order); dates
/// and ids are those of a fresh database, the same on both engines.
#[tokio::test]
async fn every_kind_of_message_reads_as_recorded() {
    use campus_visits::db::schema::action_items;
    let app = spawn_app().await;
    let s = story(&app);
    let (first, lead) = debriefed(&app, &s).await;
    let published = lead
        .post_form(&format!("/visits/{first}/publish"), &[])
        .await;
    assert_eq!(published.status(), 303);
    let items = everything(&app, first);
    let (curriculum, step) = crate::items::curriculum_and_step(&items, &s);
    assign_to_staff(&app, &s, curriculum).await;
    let day = chrono::Duration::days(1);
    let tuesday = chrono::NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
    for (id, due) in [(curriculum.id, tuesday - day), (step.id, tuesday + day * 3)] {
        diesel::update(action_items::table.find(id))
            .set(action_items::due_on.eq(due))
            .execute(&mut app.conn())
            .unwrap();
    }
    let worker = worker(&app, "smtp://127.0.0.1:1");
    worker.remind(tuesday).await.unwrap();
    worker.remind(tuesday + day * 6).await.unwrap();
    // And a password reset link.
    ask_for_reset(&app, &crate::helpers::browser(), &s.leader.email).await;

    let rows: Vec<(String, String, String, String)> = outbox_messages::table
        .order(outbox_messages::id)
        .select((
            outbox_messages::kind,
            outbox_messages::subject,
            outbox_messages::text_body,
            outbox_messages::html_body,
        ))
        .load(&mut app.conn())
        .unwrap();
    let kinds: BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "assignment",
            "digest",
            "due_soon",
            "overdue",
            "password_reset",
            "visit_summary"
        ]
        .into_iter()
        .collect()
    );
    // The first message of each kind.
    let mut seen = BTreeSet::new();
    let mut document = String::new();
    for (kind, subject, text, html) in &rows {
        if seen.insert(kind.clone()) {
            document.push_str(&format!(
                "==== {kind}\nSubject: {subject}\n---- text\n{text}\n---- html\n{html}\n\n"
            ));
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.add_filter(r"Person \d+", "[person]");
    settings.add_filter(r"/password/reset/[0-9a-f-]+", "/password/reset/[token]");
    settings.add_filter(
        r"/unsubscribe/\d+/(\w+)/[0-9a-f]+",
        "/unsubscribe/[person]/$1/[signature]",
    );
    settings.bind(|| insta::assert_snapshot!("every_kind_of_message", document));
}

/// Password reset by email: the link arrives, works once, for an hour, and
/// ends every session; the page answers the same for unknown addresses.
#[tokio::test]
async fn a_password_reset_link_works_once() {
    let app = spawn_app().await;
    let user = app.create_user(&[campus_visits::domain::account::Role::Visitor], None, None);
    let client = crate::helpers::browser();
    let known = ask_for_reset(&app, &client, &user.email.to_uppercase()).await;
    assert_eq!(known.status(), 200);
    let known = known.text().await.unwrap();
    let unknown = ask_for_reset(&app, &client, "nobody@district.example.org")
        .await
        .text()
        .await
        .unwrap();
    let answer = |page: &str| page.contains("If an account uses that address");
    assert!(
        answer(&known) && answer(&unknown),
        "the same answer either way"
    );

    let smtp = SmtpServer::start();
    assert_eq!(
        drain(&worker(&app, &smtp.url())).await.sent,
        1,
        "one message, to the real account"
    );
    let (_, text, html) = smtp.received()[0].parts();
    let start = text
        .find("http://127.0.0.1/password/reset/")
        .expect("a link");
    let link: String = text[start..].split_whitespace().next().unwrap().to_owned();
    assert!(html.contains(&link));
    let path = link.trim_start_matches("http://127.0.0.1").to_owned();

    let form = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let csrf = crate::helpers::csrf_in(&form.text().await.unwrap()).unwrap();
    let weak = client
        .post(app.url(&path))
        .form(&[("csrf_token", csrf.as_str()), ("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    let set = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("password", "a brand new long passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 303);
    let (signed_in, _) = crate::helpers::sign_in_with(
        &app,
        &crate::helpers::browser(),
        &user.email,
        "a brand new long passphrase",
    )
    .await;
    assert_eq!(signed_in.status(), 303, "the new password works");
    // Spent: the same link again is refused.
    let again = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 404);
    // A forged or altered link is refused too.
    let forged = path.replace(&path[path.len() - 4..], "0000");
    assert_eq!(
        client.get(app.url(&forged)).send().await.unwrap().status(),
        404
    );
}

/// The district's clock decides the day: Monday 03:00 UTC is still Sunday
/// evening in Chicago (no digest); Monday 13:00 UTC is Monday morning there.
#[tokio::test]
async fn the_digest_follows_the_district_s_time_zone() {
    use campus_visits::db::schema::action_items;
    let app = spawn_app().await;
    let s = story(&app);
    let items = crate::items::published(&app, &s, s.school, &[s.visitor.id], &[]);
    let monday = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    for item in &items {
        diesel::update(action_items::table.find(item.id))
            .set(action_items::due_on.eq(monday - chrono::Duration::days(3)))
            .execute(&mut app.conn())
            .unwrap();
    }
    let mut settings = db::settings::find(&mut app.conn()).unwrap();
    settings.time_zone = chrono_tz::America::Chicago;
    db::settings::save(&mut app.conn(), &settings).unwrap();
    let worker = worker(&app, "smtp://127.0.0.1:1");
    let at = |hour: u32| monday.and_hms_opt(hour, 0, 0).unwrap().and_utc();
    assert_eq!(
        worker.remind_at(at(3)).await.unwrap(),
        0,
        "Sunday 21:00 in Chicago"
    );
    assert_eq!(
        worker.remind_at(at(13)).await.unwrap(),
        2,
        "Monday 07:00 in Chicago"
    );
}

/// A worker that claims messages and dies before sending them: its lease
/// runs out and another worker sends each message, once.
#[tokio::test]
async fn messages_of_a_worker_that_died_go_once_its_lease_runs_out() {
    let app = spawn_app().await;
    for n in 0..5 {
        outbox::enqueue(&mut app.conn(), &message(n)).unwrap();
    }
    // The worker that dies: it claims everything, then nothing more.
    let held = outbox::claim(&mut app.conn(), 50, chrono::Duration::minutes(2)).unwrap();
    assert_eq!(held.len(), 5);
    let smtp = SmtpServer::start();
    let survivor = worker(&app, &smtp.url());
    assert_eq!(
        survivor.run_once().await.unwrap(),
        Round::default(),
        "held by the lease"
    );
    // Two minutes later.
    diesel::update(outbox_messages::table)
        .set(outbox_messages::lease_until.eq(db::now() - chrono::Duration::seconds(1)))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(drain(&survivor).await.sent, 5);
    assert_eq!(message_ids(&smtp.received()).len(), 5);
    assert_eq!(drain(&survivor).await, Round::default());
}
