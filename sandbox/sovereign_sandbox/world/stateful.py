"""Stateful services and credentials: CNPG clusters and databases, certificates, external secrets."""

from __future__ import annotations

from sovereign_sandbox.world.context import DAY, HOUR, WorldContext, encode, owner_reference
from sovereign_sandbox.world.network import service
from sovereign_sandbox.world.pods import Container, build_pod, container_spec
from sovereign_sandbox.world.storage import DEFAULT_CLASS, bound_claim

__all__ = ["certificate", "cnpg_cluster", "external_secret", "tls_secret"]

_POSTGRES_IMAGE = "ghcr.io/cloudnative-pg/postgresql:17.5-standard-bookworm"


def _pem(context: WorldContext, label: str, lines: int) -> str:
    body = "\n".join(encode(context.hex(36))[:64] for _ in range(lines))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def tls_secret(
    context: WorldContext, *, name: str, namespace: str, labels: dict, age: float, annotations: dict | None = None
) -> None:
    context.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/tls",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": annotations or {},
                "creationTimestamp": context.timestamp(age),
            },
            "data": {
                "tls.crt": encode(_pem(context, "CERTIFICATE", 8)),
                "tls.key": encode(_pem(context, "PRIVATE KEY", 4)),
                "ca.crt": "",
            },
        }
    )


def certificate(
    context: WorldContext,
    *,
    name: str,
    namespace: str,
    hosts: list[str],
    labels: dict,
    age: float,
    ready: bool,
    owner_ingress: str | None = None,
) -> None:
    """A cert-manager Certificate (and, when issued, its TLS Secret)."""
    issued_ago = min(age - 60, context.between(5 * DAY, 55 * DAY))
    not_before = context.timestamp(issued_ago)
    expires_in = 90 * DAY - issued_ago
    metadata: dict = {
        "name": name,
        "namespace": namespace,
        "labels": dict(labels),
        "annotations": {},
        "generation": 1,
        "creationTimestamp": context.timestamp(age),
    }
    if owner_ingress:
        # ingress-shim creates the Certificate and owns it through the Ingress.
        metadata["ownerReferences"] = [owner_reference("networking.k8s.io/v1", "Ingress", owner_ingress)]
    if ready:
        status = {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "Ready",
                    "message": "Certificate is up to date and has not expired",
                    "observedGeneration": 1,
                    "lastTransitionTime": not_before,
                }
            ],
            "notBefore": not_before,
            "notAfter": context.timestamp(-expires_in),
            "renewalTime": context.timestamp(-(expires_in - 30 * DAY)),
            "revision": 1 + int(age // (60 * DAY)),
        }
        tls_secret(
            context,
            name=f"{name}",
            namespace=namespace,
            labels={"controller.cert-manager.io/fao": "true"},
            age=issued_ago,
            annotations={
                "cert-manager.io/certificate-name": name,
                "cert-manager.io/common-name": hosts[0],
                "cert-manager.io/alt-names": ",".join(hosts),
                "cert-manager.io/issuer-kind": "ClusterIssuer",
                "cert-manager.io/issuer-name": "letsencrypt-prod",
            },
        )
    else:
        failed = context.timestamp(context.between(20 * 60, 2 * HOUR))
        status = {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "DoesNotExist",
                    "message": "Issuing certificate as Secret does not exist",
                    "observedGeneration": 1,
                    "lastTransitionTime": context.timestamp(age - 5),
                },
                {
                    "type": "Issuing",
                    "status": "False",
                    "reason": "Failed",
                    "message": f"The certificate request has failed to complete and will be retried: Failed to wait "
                    f'for order resource "{name}-1-{context.rng.randint(1_000_000_000, 4_000_000_000)}" to '
                    'become ready: order is in "errored" state: Failed to finalize Order: 429 '
                    "urn:ietf:params:acme:error:rateLimited: too many certificates already issued for "
                    "this exact set of identifiers in the last 168h0m0s",
                    "observedGeneration": 1,
                    "lastTransitionTime": failed,
                },
            ],
            "failedIssuanceAttempts": 3,
            "lastFailureTime": failed,
        }
    context.add(
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": metadata,
            "spec": {
                "dnsNames": hosts,
                "secretName": name,
                "usages": ["digital signature", "key encipherment"],
                "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
                "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
            },
            "status": status,
        }
    )


