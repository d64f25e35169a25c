"""Installed Applications: the Application CR, its Flux HelmRelease and everything the chart renders."""

from __future__ import annotations

from sovereign_sandbox.world.catalog import ENVIRONMENTS, Component, Product
from sovereign_sandbox.world.context import DAY, DOMAIN, HOUR, WorldContext, encode
from sovereign_sandbox.world.network import http_route, ingress, network_policies, service
from sovereign_sandbox.world.pods import Container
from sovereign_sandbox.world.stateful import certificate, cnpg_cluster, external_secret
from sovereign_sandbox.world.storage import DEFAULT_CLASS, bound_claim
from sovereign_sandbox.world.workloads import Workload, add_workload, cron_job

__all__ = ["add_application", "application_labels"]

_ENVIRONMENTS = {environment.name: environment for environment in ENVIRONMENTS}


def application_labels(product: Product) -> dict:
    environment = _ENVIRONMENTS[product.environment]
    return {
        "app.kubernetes.io/instance": product.name,
        "app.kubernetes.io/part-of": product.name,
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/version": product.app_version,
        "helm.sh/chart": f"{product.name}-{product.version}",
        "helm.toolkit.fluxcd.io/name": f"{product.environment}-{product.name}",
        "helm.toolkit.fluxcd.io/namespace": "flux-system",
        "openova.io/application": product.name,
        "openova.io/environment": product.environment,
        "openova.io/organization": environment.organization,
        "catalyst.openova.io/application": product.name,
        "catalyst.openova.io/environment": product.environment,
        "catalyst.openova.io/organization": environment.organization,
    }


def _workload(product: Product, component: Component, labels: dict, age: float) -> Workload:
    name = component.name or product.name
    workload_labels = labels | {"app.kubernetes.io/name": name}
    container_name = name.removeprefix(f"{product.name}-") if component.name else product.name
    secret_env = (
        (("DATABASE_PASSWORD", f"{product.name}-db-app", "password"),)
        if product.database and component.kind == "Deployment"
        else ()
    )
    mounts = [("config", "/etc/app")]
    volumes = [{"name": "config", "configMap": {"name": f"{product.name}-config", "defaultMode": 420}}]
    if component.storage and component.kind == "Deployment":
        mounts.append(("data", "/data"))
        volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": name}})
    container = Container(
        container_name,
        component.image,
        (("http", component.port),),
        probes=component.probes,
        probe_path="/health" if "bitnami" not in component.image else "/wp-login.php",
        requests=("100m", component.memory),
        limits=None if not component.probes else ("1", component.memory),
        env=(("APP_ENV", product.environment.rsplit("-", 1)[-1]), ("LOG_LEVEL", "info"), ("TZ", "Asia/Muscat")),
        secret_env=secret_env,
        mounts=tuple(mounts),
    )
    return Workload(
        component.kind,
        name,
        product.namespace,
        workload_labels,
        [container],
        age=age,
        replicas=component.replicas,
        faults=dict(component.faults),
        service_account=product.name,
        pod_annotations={"prometheus.io/scrape": "true", "prometheus.io/port": str(component.port)}
        if component.probes
        else {},
        volumes=volumes,
        revision=component.revision,
        claim=("data", component.storage, DEFAULT_CLASS)
        if component.storage and component.kind == "StatefulSet"
        else None,
    )


