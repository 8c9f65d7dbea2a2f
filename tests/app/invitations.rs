//! Invitations: adding a person emails them a link that works once, for
//! seven days, to set their password; administrators resend and revoke it
//! from the people page and the API.

use campus_visits::db::schema::invitations;
use campus_visits::domain::account::Role;
use diesel::prelude::*;

use crate::accounts::audit_actions;
use crate::helpers::{browser, csrf_in, sign_in_with, spawn_app, TestApp};
use crate::mail::{drain, worker};
use crate::smtp::SmtpServer;

/// Delivers what is due and returns the invitation links that arrived.
async fn delivered_links(app: &TestApp, smtp: &SmtpServer, before: usize) -> Vec<String> {
    drain(&worker(app, &smtp.url())).await;
    smtp.received()[before..]
        .iter()
        .map(|mail| {
            let (subject, text, html) = mail.parts();
            assert_eq!(subject, "You are invited to campus-visits");
            let start = text.find("http://127.0.0.1/invitations/").expect("a link");
            let link = text[start..].split_whitespace().next().unwrap().to_owned();
            assert!(html.contains(&link), "the same link in both parts");
            link.trim_start_matches("http://127.0.0.1").to_owned()
        })
        .collect()
}

fn user_id(app: &TestApp, email: &str) -> i64 {
    use campus_visits::db::schema::users;
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap()
}

