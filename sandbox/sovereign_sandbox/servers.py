"""The whole emulated world: the Keycloak-compatible IdP and the cluster that trusts its tokens."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.idp import IdentityProvider
from sovereign_sandbox.world.people import PEOPLE


class SandboxWorld:
    """Starts the IdP, then the cluster configured to trust it; stops both."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        kube_port: int = 0,
        idp_port: int = 0,
        seed: int = 1,
        pods: int | None = None,
        churn: float = 0.0,
        kubeconfig_path: Path | str | None = None,
        console_redirect_uris: Iterable[str] = (),
        access_token_seconds: int = 300,
        console_backchannel_logout_url: str = "",
    ) -> None:
        self.idp = IdentityProvider(host, idp_port, seed=seed, access_token_seconds=access_token_seconds)
        for uri in console_redirect_uris:
            self.idp.add_redirect_uri(uri)
        if console_backchannel_logout_url:  # <console>/auth/backchannel-logout: sessions ended at the IdP end here
            self.idp.set_backchannel_logout_url(console_backchannel_logout_url)
        self.cluster = Sandbox(
            host,
            kube_port,
            seed=seed,
            pods=pods,
            churn=churn,
            kubeconfig_path=kubeconfig_path,
            oidc_issuer=self.idp.issuer,
            oidc_audience=self.idp.console_client_id,
        )

    def console_settings(self, directory: Path) -> dict[str, str]:
        """Environment that connects a console to this world: its kubeconfig (the console's service
        account, written into `directory`) and the IdP as OIDC issuer."""
        kubeconfig = self.cluster.write_kubeconfig(
            Path(directory) / "console-kubeconfig", token=self.cluster.console_token
        )
        return {
            "CONSOLE_KUBECONFIG": str(kubeconfig),
            "OIDC_ISSUER": self.idp.issuer,
            "OIDC_CLIENT_ID": self.idp.console_client_id,
            "OIDC_CLIENT_SECRET": self.idp.console_client_secret,
        }

    def people(self) -> list[tuple[str, str, str]]:
        """(username, password, tier) of every seeded person, for the demo banner and the README."""
        return [(person.username, self.idp.passwords[person.username], person.tier or "—") for person in PEOPLE]

    def start(self) -> SandboxWorld:
        self.idp.start()
        try:
            self.cluster.start()
        except BaseException:
            self.idp.stop()
            raise
        return self

    def stop(self) -> None:
        try:
            self.cluster.stop()
        finally:
            self.idp.stop()

    def __enter__(self) -> SandboxWorld:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