def _application_resource(context: WorldContext, product: Product, labels: dict, age: float, phase: str) -> None:
    environment = _ENVIRONMENTS[product.environment]
    regions = list(environment.regions)
    placement = "active-hotstandby" if len(regions) > 1 and product.database else "single-region"
    ready_at = context.timestamp(age - 300)
    instance_id = f"{abs(hash_text(product.namespace)) % 16**8:08x}"
    context.add(
        {
            "apiVersion": "apps.openova.io/v1alpha1",
            "kind": "Application",
            "metadata": {
                "name": product.name,
                "namespace": product.namespace,
                "labels": {key: value for key, value in labels.items() if "openova.io/" in key}
                | {"openova.io/blueprint": f"bp-{product.name}", "openova.io/blueprint-version": product.version},
                "annotations": {},
                "generation": 2,
                "finalizers": ["apps.openova.io/helmrelease"],
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "blueprintRef": {"name": f"bp-{product.name}", "version": product.version},
                "environmentRef": product.environment,
                "placement": placement,
                "regions": regions if placement != "single-region" else regions[:1],
                "instanceId": instance_id,
                "isolationLevel": "namespace",
                "namingTemplate": "{{.EnvironmentRef}}-{{.AppName}}",
                "bootstrap": environment.organization == "openova",
                "helmRelease": {"name": f"{product.environment}-{product.name}", "namespace": "flux-system"},
                "healthCheck": {"path": "/health", "port": "http", "intervalSeconds": 30, "timeoutSeconds": 5},
                "owners": [
                    {
                        "email": f"owner@{DOMAIN}"
                        if environment.organization == "openova"
                        else f"admin@{environment.organization}.example",
                        "role": "owner",
                    }
                ],
                "topology": {"autoFailover": False, "rto": "15m", "rpo": "5m", "minReplicas": 1},
                **(
                    {
                        "dependsOn": [
                            {
                                "name": f"{product.name}-db",
                                "namespace": product.namespace,
                                "context": f"db/{product.name}",
                            }
                        ]
                    }
                    if product.database
                    else {}
                ),
                "parameters": {
                    "replicas": product.components[0].replicas,
                    "hostname": f"{product.name}.{product.environment}.{DOMAIN}",
                },
            },
            "status": {
                "phase": phase,
                "observedGeneration": 2,
                "primaryRegion": regions[0],
                "regions": [
                    {
                        "name": region,
                        "role": "primary" if index == 0 else "standby",
                        "replicas": product.components[0].replicas,
                        "ready": product.components[0].replicas - len(product.components[0].faults),
                        "lastTransitionTime": ready_at,
                    }
                    for index, region in enumerate(regions if placement != "single-region" else regions[:1])
                ],
                "giteaRepo": f"https://gitea.openova-prod.{DOMAIN}/{environment.organization}/{product.environment}",
                "installedBlueprint": {
                    "name": f"bp-{product.name}",
                    "version": product.version,
                    "digest": f"sha256:{context.hex(64)}",
                },
                "placement": {
                    "vcluster": "host",
                    "source": "blueprint-default",
                    "regions": regions[:1],
                    "clusters": [f"hz-{regions[0]}-rtz-{environment.env_type}"],
                },
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True" if phase == "Ready" else "False",
                        "reason": "Reconciled" if phase == "Ready" else "HelmReleaseNotReady",
                        "message": "Application is ready"
                        if phase == "Ready"
                        else f"HelmRelease flux-system/{product.environment}-{product.name} is not ready",
                        "lastTransitionTime": ready_at,
                        "observedGeneration": 2,
                    }
                ],
            },
        }
    )


def hash_text(text: str) -> int:
    """A stable string hash (Python's `hash` is salted per process)."""
    value = 2166136261
    for character in text.encode():
        value = ((value ^ character) * 16777619) & 0xFFFFFFFF
    return value


