//! Single sign-on with the district's OpenID Provider (Google Workspace,
//! Microsoft Entra ID, or any other): the authorization code flow with
//! PKCE, `state` and `nonce`, through the `openidconnect` crate. The ID
//! token's signature (keys from the provider's JWKS), issuer, audience,
//! expiry and nonce are checked. The provider's metadata and keys are kept
//! and fetched again when a token names a key they lack, so a key rotation
//! at the provider is followed without a restart.
//!
//! What the flow must remember between the two legs ([`Flow`]) travels in
//! the signed and encrypted session cookie with the time it began, so any
//! instance can finish a flow another began, and a flow older than
//! [`FLOW_SECONDS`] is refused.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::config::OidcConfig;

/// What discovery gives beyond the core: where the provider ends its own
/// session (RP-initiated logout), when it has such a place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndSession {
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

impl openidconnect::AdditionalProviderMetadata for EndSession {}

type ProviderMetadata = openidconnect::ProviderMetadata<
    EndSession,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// How long a person may take at the provider, in seconds.
pub const FLOW_SECONDS: i64 = 600;

/// What the callback checks against: kept in the session cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// Where to go once signed in (already made safe).
    pub next: String,
    /// Unix seconds.
    pub started: i64,
}

impl Flow {
    /// Whether the callback's `state` is this flow's, in time.
    pub fn accepts(&self, state: &str, now: i64) -> Result<(), Refusal> {
        if now - self.started > FLOW_SECONDS {
            return Err(Refusal::Expired);
        }
        // Compare digests: equal time whatever the input.
        use sha2::{Digest, Sha256};
        if Sha256::digest(state.as_bytes()) != Sha256::digest(self.state.as_bytes()) {
            return Err(Refusal::State);
        }
        Ok(())
    }
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    /// The person's name, when the provider gives one.
    pub name: Option<String>,
}

/// Why a sign-in through the provider was refused; each is recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no sign-in was under way, or it was already used")]
    NoFlow,
    #[error("the sign-in took longer than ten minutes")]
    Expired,
    #[error("the state does not match the sign-in under way")]
    State,
    #[error("the provider refused: {0}")]
    Provider(String),
    #[error("the provider's answer could not be used: {0}")]
    Token(String),
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
}

/// The district's provider, as this server knows it.
pub struct Sso {
    config: OidcConfig,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::RwLock<Option<ProviderMetadata>>,
    /// "Sign in with …".
    pub label: String,
}

impl Sso {
    /// The provider of `config`, calling back to `base_url`.
    pub fn new(config: &OidcConfig, base_url: &str, label: &str) -> anyhow::Result<Self> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider's answer send us
            // elsewhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self {
            config: config.clone(),
            redirect: RedirectUrl::new(format!("{base_url}/sign-in/sso/callback"))?,
            http,
            metadata: tokio::sync::RwLock::new(None),
            label: label.to_owned(),
        })
    }

    /// The provider's metadata and keys: kept, or fetched when `fresh`.
    async fn metadata(&self, fresh: bool) -> Result<ProviderMetadata, Refusal> {
        if !fresh {
            if let Some(kept) = self.metadata.read().await.as_ref() {
                return Ok(kept.clone());
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| Refusal::Unreachable(e.to_string()))?;
        let found = ProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Refusal::Unreachable(e.to_string()))?;
        *self.metadata.write().await = Some(found.clone());
        Ok(found)
    }

    /// Where the provider ends its own session, if it says (from the kept
    /// metadata, fetched if there is none yet).
    pub async fn end_session_url(&self) -> Option<String> {
        self.metadata(false)
            .await
            .ok()?
            .additional_metadata()
            .end_session_endpoint
            .clone()
    }

    fn client(
        &self,
        metadata: ProviderMetadata,
    ) -> openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// campus-visits' client id at the provider.
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// The domain whose verified emails get an account at first sign-in.
    pub fn account_domain(&self) -> Option<&str> {
        self.config.account_domain.as_deref()
    }

    /// Where to send the person, and what to remember until they return.
    pub async fn start(&self, next: &str, now: i64) -> Result<(String, Flow), Refusal> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            Flow {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next: next.to_owned(),
                started: now,
            },
        ))
    }

    /// Trades the callback's `code` for an ID token and checks it.
    pub async fn finish(&self, code: &str, flow: &Flow) -> Result<Identity, Refusal> {
        let metadata = self.metadata(false).await?;
        let client = self.client(metadata);
        let answer = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Refusal::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| Refusal::Provider(token_error(&e)))?;
        let token = answer
            .id_token()
            .ok_or_else(|| Refusal::Token("no ID token".to_owned()))?
            .clone();
        let nonce = Nonce::new(flow.nonce.clone());
        let checked = {
            let verifier = client.id_token_verifier();
            token.claims(&verifier, &nonce).cloned()
        };
        let claims = match checked {
            Ok(claims) => claims,
            // A key the kept set lacks: the provider may have rotated its
            // keys; fetch them again once.
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let client = self.client(self.metadata(true).await?);
                let verifier = client.id_token_verifier();
                token
                    .claims(&verifier, &nonce)
                    .map_err(|e| Refusal::Token(e.to_string()))?
                    .clone()
            }
            Err(e) => return Err(Refusal::Token(e.to_string())),
        };
        Ok(Identity {
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().trim().to_lowercase()),
            email_verified: claims.email_verified() == Some(true),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().trim().to_owned())
                .filter(|n| !n.is_empty()),
        })
    }
}

fn token_error<E: std::error::Error>(e: &E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(started: i64) -> Flow {
        Flow {
            state: "s3cret-state".to_owned(),
            nonce: "n".to_owned(),
            verifier: "v".to_owned(),
            next: "/".to_owned(),
            started,
        }
    }

    #[test]
    fn a_callback_is_held_to_its_flows_state_and_time() {
        let cases = [
            ("s3cret-state", 100, Ok(())),
            ("s3cret-state", 100 + FLOW_SECONDS, Ok(())),
            ("s3cret-state", 101 + FLOW_SECONDS, Err(Refusal::Expired)),
            ("other-state", 100, Err(Refusal::State)),
            ("", 100, Err(Refusal::State)),
        ];
        for (state, now, expected) in cases {
            assert_eq!(flow(100).accepts(state, now), expected, "{state} at {now}");
        }
    }
}
