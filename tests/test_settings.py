import pytest

from console.settings import get_settings


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_describe_the_demo_sovereign(monkeypatch):
    for name in ("CONSOLE_KUBECONFIG", "KUBECONFIG", "CONSOLE_SOVEREIGN_FQDN", "CONSOLE_CLUSTER_ID", "CONSOLE_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert settings.sovereign_fqdn == "omantel.openova.cloud"
    assert settings.cluster_id == "sovereign-omantel.openova.cloud"
    assert settings.port == 3000
    assert settings.kubeconfig == ""


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("CONSOLE_KUBECONFIG", "/etc/console/kubeconfig")
    monkeypatch.setenv("CONSOLE_SOVEREIGN_FQDN", "bank.example.org")
    monkeypatch.setenv("CONSOLE_WATCH_GRACE_SECONDS", "2.5")
    settings = get_settings()
    assert settings.kubeconfig == "/etc/console/kubeconfig"
    assert settings.cluster_id == "sovereign-bank.example.org"
    assert settings.watch_grace_seconds == 2.5


def test_a_malformed_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("CONSOLE_PORT", "three thousand")
    with pytest.raises(ValueError, match="CONSOLE_PORT must be a whole number"):
        get_settings()