async fn status(client: &reqwest::Client, app: &TestApp, path: &str) -> u16 {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_person_added_on_the_people_page_is_invited_once_and_sets_their_password_once() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let added = app
        .post_form(
            "/admin/users",
            &[
                ("name", "Rosa Díaz"),
                ("email", "Rosa.Diaz@district.example.org"),
                ("active", "on"),
                ("role_visitor", "on"),
                ("invite", "on"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let smtp = SmtpServer::start();
    let links = delivered_links(&app, &smtp, 0).await;
    assert_eq!(links.len(), 1, "one invitation");
    assert!(smtp.received()[0]
        .header("To")
        .unwrap()
        .contains("rosa.diaz@district.example.org"));
    // Nothing more is due: the invitation went once.
    assert_eq!(drain(&worker(&app, &smtp.url())).await.sent, 0);
    let list = app.get_text("/admin/users").await;
    assert!(list.contains("Invitation sent"), "the people page says so");

    let client = browser();
    let page = client.get(app.url(&links[0])).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Welcome, Rosa Díaz"));
    let csrf = csrf_in(&page).unwrap();
    let weak = client
        .post(app.url(&links[0]))
        .form(&[("csrf_token", csrf.as_str()), ("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        weak.status(),
        422,
        "a weak password is refused, the link kept"
    );
    let set = client
        .post(app.url(&links[0]))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("password", "a long passphrase of her own"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 303);
    let (signed_in, _) = sign_in_with(
        &app,
        &browser(),
        "rosa.diaz@district.example.org",
        "a long passphrase of her own",
    )
    .await;
    assert_eq!(signed_in.status(), 303, "the chosen password signs her in");
    assert_eq!(status(&client, &app, &links[0]).await, 404, "spent");
    assert_eq!(
        status(&client, &app, "/invitations/0123456789abcdef").await,
        404,
        "a made-up link"
    );
    let actions = audit_actions(&app);
    for action in [
        "user.created",
        "user.roles_changed",
        "invitation.sent",
        "invitation.accepted",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert!(app
        .get_text("/admin/users")
        .await
        .contains("Invitation accepted"));
}

#[tokio::test]
async fn an_invitation_is_resent_and_revoked_through_the_api_and_the_old_link_stops_working() {
    let app = spawn_app().await;
    let (_, token) = app.token_for(&[Role::Admin]);
    let api = reqwest::Client::new();
    let created = api
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "name": "Sam Okafor",
            "email": "sam.okafor@district.example.org",
            "invite": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let smtp = SmtpServer::start();
    let first = delivered_links(&app, &smtp, 0).await;
    assert_eq!(first.len(), 1);

    let resent = api
        .post(app.url(&format!("/api/v1/users/{id}/invitation")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), 204);
    let second = delivered_links(&app, &smtp, 1).await;
    assert_eq!(second.len(), 1, "one more message");
    assert_ne!(first[0], second[0]);
    let client = browser();
    assert_eq!(status(&client, &app, &first[0]).await, 404, "replaced");
    assert_eq!(status(&client, &app, &second[0]).await, 200);

    let revoke = || {
        api.delete(app.url(&format!("/api/v1/users/{id}/invitation")))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(revoke().await.unwrap().status(), 204);
    assert_eq!(status(&client, &app, &second[0]).await, 404, "revoked");
    assert_eq!(
        revoke().await.unwrap().status(),
        204,
        "nothing left to revoke: done"
    );
    let revocations = audit_actions(&app)
        .into_iter()
        .filter(|a| a == "invitation.revoked")
        .count();
    assert_eq!(revocations, 1, "recorded once");
    let missing = api
        .post(app.url("/api/v1/users/999999/invitation"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let actions = audit_actions(&app);
    for action in ["invitation.sent", "invitation.resent", "invitation.revoked"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert_eq!(user_id(&app, "sam.okafor@district.example.org"), id);
}

#[tokio::test]
async fn the_people_page_resends_and_revokes_and_an_expired_link_is_gone() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let person = app.create_user(&[Role::SchoolLeader], None, None);
    let smtp = SmtpServer::start();
    let send = app
        .post_form(&format!("/admin/users/{}/invitation", person.id), &[])
        .await;
    assert_eq!(send.status(), 303);
    let first = delivered_links(&app, &smtp, 0).await;
    assert_eq!(first.len(), 1);
    let client = browser();
    assert_eq!(status(&client, &app, &first[0]).await, 200);

    // Seven days later the link is gone.
    diesel::update(invitations::table.filter(invitations::user_id.eq(person.id)))
        .set(invitations::expires_at.eq(campus_visits::db::now() - chrono::Duration::minutes(1)))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(status(&client, &app, &first[0]).await, 404, "expired");
    let list = app.get_text("/admin/users").await;
    assert!(list.contains("Invitation expired"));

    let again = app
        .post_form(&format!("/admin/users/{}/invitation", person.id), &[])
        .await;
    assert_eq!(again.status(), 303);
    let second = delivered_links(&app, &smtp, 1).await;
    assert_eq!(status(&client, &app, &second[0]).await, 200);
    let revoke = app
        .post_form(
            &format!("/admin/users/{}/invitation/revoke", person.id),
            &[],
        )
        .await;
    assert_eq!(revoke.status(), 303);
    assert_eq!(status(&client, &app, &second[0]).await, 404, "revoked");
    assert!(app
        .get_text("/admin/users")
        .await
        .contains("Invitation revoked"));

    // A deactivated person cannot be invited.
    app.post_form(&format!("/admin/users/{}/deactivate", person.id), &[])
        .await;
    let refused = app
        .post_form(&format!("/admin/users/{}/invitation", person.id), &[])
        .await;
    assert_eq!(refused.status(), 409);
}

#[tokio::test]
async fn the_command_line_invites_whom_user_add_and_the_csv_import_add() {
    let app = spawn_app().await;
    let cli = |args: &[&str]| {
        let out = crate::helpers::campus_visits(app.db.url(), args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let added = cli(&[
        "user",
        "add",
        "--email",
        "lee.chan@district.example.org",
        "--name",
        "Lee Chan",
        "--role",
        "visitor",
        "--invite",
        "--base-url",
        "http://127.0.0.1/",
    ]);
    assert!(added.contains("invitation queued"), "{added}");
    assert!(
        !added.contains("password (shown once)"),
        "no password when inviting"
    );

    let csv = std::env::temp_dir().join(format!("invite-{}.csv", std::process::id()));
    std::fs::write(
        &csv,
        "name,email,active\nAmi Park,ami.park@district.example.org,true\nOld Hand,old.hand@district.example.org,false\n",
    )
    .unwrap();
    let imported = cli(&[
        "import",
        "users",
        csv.to_str().unwrap(),
        "--invite",
        "--base-url",
        "http://127.0.0.1",
    ]);
    std::fs::remove_file(&csv).ok();
    assert!(imported.contains("2 created"), "{imported}");

    let smtp = SmtpServer::start();
    let links = delivered_links(&app, &smtp, 0).await;
    assert_eq!(links.len(), 2, "Lee and Ami; not the inactive person");
    let to: Vec<String> = smtp
        .received()
        .iter()
        .map(|m| m.header("To").unwrap())
        .collect();
    assert!(to.iter().any(|t| t.contains("lee.chan@")), "{to:?}");
    assert!(to.iter().any(|t| t.contains("ami.park@")), "{to:?}");
    let client = browser();
    for link in &links {
        assert_eq!(status(&client, &app, link).await, 200);
    }
    let actions = audit_actions(&app);
    assert_eq!(
        actions.iter().filter(|a| *a == "invitation.sent").count(),
        2
    );
}

/// With single sign-on and password sign-in kept for the break-glass
/// administrator only, the invitation offers the district's provider and no
/// password; accepting spends the link and starts the provider's sign-in.
#[tokio::test]
async fn with_single_sign_on_the_invitation_leads_to_the_district_s_provider() {
    use campus_visits::domain::account::PasswordSignIn;
    let provider = crate::sso::Provider::start();
    let app = crate::sso::app_on(
        &provider,
        None,
        PasswordSignIn::only("breakglass@district.example.org"),
        |_| {},
    )
    .await;
    let (_, token) = app.token_for(&[Role::Admin]);
    let created = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "name": "Noor Haddad",
            "email": "noor.haddad@district.example.org",
            "invite": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let smtp = SmtpServer::start();
    let links = delivered_links(&app, &smtp, 0).await;
    let (_, text, _) = smtp.received()[0].parts();
    assert!(text.contains("sign in with Riverside ISD"), "{text}");

    let client = browser();
    let page = client
        .get(app.url(&links[0]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in with Riverside ISD"));
    assert!(!page.contains("name=\"password\""), "no password for her");
    let csrf = csrf_in(&page).unwrap();
    let with_password = client
        .post(app.url(&links[0]))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("password", "a long passphrase of hers"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_password.status(),
        403,
        "password sign-in is off for her"
    );
    let accepted = client
        .post(app.url(&links[0]))
        .form(&[("csrf_token", csrf.as_str()), ("with", "sso")])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 303);
    assert_eq!(crate::helpers::location(&accepted), "/sign-in/sso");
    assert_eq!(status(&client, &app, &links[0]).await, 404, "spent");
}
