//! The `user` and `token` commands: account administration from a shell,
//! for the first administrator of a fresh install and for scripts.

use std::collections::BTreeSet;
use std::io::BufRead;

use anyhow::{anyhow, bail, Context};

use crate::auth::{password, token};
use crate::config::{TokenAction, UserAction};
use crate::db::audit::NewEvent;
use crate::db::{self, DbConn};
use crate::domain::account::{NewPassword, Role};
use crate::domain::user::NewUser;

/// What a command has to say; secrets in it are shown once and never kept.
pub type Output = String;

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        NewPassword::parse(&password).map_err(|e| anyhow!("password: {e}"))?;
        Ok((password, false))
    } else {
        Ok((password::generate(), true))
    }
}

pub fn run_user(conn: &mut DbConn, action: UserAction) -> anyhow::Result<Output> {
    match action {
        UserAction::Add {
            email,
            name,
            roles,
            school,
            department,
            password_stdin,
            invite,
        } => {
            let roles: BTreeSet<Role> = roles
                .iter()
                .map(|r| r.parse::<Role>().map_err(|e| anyhow!("role {r:?}: {e}")))
                .collect::<anyhow::Result<_>>()?;
            let invitation = invite.invite();
            let (secret, generated) = match invitation {
                Some(_) if !password_stdin => (String::new(), false),
                _ => read_password(password_stdin)?,
            };
            let hash = (!secret.is_empty()).then(|| password::hash(&secret));
            let id = db::write_transaction(conn, |conn| -> anyhow::Result<i64> {
                let school_id = match &school {
                    Some(code) => Some(
                        db::schools::find_by_code(conn, &code.trim().to_ascii_uppercase())?
                            .ok_or_else(|| anyhow!("no school has the code {code:?}"))?
                            .id,
                    ),
                    None => None,
                };
                let department_id = match &department {
                    Some(name) => Some(
                        db::departments::find_by_name(conn, name)?
                            .ok_or_else(|| anyhow!("no department is named {name:?}"))?
                            .id,
                    ),
                    None => None,
                };
                let user = NewUser::parse(&name, &email, true, school_id, department_id).map_err(
                    |errors| {
                        anyhow!(errors
                            .iter()
                            .map(|(f, m)| format!("{f}: {m}"))
                            .collect::<Vec<_>>()
                            .join("; "))
                    },
                )?;
                let id = db::users::insert(conn, &user).map_err(|e| match e.refusal() {
                    Ok(errors) => {
                        anyhow!(errors
                            .iter()
                            .map(|(f, m)| format!("{f}: {m}"))
                            .collect::<Vec<_>>()
                            .join("; "))
                    }
                    Err(e) => e.into(),
                })?;
                if let Some(hash) = &hash {
                    db::accounts::set_password_hash(conn, id, hash)?;
                }
                db::accounts::set_roles(conn, id, &roles)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("user.created")
                        .on("user", id)
                        .detail("command line"),
                )?;
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                db::audit::record(
                    conn,
                    &NewEvent::new("user.roles_changed")
                        .on("user", id)
                        .detail(format!(" -> {}", names.join(","))),
                )?;
                if let Some(invitation) = &invitation {
                    crate::web::actions::users::send_invitation(conn, None, id, invitation)?;
                }
                Ok(id)
            })?;
            let mut out = format!("added user {id} ({})", email.trim().to_lowercase());
            if invitation.is_some() {
                out.push_str(
                    "
invitation queued; the mail worker of `serve` or `worker` sends it",
                );
            }
            if generated {
                out.push_str(&format!("\npassword (shown once): {secret}"));
            }
            Ok(out)
        }
        UserAction::ResetPassword {
            email,
            password_stdin,
        } => {
            let (secret, generated) = read_password(password_stdin)?;
            let hash = password::hash(&secret);
            let id = db::write_transaction(conn, |conn| -> anyhow::Result<i64> {
                let user = db::users::find_by_email(conn, &email)?
                    .ok_or_else(|| anyhow!("no user has the email {email:?}"))?;
                db::accounts::set_password_hash(conn, user.id, &hash)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("user.password_reset")
                        .on("user", user.id)
                        .detail("command line"),
                )?;
                Ok(user.id)
            })?;
            let mut out = format!("reset the password of user {id}; their sessions have ended");
            if generated {
                out.push_str(&format!("\npassword (shown once): {secret}"));
            }
            Ok(out)
        }
        UserAction::Deactivate { email } => {
            let id = db::write_transaction(conn, |conn| -> anyhow::Result<i64> {
                let user = db::users::find_by_email(conn, &email)?
                    .ok_or_else(|| anyhow!("no user has the email {email:?}"))?;
                db::users::set_active(conn, user.id, false)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("user.deactivated")
                        .on("user", user.id)
                        .detail("command line"),
                )?;
                Ok(user.id)
            })?;
            Ok(format!("deactivated user {id}; their sessions have ended"))
        }
    }
}

pub fn run_token(conn: &mut DbConn, action: TokenAction) -> anyhow::Result<Output> {
    match action {
        TokenAction::Create { email, name } => {
            let name = crate::domain::fields::required_text(&name, 100, "Name the token.")
                .map_err(|e| anyhow!("name: {e}"))?;
            let secret = token::generate();
            let digest = token::digest(&secret);
            db::write_transaction(conn, |conn| -> anyhow::Result<()> {
                let user = db::users::find_by_email(conn, &email)?
                    .ok_or_else(|| anyhow!("no user has the email {email:?}"))?;
                if !user.active {
                    bail!("user {} is deactivated", user.id);
                }
                let token_id = db::accounts::insert_token(conn, user.id, &name, &digest)?;
                db::audit::record(
                    conn,
                    &NewEvent::new("api_token.created")
                        .by(Some(user.id))
                        .on("api_token", token_id)
                        .detail("command line"),
                )?;
                Ok(())
            })?;
            Ok(format!(
                "API token (shown once; send as `Authorization: Bearer <token>`):\n{secret}"
            ))
        }
    }
}
