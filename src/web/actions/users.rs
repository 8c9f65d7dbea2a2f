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