def _helm_release(context: WorldContext, product: Product, age: float) -> None:
    name = f"{product.environment}-{product.name}"
    revision = max(component.revision for component in product.components)
    last_deploy = context.between(HOUR, min(age, 9 * DAY))
    chart = f"{product.name}@{product.version}"
    history = [
        {
            "chartName": product.name,
            "chartVersion": product.version,
            "appVersion": product.app_version,
            "configDigest": f"sha256:{context.hex(64)}",
            "digest": f"sha256:{context.hex(64)}",
            "firstDeployed": context.timestamp(age - 120),
            "lastDeployed": context.timestamp(last_deploy),
            "name": product.name,
            "namespace": product.namespace,
            "status": "deployed" if product.release_ready else "failed",
            "version": revision,
        }
    ]
    when = context.timestamp(last_deploy - 90)
    if product.release_ready:
        conditions = [
            {
                "type": "Ready",
                "status": "True",
                "reason": "UpgradeSucceeded" if revision > 1 else "InstallSucceeded",
                "message": f"Helm {'upgrade' if revision > 1 else 'install'} succeeded for release "
                f"{product.namespace}/{product.name}.v{revision} with chart {chart}",
                "observedGeneration": revision,
                "lastTransitionTime": when,
            },
            {
                "type": "Released",
                "status": "True",
                "reason": "UpgradeSucceeded" if revision > 1 else "InstallSucceeded",
                "message": f"Helm {'upgrade' if revision > 1 else 'install'} succeeded for release "
                f"{product.namespace}/{product.name}.v{revision} with chart {chart}",
                "observedGeneration": revision,
                "lastTransitionTime": when,
            },
        ]
        failures: dict = {}
    else:
        failed = (
            f"Helm upgrade failed for release {product.namespace}/{product.name} with chart {chart}: "
            "context deadline exceeded"
        )
        conditions = [
            {
                "type": "Stalled",
                "status": "True",
                "reason": "RetriesExceeded",
                "message": "Failed to upgrade after 3 attempt(s)",
                "observedGeneration": revision,
                "lastTransitionTime": when,
            },
            {
                "type": "Ready",
                "status": "False",
                "reason": "RetriesExceeded",
                "message": "Failed to upgrade after 3 attempt(s)",
                "observedGeneration": revision,
                "lastTransitionTime": when,
            },
            {
                "type": "Released",
                "status": "False",
                "reason": "UpgradeFailed",
                "message": failed,
                "observedGeneration": revision,
                "lastTransitionTime": when,
            },
        ]
        failures = {"failures": 3, "upgradeFailures": 3}
    context.add(
        {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {
                "name": name,
                "namespace": "flux-system",
                "labels": {
                    "kustomize.toolkit.fluxcd.io/name": product.environment,
                    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
                    "openova.io/application": product.name,
                    "openova.io/environment": product.environment,
                },
                "annotations": {},
                "finalizers": ["finalizers.fluxcd.io"],
                "generation": revision,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "interval": "10m",
                "releaseName": product.name,
                "targetNamespace": product.namespace,
                "storageNamespace": product.namespace,
                "chart": {
                    "spec": {
                        "chart": product.name,
                        "version": product.version,
                        "reconcileStrategy": "ChartVersion",
                        "sourceRef": {"kind": "HelmRepository", "name": product.repository, "namespace": "flux-system"},
                        "interval": "1h",
                    }
                },
                "install": {"createNamespace": False, "remediation": {"retries": 3}},
                "upgrade": {"remediation": {"retries": 3, "remediateLastFailure": False}, "cleanupOnFail": True},
                "timeout": "10m",
                "values": {
                    "replicaCount": product.components[0].replicas,
                    "ingress": {
                        "enabled": product.exposure == "ingress",
                        "hostname": f"{product.name}.{product.environment}.{DOMAIN}",
                    },
                },
            },
            "status": {
                "observedGeneration": revision,
                "conditions": conditions,
                "history": history,
                "helmChart": f"flux-system/flux-system-{name}",
                "lastAttemptedRevision": product.version,
                "lastAttemptedConfigDigest": history[0]["configDigest"],
                "lastAttemptedGeneration": revision,
                "lastAttemptedReleaseAction": "upgrade" if revision > 1 else "install",
                "storageNamespace": product.namespace,
                **failures,
            },
        }
    )


def _configuration(context: WorldContext, product: Product, labels: dict, age: float) -> None:
    created = context.timestamp(age - 30)
    context.add(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": product.name,
                "namespace": product.namespace,
                "labels": dict(labels),
                "annotations": {},
                "creationTimestamp": created,
            },
            "automountServiceAccountToken": True,
        }
    )
    context.add(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": f"{product.name}-config",
                "namespace": product.namespace,
                "labels": dict(labels),
                "annotations": {
                    "meta.helm.sh/release-name": product.name,
                    "meta.helm.sh/release-namespace": product.namespace,
                },
                "creationTimestamp": created,
            },
            "data": {
                "app.yaml": f"server:\n  port: {product.components[0].port}\n  publicURL: "
                f"https://{product.name}.{product.environment}.{DOMAIN}\nlog:\n  level: info\n",
                "LOG_FORMAT": "json",
                "TZ": "Asia/Muscat",
            },
        }
    )
    context.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {
                "name": product.name,
                "namespace": product.namespace,
                "labels": dict(labels),
                "annotations": {
                    "meta.helm.sh/release-name": product.name,
                    "meta.helm.sh/release-namespace": product.namespace,
                },
                "creationTimestamp": created,
            },
            "data": {
                "admin-user": encode("admin"),
                "admin-password": context.secret_value(20),
                "session-secret": context.secret_value(48),
            },
        }
    )
    revision = max(component.revision for component in product.components)
    context.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "helm.sh/release.v1",
            "metadata": {
                "name": f"sh.helm.release.v1.{product.name}.v{revision}",
                "namespace": product.namespace,
                "labels": {
                    "name": product.name,
                    "owner": "helm",
                    "version": str(revision),
                    "status": "deployed" if product.release_ready else "failed",
                    "modifiedAt": str(int(context.now.timestamp() - age / 3)),
                },
                "annotations": {},
                "creationTimestamp": context.timestamp(age / 3),
            },
            "data": {"release": encode(f"H4sIAAAAAAAC/{context.hex(120)}")},
        }
    )


