//! The admin pages of the directory, used as an administrator would.

use campus_visits::domain::account::Role;

use crate::helpers::{location, spawn_app};

#[tokio::test]
async fn an_admin_adds_a_school_and_finds_it_in_the_list() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let form = app.get_text("/admin/schools/new").await;
    for label in [
        r#"<label for="name">"#,
        r#"<label for="code">"#,
        r#"<label for="level">"#,
    ] {
        assert!(form.contains(label), "the form labels its fields: {label}");
    }

    let response = app
        .post_form(
            "/admin/schools",
            &[
                ("name", "Oak Grove Elementary"),
                ("code", "og-1"),
                ("level", "elementary"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/admin/schools?done=created");

    let list = app.get_text("/admin/schools?done=created").await;
    assert!(list.contains("The school was added."));
    assert!(list.contains("Oak Grove Elementary"));
    assert!(list.contains("OG-1"), "codes are stored upper-case");
}

#[tokio::test]
async fn a_bad_school_form_comes_back_with_messages_beside_the_fields() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let response = app
        .post_form(
            "/admin/schools",
            &[("name", "  "), ("code", "has space"), ("level", "college")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Enter the school&#39;s name.") || page.contains("Enter the school's name.")
    );
    assert!(page.contains(r#"id="code-error""#));
    assert!(
        page.contains("Use letters, digits, &#39;-&#39; and &#39;_&#39; only.")
            || page.contains("Use letters, digits, '-' and '_' only.")
    );
    assert!(
        page.contains(r#"value="has space""#),
        "what was typed is kept"
    );
    assert!(page.contains("Use elementary, middle, high or other."));

    let mut conn = app.conn();
    assert_eq!(
        campus_visits::db::schools::count_all(&mut conn).unwrap(),
        0,
        "nothing was stored"
    );
}

#[tokio::test]
async fn a_duplicate_code_is_refused_on_the_code_field() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let school = [
        ("name", "Lamar Middle"),
        ("code", "M1"),
        ("level", "middle"),
    ];
    assert_eq!(app.post_form("/admin/schools", &school).await.status(), 303);
    let again = app
        .post_form(
            "/admin/schools",
            &[("name", "Other"), ("code", "m1"), ("level", "high")],
        )
        .await;
    assert_eq!(again.status(), 422);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Another school already uses this code."));
    let mut conn = app.conn();
    assert_eq!(campus_visits::db::schools::count_all(&mut conn).unwrap(), 1);
}

#[tokio::test]
async fn names_are_shown_escaped() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let response = app
        .post_form(
            "/admin/schools",
            &[
                ("name", "<script>alert('x')</script> Elementary"),
                ("code", "X1"),
                ("level", "elementary"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let list = app.get_text("/admin/schools").await;
    assert!(!list.contains("<script>alert"));
    assert!(list.contains("&lt;script&gt;"), "{list}");
}

#[tokio::test]
async fn an_admin_edits_and_deactivates_a_school() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    app.post_form(
        "/admin/schools",
        &[
            ("name", "Travis High"),
            ("code", "H9"),
            ("level", "high"),
            ("active", "on"),
        ],
    )
    .await;
    let mut conn = app.conn();
    let school = campus_visits::db::schools::find_by_code(&mut conn, "H9")
        .unwrap()
        .unwrap();

    let edit = app
        .get_text(&format!("/admin/schools/{}/edit", school.id))
        .await;
    assert!(edit.contains(r#"value="Travis High""#));
    let saved = app
        .post_form(
            &format!("/admin/schools/{}", school.id),
            &[
                ("name", "Travis Early College High"),
                ("code", "H9"),
                ("level", "high"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert!(app
        .get_text("/admin/schools")
        .await
        .contains("Travis Early College High"));

    let off = app
        .post_form(&format!("/admin/schools/{}/deactivate", school.id), &[])
        .await;
    assert_eq!(off.status(), 303);
    let list = app.get_text("/admin/schools").await;
    assert!(
        !list.contains("Travis Early College High"),
        "deactivated schools leave the list"
    );
    let all = app.get_text("/admin/schools?inactive=on").await;
    assert!(all.contains("Travis Early College High") && all.contains("Inactive"));

    let on = app
        .post_form(&format!("/admin/schools/{}/activate", school.id), &[])
        .await;
    assert_eq!(on.status(), 303);
    assert!(app
        .get_text("/admin/schools")
        .await
        .contains("Travis Early College High"));

    let missing = app
        .post_form("/admin/schools/99999999/deactivate", &[])
        .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_school_list_searches_and_pages() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let mut conn = app.conn();
    for i in 0..60 {
        let school = campus_visits::domain::school::NewSchool::parse(
            &format!("School {i:02}"),
            &format!("S{i:02}"),
            "elementary",
            true,
        )
        .unwrap();
        campus_visits::db::schools::insert(&mut conn, &school).unwrap();
    }
    let first = app.get_text("/admin/schools").await;
    assert!(first.contains("Page 1 of 2 (60 in all)"));
    assert!(first.contains("School 00") && !first.contains("School 55"));
    let second = app.get_text("/admin/schools?page=2").await;
    assert!(second.contains("School 55") && !second.contains("School 00<"));
    let found = app.get_text("/admin/schools?q=school+4").await;
    assert!(found.contains("School 42") && !found.contains("School 12"));
    let by_code = app.get_text("/admin/schools?q=s07").await;
    assert!(by_code.contains("School 07") && by_code.contains("1 in all"));
    // Wildcards typed by a person are matched literally.
    assert!(app
        .get_text("/admin/schools?q=%25")
        .await
        .contains("No schools match."));
}

#[tokio::test]
async fn an_admin_adds_a_department_and_a_person_in_it() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let created = app
        .post_form(
            "/admin/departments",
            &[
                ("name", "Multilingual"),
                ("contact_email", "ML@District.org"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let duplicate = app
        .post_form(
            "/admin/departments",
            &[("name", "multilingual"), ("contact_email", "")],
        )
        .await;
    assert_eq!(duplicate.status(), 422);
    assert!(duplicate
        .text()
        .await
        .unwrap()
        .contains("Another department already has this name."));
    let bad_email = app
        .post_form(
            "/admin/departments",
            &[("name", "Research"), ("contact_email", "research")],
        )
        .await;
    assert_eq!(bad_email.status(), 422);

    let departments = app.get_text("/admin/departments").await;
    assert!(departments.contains("Multilingual") && departments.contains("ml@district.org"));

    let mut conn = app.conn();
    let department = campus_visits::db::departments::find_by_name(&mut conn, "MULTILINGUAL")
        .unwrap()
        .unwrap();
    let form = app.get_text("/admin/users/new").await;
    assert!(form.contains(&format!(
        r#"<option value="{}">Multilingual</option>"#,
        department.id
    )));

    let person = app
        .post_form(
            "/admin/users",
            &[
                ("name", "Tomás Aguilar"),
                ("email", "Tomas@District.org"),
                ("school_id", ""),
                ("department_id", &department.id.to_string()),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(person.status(), 303);
    let people = app.get_text("/admin/users").await;
    assert!(
        people.contains("Tomás Aguilar")
            && people.contains("tomas@district.org")
            && people.contains("Multilingual")
    );

    let same_email = app
        .post_form(
            "/admin/users",
            &[("name", "Someone"), ("email", "TOMAS@district.org")],
        )
        .await;
    assert_eq!(same_email.status(), 422);
    assert!(same_email
        .text()
        .await
        .unwrap()
        .contains("Another person already uses this email address."));

    let ghost_school = app
        .post_form(
            "/admin/users",
            &[
                ("name", "Someone"),
                ("email", "s@d.org"),
                ("school_id", "99999"),
            ],
        )
        .await;
    assert_eq!(ghost_school.status(), 422);
    assert!(ghost_school
        .text()
        .await
        .unwrap()
        .contains("Choose a school from the list."));
}

#[tokio::test]
async fn people_are_edited_and_deactivated() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    app.post_form(
        "/admin/users",
        &[
            ("name", "Grace Kim"),
            ("email", "grace@d.org"),
            ("active", "on"),
        ],
    )
    .await;
    let mut conn = app.conn();
    let user = campus_visits::db::users::find_by_email(&mut conn, "grace@d.org")
        .unwrap()
        .unwrap();
    let saved = app
        .post_form(
            &format!("/admin/users/{}", user.id),
            &[
                ("name", "Grace Kim-Lee"),
                ("email", "grace@d.org"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        app.post_form(&format!("/admin/users/{}/deactivate", user.id), &[])
            .await
            .status(),
        303
    );
    let user = campus_visits::db::users::find(&mut conn, user.id).unwrap();
    assert_eq!(user.name, "Grace Kim-Lee");
    assert!(!user.active);
    assert!(!app.get_text("/admin/users").await.contains("Grace Kim-Lee"));
    assert!(app
        .get_text("/admin/users?inactive=on&q=kim")
        .await
        .contains("Grace Kim-Lee"));
}

#[tokio::test]
async fn a_form_that_cannot_be_read_is_a_clear_400() {
    let app = spawn_app().await;
    app.sign_in_as(&[Role::Admin]).await;
    let response = app
        .client
        .post(app.url("/admin/schools"))
        .header("x-csrf-token", app.csrf())
        .header("content-type", "text/plain")
        .body("name=Oak")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("The form could not be read."));
}