def cnpg_cluster(
    context: WorldContext,
    *,
    application: str,
    namespace: str,
    labels: dict,
    instances: int,
    healthy: bool,
    size: str,
    age: float,
) -> None:
    """A CNPG Cluster with its instance pods, PVCs, services, app secret and Database."""
    name = f"{application}-db"
    cluster_labels = {"cnpg.io/cluster": name}
    owner = owner_reference("postgresql.cnpg.io/v1", "Cluster", name)
    primary = f"{name}-1"
    target_primary = primary if healthy else f"{name}-2"
    cluster = context.add(
        {
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Cluster",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "instances": instances,
                "imageName": _POSTGRES_IMAGE,
                "primaryUpdateStrategy": "unsupervised",
                "enableSuperuserAccess": False,
                "logLevel": "info",
                "maxSyncReplicas": 0,
                "minSyncReplicas": 0,
                "bootstrap": {
                    "initdb": {
                        "database": application.replace("-", "_"),
                        "owner": application,
                        "secret": {"name": f"{name}-app"},
                    }
                },
                "storage": {"size": size, "storageClass": DEFAULT_CLASS, "resizeInUseVolumes": True},
                "backup": {
                    "barmanObjectStore": {
                        "destinationPath": f"s3://omantel-backups/{namespace}/{name}",
                        "s3Credentials": {
                            "accessKeyId": {"name": "backup-s3", "key": "ACCESS_KEY_ID"},
                            "secretAccessKey": {"name": "backup-s3", "key": "ACCESS_SECRET_KEY"},
                        },
                    },
                    "retentionPolicy": "30d",
                },
                "monitoring": {"enablePodMonitor": True},
                "affinity": {"podAntiAffinityType": "preferred", "topologyKey": "kubernetes.io/hostname"},
            },
        }
    )
    instance_names = []
    ready_count = 0
    for index in range(1, instances + 1):
        instance = f"{name}-{index}"
        instance_names.append(instance)
        failing = not healthy and instance == primary
        node = context.pick_worker()
        container = container_spec(
            Container(
                "postgres",
                _POSTGRES_IMAGE,
                (("postgresql", 5432), ("metrics", 9187)),
                probe_path="/healthz",
                requests=("250m", "512Mi"),
                limits=("2", "2Gi"),
                mounts=(("pgdata", "/var/lib/postgresql/data"),),
            )
        )
        spec = {
            "containers": [container],
            "hostname": instance,
            "subdomain": f"{name}-any",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "serviceAccountName": name,
            "serviceAccount": name,
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": False,
            "terminationGracePeriodSeconds": 1800,
            "securityContext": {"fsGroup": 26, "runAsUser": 26, "runAsNonRoot": True},
            "volumes": [{"name": "pgdata", "persistentVolumeClaim": {"claimName": instance}}],
        }
        role = "primary" if instance == target_primary else "replica"
        pod_labels = cluster_labels | {
            "cnpg.io/instanceName": instance,
            "cnpg.io/podRole": "instance",
            "cnpg.io/instanceRole": role,
            "role": role,
        }
        context.add(
            build_pod(
                context,
                name=instance,
                namespace=namespace,
                labels=pod_labels,
                annotations={"cnpg.io/operatorVersion": "1.26.1"},
                owner=owner,
                template_spec=spec,
                # The failing instance was recreated by the operator when its primary broke.
                node=node,
                age=context.between(HOUR, 2 * HOUR) if failing else age - index * 90,
                condition="crashloop" if failing else "running",
            )
        )
        ready_count += 0 if failing else 1
        claim, volume = bound_claim(
            context,
            name=instance,
            namespace=namespace,
            size=size,
            labels=cluster_labels | {"cnpg.io/instanceName": instance, "cnpg.io/pvcRole": "PG_DATA"},
            age=age - index * 90 + 5,
            node=node,
        )
        claim["metadata"]["ownerReferences"] = [owner]
        context.add(volume)
        context.add(claim)
    for suffix, role in (("rw", "primary"), ("ro", "replica"), ("r", None)):
        selector = cluster_labels | ({"cnpg.io/instanceRole": role} if role else {"cnpg.io/podRole": "instance"})
        created = service(
            context,
            name=f"{name}-{suffix}",
            namespace=namespace,
            labels=cluster_labels,
            selector=selector,
            ports=[("postgres", 5432, 5432, "TCP")],
            age=age - 10,
        )
        created["metadata"]["ownerReferences"] = [owner]
    context.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/basic-auth",
            "metadata": {
                "name": f"{name}-app",
                "namespace": namespace,
                "labels": cluster_labels | {"cnpg.io/reload": "true", "cnpg.io/userType": "app"},
                "annotations": {},
                "ownerReferences": [owner],
                "creationTimestamp": context.timestamp(age - 8),
            },
            "data": {
                "username": encode(application),
                "password": context.secret_value(32),
                "dbname": encode(application.replace("-", "_")),
                "host": encode(f"{name}-rw"),
                "port": encode("5432"),
                "uri": encode(f"postgresql://{application}@{name}-rw.{namespace}:5432/{application}"),
            },
        }
    )
    transition = context.timestamp(context.between(10 * 60, 50 * 60) if not healthy else age - 200)
    cluster["status"] = {
        "instances": instances,
        "readyInstances": ready_count,
        "currentPrimary": target_primary if healthy else primary,
        "targetPrimary": target_primary,
        "latestGeneratedNode": instances,
        "instanceNames": instance_names,
        "phase": "Cluster in healthy state" if healthy else "Failing over",
        "phaseReason": "" if healthy else f"Failing over from {primary} to {target_primary}",
        "instancesStatus": {
            "healthy": [n for n in instance_names if healthy or n != primary],
            **({} if healthy else {"failed": [primary]}),
        },
        "firstRecoverabilityPoint": context.timestamp(age - DAY) if age > DAY else context.timestamp(age),
        "lastSuccessfulBackup": context.timestamp(context.between(HOUR, 20 * HOUR)),
        "conditions": [
            {
                "type": "Ready",
                "status": "True" if healthy else "False",
                "reason": "ClusterIsReady" if healthy else "ClusterIsNotReady",
                "message": "Cluster is Ready" if healthy else "Cluster Is Not Ready",
                "lastTransitionTime": transition,
            },
            {
                "type": "ContinuousArchiving",
                "status": "True",
                "reason": "ContinuousArchivingSuccess",
                "message": "Continuous archiving is working",
                "lastTransitionTime": context.timestamp(age - 300),
            },
        ],
        "writeService": f"{name}-rw",
        "readService": f"{name}-r",
    }
    context.add(
        {
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Database",
            "metadata": {
                "name": application,
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age - 5),
            },
            "spec": {
                "name": application.replace("-", "_"),
                "owner": application,
                "cluster": {"name": name},
                "ensure": "present",
                "databaseReclaimPolicy": "retain",
            },
            "status": {
                "applied": healthy,
                "observedGeneration": 1,
                **({} if healthy else {"message": f"while connecting to {primary}: connection refused"}),
            },
        }
    )


