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


def test_watch_settings_default_to_the_core_kinds_and_ten_seconds(monkeypatch):
    for name in ("CONSOLE_PREWARM_KINDS", "CONSOLE_WATCH_SYNC_TIMEOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert settings.watch_sync_timeout_seconds == 10.0
    assert {"v1/pods", "v1/namespaces", "v1/nodes", "apps/v1/deployments", "v1/events"} <= set(
        settings.prewarm_resources
    )


def test_prewarmed_kinds_are_resource_ids(monkeypatch):
    monkeypatch.setenv("CONSOLE_PREWARM_KINDS", " v1/pods , apps/v1/deployments,")
    assert get_settings().prewarm_resources == ("v1/pods", "apps/v1/deployments")
    get_settings.cache_clear()
    monkeypatch.setenv("CONSOLE_PREWARM_KINDS", "")
    assert get_settings().prewarm_resources == ()
    get_settings.cache_clear()
    monkeypatch.setenv("CONSOLE_PREWARM_KINDS", "pods")
    with pytest.raises(ValueError, match="CONSOLE_PREWARM_KINDS: a resource id looks like v1/pods"):
        get_settings()


def test_the_console_database_defaults_to_a_sqlite_file_in_the_state_dir(monkeypatch):
    monkeypatch.setenv("CONSOLE_STATE_DIR", "/srv/console")
    monkeypatch.delenv("CONSOLE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CONSOLE_AUDIT_DB_URL", raising=False)
    settings = get_settings()
    assert settings.database_url == "sqlite:////srv/console/console.db"
    assert settings.legacy_audit_db == "/srv/console/audit.db"


def test_the_console_database_may_be_postgresql(monkeypatch):
    monkeypatch.setenv("CONSOLE_DATABASE_URL", "postgresql://console:s3cret@db.example:5432/console")
    assert get_settings().database_url == "postgresql+psycopg://console:s3cret@db.example:5432/console"
    get_settings.cache_clear()
    monkeypatch.setenv("CONSOLE_DATABASE_URL", "postgresql+psycopg://console@/console?host=/run/postgresql")
    assert get_settings().database_url == "postgresql+psycopg://console@/console?host=/run/postgresql"


@pytest.mark.parametrize("url", ["mysql://root:s3cret@db/console", "sqlite:///", "/srv/console.db", "sqlite://"])
def test_another_database_url_is_refused_without_echoing_it(monkeypatch, url):
    monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
    with pytest.raises(ValueError, match="CONSOLE_DATABASE_URL must be sqlite:///<path> or postgresql://") as refused:
        get_settings()
    assert "s3cret" not in str(refused.value) and "/srv/console.db" not in str(refused.value)


def test_the_old_audit_url_only_names_the_file_imported_once(monkeypatch):
    monkeypatch.setenv("CONSOLE_STATE_DIR", "/srv/console")
    monkeypatch.delenv("CONSOLE_DATABASE_URL", raising=False)
    monkeypatch.setenv("CONSOLE_AUDIT_DB_URL", "sqlite:////data/trail.db")
    settings = get_settings()
    assert (settings.database_url, settings.legacy_audit_db) == ("sqlite:////srv/console/console.db", "/data/trail.db")


def test_secrets_may_come_from_mounted_files(monkeypatch, tmp_path):
    secret = tmp_path / "OIDC_CLIENT_SECRET"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "from-env")
    monkeypatch.setenv("OIDC_CLIENT_SECRET_FILE", str(secret))
    assert get_settings().oidc_client_secret == "s3cr3t"  # the file wins: the environment may hold a stale copy


def test_an_unreadable_secret_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_SESSION_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="CONSOLE_SESSION_SECRET_FILE names a file that cannot be read"):
        get_settings()
