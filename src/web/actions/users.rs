//! Changes to the people of the directory that administration depends on.

use std::collections::BTreeSet;

use super::Actor;
use crate::db::{self, DbConn, WriteError};
use crate::domain::account::{check_admin_change, AdminChange, Role};
use crate::domain::user::NewUser;

/// Refuses (409, the field named) a change that would leave the district
/// without an active administrator or lock the actor out of their own
/// account. `admin_after` is `None` when the person's roles stay as they are.
fn keeps_administration(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    stays_active: bool,
    admin_after: Option<bool>,
) -> Result<(), WriteError> {
    let account = db::accounts::find(conn, id)?;
    let is_admin = account.roles.contains(&Role::Admin);
    let change = AdminChange {
        own_account: actor.id == id,
        admin_before: account.active && is_admin,
        admin_after: admin_after.unwrap_or(is_admin),
        stays_active,
        active_admins: db::users::holders(conn, Role::Admin)?.len() as i64,
    };
    check_admin_change(change).map_err(|(field, message)| WriteError::Conflict {
        field,
        message: message.to_owned(),
    })
}

/// Replaces person `id`'s fields, and their roles when given (`None`
/// keeps them); deactivating them ends their sessions and revokes their
/// tokens and calendar link.
pub fn change(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    user: &NewUser,
    roles: Option<&BTreeSet<Role>>,
) -> Result<(), WriteError> {
    db::write_transaction(conn, |conn| {
        let admin_after = roles.map(|r| r.contains(&Role::Admin));
        keeps_administration(conn, actor, id, user.active, admin_after)?;
        db::users::update(conn, id, user)?;
        actor.record(conn, actor.event("user.updated").on("user", id))?;
        if let Some(roles) = roles {
            let before = db::accounts::set_roles(conn, id, roles)?;
            if &before != roles {
                let names = |set: &BTreeSet<Role>| {
                    set.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
                };
                let event = actor
                    .event("user.roles_changed")
                    .on("user", id)
                    .detail(format!("{} -> {}", names(&before), names(roles)));
                actor.record(conn, event)?;
            }
        }
        Ok(())
    })
}

/// Deactivates or reactivates person `id`.
pub fn set_active(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<(), WriteError> {
    db::write_transaction(conn, |conn| {
        if !active {
            keeps_administration(conn, actor, id, false, None)?;
        }
        db::users::set_active(conn, id, active)?;
        let action = if active {
            "user.activated"
        } else {
            "user.deactivated"
        };
        actor.record(conn, actor.event(action).on("user", id))?;
        Ok(())
    })
}

/// The account made for a person at their first single sign-on (the
/// district allows their email's domain): active, with no role until an
/// administrator grants one, linked to the provider's `subject`. Returns
/// its id.
pub fn create_from_sso(
    conn: &mut DbConn,
    user: &NewUser,
    subject: &str,
    ip: Option<String>,
) -> Result<i64, WriteError> {
    db::write_transaction(conn, |conn| {
        let id = db::users::insert(conn, user)?;
        db::accounts::link_sso(conn, id, subject)?;
        db::audit::record(
            conn,
            &db::audit::NewEvent::new("user.created_by_sso")
                .by(Some(id))
                .on("user", id)
                .from_ip(ip)
                .detail("first sign-in with the district's provider; no role yet"),
        )?;
        Ok(id)
    })
}

/// How invitation links are made: the site's address and, when single
/// sign-on is on, the district's name for the "sign in with" button.
#[derive(Debug, Clone)]
pub struct Invite {
    pub base_url: String,
    pub sso: Option<String>,
}

/// Adds a person with `roles`; with `invite`, sends them an invitation.
/// Returns their id.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    user: &NewUser,
    roles: &BTreeSet<Role>,
    invite: Option<&Invite>,
) -> Result<i64, WriteError> {
    db::write_transaction(conn, |conn| {
        let id = db::users::insert(conn, user)?;
        actor.record(conn, actor.event("user.created").on("user", id))?;
        db::accounts::set_roles(conn, id, roles)?;
        if !roles.is_empty() {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            let event = actor
                .event("user.roles_changed")
                .on("user", id)
                .detail(format!(" -> {}", names.join(",")));
            actor.record(conn, event)?;
        }
        if let Some(invite) = invite {
            send_invitation(conn, Some(actor), id, invite)?;
        }
        Ok(id)
    })
}

/// Sends person `id` a new invitation; an open one they already had stops
/// working. `actor` is `None` on the command line. Refused (409) for an
/// inactive person.
pub fn send_invitation(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: i64,
    invite: &Invite,
) -> Result<i64, WriteError> {
    db::write_transaction(conn, |conn| {
        let user = db::users::find(conn, id)?;
        if !user.active {
            return Err(WriteError::Conflict {
                field: "active",
                message: "This person is deactivated; reactivate them before inviting them."
                    .to_owned(),
            });
        }
        let replaced = db::invitations::revoke_open(conn, id)?;
        let token = crate::auth::random_hex(32);
        let invitation_id = db::invitations::insert(
            conn,
            id,
            &crate::auth::token::digest(&token),
            actor.map(|a| a.id),
        )?;
        let url = format!("{}/invitations/{token}", invite.base_url);
        let to = db::users::Recipient {
            id,
            name: user.name.clone(),
            email: user.email.clone(),
        };
        let from = actor.map_or("An administrator", |a| a.name.as_str());
        let message = crate::mail::messages::invitation(
            &to,
            &url,
            invite.sso.as_deref(),
            from,
            invitation_id,
        );
        db::outbox::enqueue(conn, &message)?;
        let action = if replaced > 0 {
            "invitation.resent"
        } else {
            "invitation.sent"
        };
        let event = match actor {
            Some(actor) => actor.event(action),
            None => db::audit::NewEvent::new(action).detail("command line"),
        }
        .on("user", id);
        db::audit::record(conn, &event)?;
        Ok(invitation_id)
    })
}

/// Revokes person `id`'s open invitation; with none open there is nothing
/// to do (and nothing recorded). `NotFound` for an unknown person.
pub fn revoke_invitation(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<(), WriteError> {
    db::write_transaction(conn, |conn| {
        db::users::find(conn, id)?;
        if db::invitations::revoke_open(conn, id)? > 0 {
            actor.record(conn, actor.event("invitation.revoked").on("user", id))?;
        }
        Ok(())
    })
}

/// Accepts the invitation whose link carried `token`: sets the person's
/// password (`hash`, when they chose one) and spends the link. Returns the
/// person's id, or `None` when the link no longer works.
pub fn accept_invitation(
    conn: &mut DbConn,
    token: &str,
    hash: Option<&str>,
    ip: Option<String>,
) -> Result<Option<i64>, WriteError> {
    db::write_transaction(conn, |conn| {
        let Some(invitation) = db::invitations::usable(conn, &crate::auth::token::digest(token))?
        else {
            return Ok(None);
        };
        if !db::invitations::spend(conn, invitation.id)? {
            return Ok(None);
        }
        if let Some(hash) = hash {
            db::accounts::set_password_hash(conn, invitation.user_id, hash)?;
        }
        db::audit::record(
            conn,
            &db::audit::NewEvent::new("invitation.accepted")
                .by(Some(invitation.user_id))
                .on("user", invitation.user_id)
                .from_ip(ip),
        )?;
        Ok(Some(invitation.user_id))
    })
}