def add_application(context: WorldContext, product: Product) -> None:
    """Everything of one installed Application, in the order Flux and the chart would create it."""
    age = product.age_days * DAY - context.between(0, 6 * HOUR)
    labels = application_labels(product)
    phase = "Ready" if product.release_ready and (product.database is None or product.database.healthy) else "Degraded"
    _application_resource(context, product, labels, age, phase)
    _helm_release(context, product, age - 20)
    _configuration(context, product, labels, age - 60)
    for index, component in enumerate(product.components):
        workload = _workload(product, component, labels, age - 120 - index * 10)
        if component.storage and component.kind == "Deployment":
            node = context.pick_worker()
            claim, volume = bound_claim(
                context,
                name=workload.name,
                namespace=product.namespace,
                size=component.storage,
                labels=workload.selector(),
                age=workload.age + 5,
                node=node,
            )
            context.add(volume)
            context.add(claim)
        add_workload(context, workload)
        ports = [("http", 80 if component.kind == "Deployment" else component.port, component.port, "TCP")]
        service(
            context,
            name=workload.name,
            namespace=product.namespace,
            labels=workload.labels,
            selector=workload.selector(),
            ports=ports,
            age=workload.age,
        )
        if component.kind == "StatefulSet":
            service(
                context,
                name=f"{workload.name}-headless",
                namespace=product.namespace,
                labels=workload.labels,
                selector=workload.selector(),
                ports=[("http", component.port, component.port, "TCP")],
                age=workload.age,
                headless=True,
            )
        if component.replicas > 1:
            context.add(
                {
                    "apiVersion": "policy/v1",
                    "kind": "PodDisruptionBudget",
                    "metadata": {
                        "name": workload.name,
                        "namespace": product.namespace,
                        "labels": dict(workload.labels),
                        "annotations": {},
                        "generation": 1,
                        "creationTimestamp": context.timestamp(workload.age),
                    },
                    "spec": {"maxUnavailable": 1, "selector": {"matchLabels": workload.selector()}},
                    "status": {
                        "currentHealthy": component.replicas - len(component.faults),
                        "desiredHealthy": component.replicas - 1,
                        "disruptionsAllowed": max(0, 1 - len(component.faults)),
                        "expectedPods": component.replicas,
                        "observedGeneration": 1,
                    },
                }
            )
    if product.name == "wordpress":
        cron_job(
            context,
            Workload(
                "CronJob",
                "wordpress-cron",
                product.namespace,
                labels | {"app.kubernetes.io/name": "wordpress-cron"},
                [Container("wp-cron", product.components[0].image, args=("wp", "cron", "event", "run", "--due-now"))],
                age=age - 200,
                service_account=product.name,
            ),
            schedule="*/15 * * * *",
        )
    main = product.components[0]
    host = f"{product.name}.{product.environment}.{DOMAIN}"
    front = main.name or product.name
    port = 80 if main.kind == "Deployment" else main.port
    if product.exposure == "ingress":
        ingress(
            context,
            name=product.name,
            namespace=product.namespace,
            labels=labels,
            host=host,
            service_name=front,
            port=port,
            age=age - 150,
        )
        certificate(
            context,
            name=f"{product.name}-tls",
            namespace=product.namespace,
            hosts=[host],
            labels=labels,
            age=age - 149,
            ready=product.name != "portal",
            owner_ingress=product.name,
        )
    elif product.exposure == "httproute":
        http_route(
            context,
            name=product.name,
            namespace=product.namespace,
            labels=labels,
            host=host,
            service_name=front,
            port=port,
            age=age - 150,
        )
    if product.database:
        cnpg_cluster(
            context,
            application=product.name,
            namespace=product.namespace,
            labels=labels,
            instances=product.database.instances,
            healthy=product.database.healthy,
            size=product.database.size,
            age=age - 100,
        )
    external_secret(
        context,
        name=f"{product.name}-credentials",
        namespace=product.namespace,
        labels=labels,
        path=f"{product.environment}/{product.name}",
        keys=["api-key", "smtp-password"],
        age=age - 90,
        synced=product.release_ready,
    )
    if not product.environment.startswith("openova"):
        network_policies(
            context,
            namespace=product.namespace,
            labels=labels,
            selector={"app.kubernetes.io/instance": product.name},
            port=main.port,
            age=age - 80,
            layer7=product.name in ("billing", "corebanking"),
        )
