"""What the seeded Sovereign hosts, as data: Organizations, Environments, Applications (people: `people`).

Names here are stable across seeds (tests and docs refer to them); the seed only varies details such as
pod suffixes, addresses, restart counts and ages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sovereign_sandbox.world.context import DOMAIN

__all__ = [
    "APPLICATIONS",
    "ENVIRONMENTS",
    "ORGANIZATIONS",
    "REGIONS",
    "Component",
    "Database",
    "Environment",
    "Organization",
    "Product",
    "application_namespace",
]

# Region short name → (Hetzner location, datacenter). Host clusters are named {provider}-{region}-{block}-{env}.
REGIONS = {"fsn": ("fsn1", "fsn1-dc14"), "nbg": ("nbg1", "nbg1-dc3")}
_HARBOR = f"harbor.{DOMAIN}"


@dataclass(frozen=True)
class Organization:
    slug: str
    display_name: str
    kind: str  # internal | customer
    tier: str  # sme | corporate
    billing_mode: str
    owner_email: str
    vcluster: bool = False  # corporate customers get a dedicated vcluster


@dataclass(frozen=True)
class Environment:
    organization: str
    env_type: str
    regions: tuple[str, ...]
    policy: str  # EnvironmentPolicy name

    @property
    def name(self) -> str:
        return f"{self.organization}-{self.env_type}"


@dataclass(frozen=True)
class Component:
    """One workload of an application."""

    name: str  # workload name; "" means the application name itself
    kind: str  # Deployment | StatefulSet
    image: str
    port: int
    replicas: int = 1
    probes: bool = True
    faults: tuple[tuple[int, str], ...] = ()  # (replica index, PodCondition)
    storage: str | None = None  # PVC size: a volumeClaimTemplate for StatefulSets, one claim for Deployments
    memory: str = "256Mi"
    revision: int = 1


@dataclass(frozen=True)
class Database:
    instances: int
    healthy: bool
    size: str = "20Gi"


@dataclass(frozen=True)
class Product:
    """An installed Application: a Blueprint in an Environment."""

    name: str
    environment: str
    version: str  # blueprint (= chart) version
    app_version: str
    repository: str  # HelmRepository in flux-system
    components: tuple[Component, ...]
    exposure: str | None = "ingress"  # ingress | httproute | None
    database: Database | None = None
    release_ready: bool = True  # False → the HelmRelease is stalled with RetriesExceeded
    age_days: float = 30
    family: str = "workload"

    @property
    def namespace(self) -> str:
        return application_namespace(self.environment, self.name)


def application_namespace(environment: str, application: str) -> str:
    """Applications are installed one per namespace, named `{environment}-{application}`."""
    return f"{environment}-{application}"


ORGANIZATIONS = (
    Organization("openova", "OpenOva", "internal", "corporate", "chargeback", f"owner@{DOMAIN}"),
    Organization("acme", "ACME Trading LLC", "customer", "sme", "real", "it@acme.example"),
    Organization(
        "bankdhofar", "BankDhofar", "customer", "corporate", "real", "platform@bankdhofar.example", vcluster=True
    ),
)

ENVIRONMENTS = (
    Environment("openova", "prod", ("fsn", "nbg"), "production"),
    Environment("acme", "prod", ("fsn",), "production"),
    Environment("acme", "dev", ("nbg",), "development"),
    Environment("bankdhofar", "prod", ("fsn", "nbg"), "production"),
)


def _image(path: str) -> str:
    # Platform images are pulled through the Sovereign's Harbor proxy cache (policy harbor-proxy-pull).
    return f"{_HARBOR}/{path}"


APPLICATIONS = (
    Product(
        "keycloak",
        "openova-prod",
        "24.7.3",
        "26.2.5",
        "bitnami",
        (Component("", "StatefulSet", _image("proxy-quay/keycloak/keycloak:26.2.5"), 8080, replicas=2, memory="1Gi"),),
        database=Database(3, healthy=True),
        age_days=58,
        family="identity",
    ),
    Product(
        "gitea",
        "openova-prod",
        "12.1.1",
        "1.24.2",
        "gitea",
        (
            Component(
                "",
                "Deployment",
                _image("proxy-docker/gitea/gitea:1.24.2-rootless"),
                3000,
                storage="50Gi",
                memory="512Mi",
                revision=3,
            ),
        ),
        exposure="httproute",
        database=Database(2, healthy=True),
        age_days=57,
        family="developer",
    ),
    Product(
        "harbor",
        "openova-prod",
        "1.17.1",
        "2.13.1",
        "goharbor",
        (
            Component("harbor-core", "Deployment", "docker.io/goharbor/harbor-core:v2.13.1", 8080, memory="512Mi"),
            Component("harbor-portal", "Deployment", "docker.io/goharbor/harbor-portal:v2.13.1", 8080, memory="128Mi"),
            Component(
                "harbor-registry",
                "Deployment",
                "docker.io/goharbor/registry-photon:v2.13.1",
                5000,
                storage="200Gi",
                memory="512Mi",
            ),
            Component(
                "harbor-jobservice", "Deployment", "docker.io/goharbor/harbor-jobservice:v2.13.1", 8080, memory="256Mi"
            ),
            Component(
                "harbor-redis",
                "StatefulSet",
                "docker.io/goharbor/redis-photon:v2.13.1",
                6379,
                storage="8Gi",
                probes=False,
            ),
        ),
        database=Database(2, healthy=True),
        age_days=59,
        family="developer",
    ),
    Product(
        "grafana",
        "openova-prod",
        "9.2.10",
        "12.0.2",
        "grafana",
        (
            Component(
                "",
                "Deployment",
                _image("proxy-docker/grafana/grafana:12.0.2"),
                3000,
                storage="10Gi",
                memory="384Mi",
                revision=2,
            ),
        ),
        exposure="httproute",
        age_days=55,
        family="observability",
    ),
    Product(
        "openbao",
        "openova-prod",
        "0.16.1",
        "2.3.1",
        "openbao",
        (
            Component(
                "",
                "StatefulSet",
                _image("proxy-quay/openbao/openbao:2.3.1"),
                8200,
                replicas=3,
                storage="10Gi",
                probes=False,
            ),
        ),
        exposure=None,
        age_days=60,
        family="security",
    ),
    Product(
        "nats",
        "openova-prod",
        "1.3.9",
        "2.11.6",
        "nats",
        (
            Component(
                "", "StatefulSet", _image("proxy-docker/library/nats:2.11.6-alpine"), 4222, replicas=3, storage="10Gi"
            ),
        ),
        exposure=None,
        age_days=60,
        family="messaging",
    ),
    Product(
        "wordpress",
        "acme-prod",
        "24.1.7",
        "6.8.1",
        "bitnami",
        (
            Component(
                "",
                "Deployment",
                _image("proxy-docker/bitnami/wordpress:6.8.1-debian-12-r3"),
                8080,
                replicas=2,
                memory="512Mi",
                revision=4,
            ),
            Component(
                "wordpress-mariadb",
                "StatefulSet",
                _image("proxy-docker/bitnami/mariadb:11.4.7-debian-12-r2"),
                3306,
                storage="8Gi",
            ),
        ),
        age_days=41,
        family="cms",
    ),
    Product(
        "billing",
        "acme-prod",
        "2.4.1",
        "2.4.1",
        "openova",
        (
            Component("billing-api", "Deployment", _image("acme/billing-api:2.4.1"), 8080, replicas=3, revision=7),
            Component(
                "billing-worker",
                "Deployment",
                _image("acme/billing-worker:2.4.1"),
                9090,
                replicas=2,
                probes=False,
                revision=7,
            ),
        ),
        database=Database(2, healthy=True),
        age_days=38,
        family="business",
    ),
    Product(
        "storefront",
        "acme-prod",
        "1.8.0",
        "1.8.0",
        "openova",
        (Component("", "Deployment", _image("acme/storefront:1.8.0"), 8080, replicas=3, revision=12),),
        age_days=33,
        family="business",
    ),
    Product(
        "wordpress",
        "acme-dev",
        "24.1.7",
        "6.8.1",
        "bitnami",
        (
            Component(
                "",
                "Deployment",
                _image("proxy-docker/bitnami/wordpress:latest"),
                8080,
                probes=False,
                faults=((0, "crashloop"),),
                revision=9,
            ),
            Component(
                "wordpress-mariadb",
                "StatefulSet",
                _image("proxy-docker/bitnami/mariadb:11.4.7-debian-12-r2"),
                3306,
                storage="8Gi",
                probes=False,
            ),
        ),
        age_days=21,
        family="cms",
    ),
    Product(
        "billing",
        "acme-dev",
        "2.5.0-rc.1",
        "2.5.0-rc.1",
        "openova",
        (
            Component(
                "billing-api",
                "Deployment",
                _image("acme/billing-api:2.5.0-rc.1"),
                8080,
                faults=((0, "imagepull"),),
                revision=15,
            ),
            Component(
                "billing-worker",
                "Deployment",
                _image("acme/billing-worker:2.5.0-rc.0"),
                9090,
                probes=False,
                faults=((0, "crashloop"),),
                revision=14,
            ),
        ),
        release_ready=False,
        database=Database(1, healthy=True, size="5Gi"),
        age_days=19,
        family="business",
    ),
    Product(
        "corebanking",
        "bankdhofar-prod",
        "3.2.0",
        "3.2.0",
        "openova",
        (
            Component(
                "corebanking-api",
                "Deployment",
                _image("bankdhofar/corebanking-api:3.2.0"),
                8443,
                replicas=3,
                memory="1Gi",
                revision=5,
            ),
            Component(
                "corebanking-ledger",
                "StatefulSet",
                _image("bankdhofar/ledger:3.2.0"),
                7000,
                replicas=3,
                storage="100Gi",
                memory="2Gi",
            ),
        ),
        database=Database(3, healthy=False, size="200Gi"),
        age_days=26,
        family="business",
    ),
    Product(
        "mobile-api",
        "bankdhofar-prod",
        "1.14.2",
        "1.14.2",
        "openova",
        (
            Component(
                "",
                "Deployment",
                _image("bankdhofar/mobile-api:1.14.2"),
                8080,
                replicas=3,
                memory="768Mi",
                faults=((2, "pending"),),
                revision=6,
            ),
        ),
        age_days=24,
        family="business",
    ),
    Product(
        "portal",
        "bankdhofar-prod",
        "2.0.3",
        "2.0.3",
        "openova",
        (Component("", "Deployment", _image("bankdhofar/portal:2.0.3"), 8080, replicas=2, revision=3),),
        age_days=22,
        family="business",
    ),
    Product(
        "stalwart",
        "bankdhofar-prod",
        "0.12.4",
        "0.12.4",
        "openova",
        (
            Component(
                "",
                "StatefulSet",
                _image("proxy-docker/stalwartlabs/stalwart:v0.12.4"),
                8080,
                storage="20Gi",
                memory="512Mi",
            ),
        ),
        age_days=20,
        family="communication",
    ),
)
