"""Authentication and authorization as kubectl and an OIDC client see them: `auth can-i`, `whoami`,
impersonation flags, Forbidden errors, and Keycloak-style access tokens verified against a JWKS."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from kubectl_runner import Kubectl
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.world.people import subject_of

ISSUER = "https://idp.sandbox.test/realms/sovereign"
CLIENT = "sovereign-console"


def _oidc(username: str) -> str:
    return f"oidc:{subject_of(username)}"


@pytest.fixture
def as_persona(kubectl: Kubectl, persona_kubeconfigs: dict[str, Path], tmp_path: Path) -> Callable[[str], Kubectl]:
    return lambda persona: type(kubectl)(persona_kubeconfigs[persona], tmp_path / f"cache-{persona}")


CAN_I = [
    # persona, kubectl auth can-i arguments, expected answer
    ("viewer", ["list", "pods", "-A"], "yes"),
    ("viewer", ["create", "deployments", "-n", "acme-dev-wordpress"], "no"),
    ("viewer", ["get", "secrets", "-n", "acme-dev-wordpress"], "no"),
    ("developer", ["list", "pods", "-A"], "no"),
    ("developer", ["get", "pods", "-n", "acme-dev-wordpress"], "yes"),
    ("developer", ["create", "pods", "--subresource=exec", "-n", "acme-dev-wordpress"], "yes"),
    ("developer", ["create", "deployments", "-n", "acme-dev-wordpress"], "no"),
    ("sre", ["list", "pods", "-A"], "yes"),
    ("sre", ["patch", "deployments", "-n", "acme-prod-wordpress"], "yes"),
    ("sre", ["get", "secrets", "-n", "acme-dev-wordpress"], "no"),
    ("admin", ["create", "deployments", "-n", "acme-dev-wordpress"], "yes"),
    ("acme-admin", ["get", "secrets", "-n", "acme-dev-wordpress"], "yes"),
    ("acme-admin", ["get", "secrets", "-n", "openova-prod-gitea"], "no"),
    ("newcomer", ["list", "pods", "-A"], "no"),
    ("newcomer", ["get", "pods", "-n", "acme-dev-wordpress"], "no"),
]


def test_can_i_answers_per_persona(as_persona: Callable[[str], Kubectl]) -> None:
    answers = {}
    for persona, arguments, _expected in CAN_I:
        result = as_persona(persona).run("auth", "can-i", *arguments, check=False)
        answers[(persona, " ".join(arguments))] = result.stdout.strip()
        assert result.returncode == (0 if result.stdout.strip() == "yes" else 1), result.stderr
    assert answers == {(persona, " ".join(arguments)): expected for persona, arguments, expected in CAN_I}


def test_can_i_with_impersonation_flags(kubectl: Kubectl) -> None:
    def can_i(*arguments: str) -> str:
        return kubectl.run("auth", "can-i", *arguments, check=False).stdout.strip()

    viewer = _oidc("viewer")
    assert can_i("list", "pods", "-A", f"--as={viewer}", "--as-group=oidc:/tiers/viewer") == "yes"
    assert can_i("get", "secrets", "-n", "acme-dev-wordpress", f"--as={viewer}") == "no"
    # Seeded grants bind `/acme/admins` as a group, so anyone carrying it gets acme-admin's access.
    acme = ["--as=oidc:someone-new", "--as-group=oidc:/acme/admins"]
    assert can_i("create", "deployments", "-n", "acme-prod-wordpress", *acme) == "yes"
    assert can_i("create", "deployments", "-n", "acme-prod-wordpress", "--as=oidc:someone-new") == "no"


def test_can_i_list_shows_the_rules(as_persona: Callable[[str], Kubectl]) -> None:
    output = as_persona("developer").run("auth", "can-i", "--list", "-n", "acme-dev-wordpress").stdout
    lines = output.splitlines()
    assert lines[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert any(line.startswith("pods/exec ") and "[create get]" in line for line in lines)
    assert any(line.startswith("selfsubjectaccessreviews.authorization.k8s.io ") for line in lines)
    assert any(line.split()[:2] == ["[/api/*]", "[]"] for line in lines)
    assert "pods/exec" not in as_persona("developer").run("auth", "can-i", "--list", "-n", "acme-prod-wordpress").stdout


def test_whoami_shows_user_and_groups(as_persona: Callable[[str], Kubectl], kubectl: Kubectl) -> None:
    output = as_persona("acme-admin").run("auth", "whoami").stdout
    assert output.split() == [
        "ATTRIBUTE", "VALUE",
        "Username", _oidc("acme-admin"),
        "Groups", "[oidc:/tiers/admin", "oidc:/acme/admins", "system:authenticated]",
    ]  # fmt: skip
    review = json.loads(
        kubectl.run("auth", "whoami", "-o", "json", "--as=alice", "--as-group=a", "--as-group=b").stdout
    )
    assert review["kind"] == "SelfSubjectReview"
    assert review["status"]["userInfo"] == {"username": "alice", "groups": ["a", "b", "system:authenticated"]}


def test_forbidden_errors_as_kubectl_prints_them(as_persona: Callable[[str], Kubectl]) -> None:
    result = as_persona("newcomer").run("get", "pods", "-n", "acme-dev-wordpress", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f'Error from server (Forbidden): pods is forbidden: User "{_oidc("newcomer")}" cannot list resource "pods" '
        'in API group "" in the namespace "acme-dev-wordpress"'
    )
    result = as_persona("viewer").run("get", "secret", "wordpress-db", "-n", "acme-dev-wordpress", check=False)
    assert result.stderr.strip() == (
        f'Error from server (Forbidden): secrets "wordpress-db" is forbidden: User "{_oidc("viewer")}" cannot get '
        'resource "secrets" in API group "" in the namespace "acme-dev-wordpress"'
    )
    result = as_persona("viewer").run("get", "pods", "-A", "--as=alice", check=False)
    assert 'users "alice" is forbidden' in result.stderr and "cannot impersonate resource" in result.stderr


# OIDC access tokens, verified against a JWKS served through an httpx MockTransport.


class _IdentityProvider:
    """Signs Keycloak-shaped access tokens and serves its JWKS (at Keycloak's path; no discovery doc)."""

    def __init__(self) -> None:
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig", "alg": "RS256"})]
        self.jwks_requests = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/realms/sovereign/protocol/openid-connect/certs":
            self.jwks_requests += 1
            encryption = RSAKey.generate_key(2048, parameters={"kid": "enc-1", "use": "enc", "alg": "RSA-OAEP"})
            keys = [key.as_dict(private=False) for key in [*self.keys, encryption]]
            return httpx.Response(200, json={"keys": keys})
        return httpx.Response(404, json={"error": "not found"})

    def token(self, username: str = "viewer", *, key: RSAKey | None = None, **overrides: object) -> str:
        now = int(time.time())
        claims = {
            "exp": now + 300,
            "iat": now,
            "iss": ISSUER,
            "aud": ["account", CLIENT],
            "sub": subject_of(username),
            "typ": "Bearer",
            "azp": CLIENT,
            "preferred_username": username,
            "groups": ["/tiers/viewer"],
            **overrides,
        }
        key = key or self.keys[-1]
        return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": key.kid}, claims, key)


@pytest.fixture(scope="module")
def identity_provider(sandbox: Sandbox) -> Iterator[_IdentityProvider]:
    provider = _IdentityProvider()
    sandbox.configure_oidc(ISSUER, CLIENT, transport=httpx.MockTransport(provider.handle))
    yield provider
    sandbox.configure_oidc(None)


def _whoami(sandbox: Sandbox, token: str) -> httpx.Response:
    with httpx.Client(base_url=sandbox.https_url, verify=str(sandbox.ca_path)) as http:
        return http.post(
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
            headers={"Authorization": f"Bearer {token}"},
        )


def test_oidc_tokens_authenticate_as_prefixed_subject_and_groups(
    sandbox: Sandbox, identity_provider: _IdentityProvider, kubectl: Kubectl, tmp_path: Path
) -> None:
    answer = _whoami(sandbox, identity_provider.token("viewer"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"]["userInfo"] == {
        "username": _oidc("viewer"),
        "groups": ["oidc:/tiers/viewer", "system:authenticated"],
    }
    # Keycloak access tokens often say `aud: account`; the client id in `azp` is enough.
    assert _whoami(sandbox, identity_provider.token(aud="account")).status_code == 201
    kubeconfig = sandbox.write_kubeconfig(tmp_path / "oidc", token=identity_provider.token("viewer"))
    kubectl = type(kubectl)(kubeconfig, tmp_path / "cache")
    assert kubectl.run("auth", "can-i", "list", "pods", "-A").stdout.strip() == "yes"
    assert "pods is forbidden" not in kubectl.run("get", "pods", "-n", "acme-dev-wordpress").stderr


def test_oidc_tokens_that_do_not_verify_are_unauthorized(
    sandbox: Sandbox, identity_provider: _IdentityProvider
) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
    refused = {
        "bad signature": identity_provider.token(key=stranger),
        "expired": identity_provider.token(exp=int(time.time()) - 10),
        "wrong issuer": identity_provider.token(iss="https://elsewhere.test/realms/sovereign"),
        "wrong audience": identity_provider.token(aud="account", azp="another-client"),
        "not a JWT": "definitely-not-a-token",
    }
    for reason, token in refused.items():
        answer = _whoami(sandbox, token)
        assert (reason, answer.status_code) == (reason, 401)
        assert answer.json()["message"] == "Unauthorized"


def test_oidc_keys_are_fetched_again_for_an_unknown_kid(sandbox: Sandbox, identity_provider: _IdentityProvider) -> None:
    assert _whoami(sandbox, identity_provider.token()).status_code == 201
    fetched = identity_provider.jwks_requests
    assert _whoami(sandbox, identity_provider.token(jti="again")).status_code == 201
    assert identity_provider.jwks_requests == fetched  # cached
    identity_provider.keys.append(RSAKey.generate_key(2048, parameters={"kid": "key-2", "use": "sig"}))
    assert _whoami(sandbox, identity_provider.token("developer", groups=["/tiers/developer"])).status_code == 201
    assert identity_provider.jwks_requests == fetched + 1


def test_oidc_jwks_address_from_the_discovery_document(sandbox: Sandbox) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "discovered", "use": "sig"})
    issuer = "https://other-idp.test/oidc"

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oidc/.well-known/openid-configuration":
            return httpx.Response(200, json={"issuer": issuer, "jwks_uri": "https://other-idp.test/keys.json"})
        if request.url.path == "/keys.json":
            return httpx.Response(200, json={"keys": [key.as_dict(private=False)]})
        return httpx.Response(404)

    sandbox.configure_oidc(issuer, "kubernetes", transport=httpx.MockTransport(handle))
    try:
        now = int(time.time())
        claims = {"iss": issuer, "aud": "kubernetes", "sub": "robot", "exp": now + 60, "groups": "ops"}
        token = jwt.encode({"alg": "RS256", "kid": "discovered"}, claims, key)
        answer = _whoami(sandbox, token)
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"]["userInfo"]["groups"] == ["oidc:ops", "system:authenticated"]
    finally:
        sandbox.configure_oidc(None)
