"""An OpenID Provider on loopback for the sign-in tests, built with authlib.

It speaks the authorization code flow with PKCE (S256) as Google Workspace
and Microsoft Entra ID do: discovery, a JWKS, /authorize (which signs the
person in at once: who that is, the tests say), /token (client secret,
code and verifier checked; a code works once). The tests steer it through
POST /control with a JSON body:

  {"email": "...", "email_verified": true, "sub": "...", "name": "..."}
                   who signs in next
  {"mode": "..."}  how the next ID token is wrong: "normal", "wrong_aud",
                   "expired", "unknown_key", "bad_nonce", "wrong_iss"
  {"rotate": true}  a new signing key with a new key id, the only one
                    published from now on

Usage: python3 provider.py PORT CLIENT_ID CLIENT_SECRET
It prints "ready" once it listens, and stops when its standard input closes.
"""

import base64
import hashlib
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.jose import JsonWebKey, jwt

PORT = int(sys.argv[1])
CLIENT_ID = sys.argv[2]
CLIENT_SECRET = sys.argv[3]
ISSUER = f"http://127.0.0.1:{PORT}"


def new_key():
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    key_id = secrets.token_hex(8)
    return key, key_id


state = {
    "key": new_key(),
    "stranger": new_key(),
    "person": {"email": "nobody@example.org", "email_verified": True, "sub": "nobody"},
    "mode": "normal",
    "codes": {},
}
lock = threading.Lock()


def public_jwks():
    key, key_id = state["key"]
    public = key.as_dict(is_private=False)
    public.update({"kid": key_id, "use": "sig", "alg": "RS256"})
    return {"keys": [public]}


def id_token(person, nonce):
    now = int(time.time())
    mode = state["mode"]
    claims = {
        "iss": "https://elsewhere.example.org" if mode == "wrong_iss" else ISSUER,
        "sub": person["sub"],
        "aud": "another-client" if mode == "wrong_aud" else CLIENT_ID,
        "iat": now - 7200 if mode == "expired" else now,
        "exp": now - 3600 if mode == "expired" else now + 300,
        "nonce": "not-the-nonce" if mode == "bad_nonce" else nonce,
        "email": person["email"],
        "email_verified": person["email_verified"],
    }
    if person.get("name"):
        claims["name"] = person["name"]
    key, key_id = state["stranger"] if mode == "unknown_key" else state["key"]
    header = {"alg": "RS256", "kid": key_id, "typ": "JWT"}
    return jwt.encode(header, claims, key).decode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/.well-known/openid-configuration":
            self.send_json(200, {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
                "end_session_endpoint": f"{ISSUER}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "profile"],
            })
        elif url.path == "/jwks":
            with lock:
                self.send_json(200, public_jwks())
        elif url.path == "/authorize":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                self.send_json(400, {"error": "invalid_request"})
                return
            if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                self.send_json(400, {"error": "invalid_request", "error_description": "PKCE required"})
                return
            code = secrets.token_urlsafe(24)
            with lock:
                state["codes"][code] = {
                    "challenge": query["code_challenge"],
                    "nonce": query.get("nonce", ""),
                    "redirect_uri": query["redirect_uri"],
                    "person": dict(state["person"]),
                }
            target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
        else:
            self.send_json(404, {"error": "not_found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        url = urlparse(self.path)
        if url.path == "/control":
            order = json.loads(body or "{}")
            with lock:
                if "email" in order:
                    state["person"] = {
                        "email": order["email"],
                        "email_verified": order.get("email_verified", True),
                        "sub": order.get("sub", "sub-" + order["email"]),
                        "name": order.get("name"),
                    }
                if "mode" in order:
                    state["mode"] = order["mode"]
                if order.get("rotate"):
                    state["key"] = new_key()
                self.send_json(200, {"kid": state["key"][1]})
            return
        if url.path != "/token":
            self.send_json(404, {"error": "not_found"})
            return
        form = {k: v[0] for k, v in parse_qs(body).items()}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            client_id = urllib_unquote(client_id)
            secret = urllib_unquote(secret)
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            self.send_json(401, {"error": "invalid_client"})
            return
        with lock:
            grant = state["codes"].pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            self.send_json(400, {"error": "invalid_grant"})
            return
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            self.send_json(400, {"error": "invalid_grant", "error_description": "PKCE"})
            return
        with lock:
            token = id_token(grant["person"], grant["nonce"])
        self.send_json(200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": token,
        })


def urllib_unquote(text):
    from urllib.parse import unquote_plus
    return unquote_plus(text)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