def external_secret(
    context: WorldContext,
    *,
    name: str,
    namespace: str,
    labels: dict,
    path: str,
    keys: list[str],
    age: float,
    synced: bool,
) -> None:
    """An ExternalSecret from OpenBao; when synced, the Secret it owns exists too."""
    refreshed = context.timestamp(context.between(60, HOUR))
    context.add(
        {
            "apiVersion": "external-secrets.io/v1beta1",
            "kind": "ExternalSecret",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "refreshInterval": "1h",
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": "openbao"},
                "target": {"name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
                "data": [
                    {
                        "secretKey": key,
                        "remoteRef": {
                            "key": path,
                            "property": key,
                            "conversionStrategy": "Default",
                            "decodingStrategy": "None",
                            "metadataPolicy": "None",
                        },
                    }
                    for key in keys
                ],
            },
            "status": {
                "binding": {"name": name if synced else ""},
                "refreshTime": refreshed if synced else None,
                "syncedResourceVersion": f"1-{context.hex(32)}" if synced else "",
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True" if synced else "False",
                        "reason": "SecretSynced" if synced else "SecretSyncedError",
                        "message": "secret synced"
                        if synced
                        else f'could not get secret data from provider: key "{path}" not found',
                        "lastTransitionTime": refreshed,
                    }
                ],
            },
        }
    )
    if synced:
        context.add(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": {
                        "reconcile.external-secrets.io/created-by": context.hex(32),
                        "reconcile.external-secrets.io/managed": "true",
                    },
                    "annotations": {"reconcile.external-secrets.io/data-hash": context.hex(32)},
                    "ownerReferences": [owner_reference("external-secrets.io/v1beta1", "ExternalSecret", name)],
                    "creationTimestamp": context.timestamp(age - 2),
                },
                "data": {key: context.secret_value() for key in keys},
            }
        )
