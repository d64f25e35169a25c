"""What a process exec'd into a container gets: its image's programs, the pod's identity, variables and files.

The container's variables (its `env` and `envFrom` resolved against ConfigMaps, Secrets and the pod's fields,
and those the kubelet adds), its mounted ConfigMaps, Secrets and projected volumes as read-only files, its
volumes' folders, /etc/hosts and resolv.conf as the kubelet writes them and its image's /etc/os-release, as an
`IsolationSpec` for `IsolatedProcess`.
"""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Sequence
from typing import Any

from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.errors import ApiError
from sovereign_sandbox.node.containers import ContainerRef
from sovereign_sandbox.node.isolation import Account, ContainerRoot, IsolationSpec
from sovereign_sandbox.node.userlands import userland_for

__all__ = ["isolation_spec"]

Obj = dict[str, Any]
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_OS_RELEASE = {
    "debian": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
    'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n',
    "ubuntu": 'PRETTY_NAME="Ubuntu 24.04.2 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.2 LTS (Noble '
    'Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n',
    "alpine": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.22.1\nPRETTY_NAME="Alpine Linux v3.22"\n'
    'HOME_URL="https://alpinelinux.org/"\n',
    "ubi": 'NAME="Red Hat Enterprise Linux"\nVERSION="9.6 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.6"\n'
    'PRETTY_NAME="Red Hat Enterprise Linux 9.6 (Plow)"\n',
    "photon": 'NAME="VMware Photon OS"\nVERSION="5.0"\nID=photon\nVERSION_ID=5.0\n'
    'PRETTY_NAME="VMware Photon OS/Linux"\n',
    "distroless": 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n',
}
_USERS = {26: "postgres", 101: "nginx", 472: "grafana", 999: "redis", 1000: "app", 65534: "nobody"}


def isolation_spec(
    cluster: Cluster, container: ContainerRef, root: ContainerRoot, *, command: Sequence[str], tty: bool, stdin: bool
) -> IsolationSpec:
    """How to run `command` in `container` (whose private root is `root`), built from the current store."""
    pod = container.pod
    account = _account(container)
    files: dict[str, str | bytes] = {
        "/etc/hosts": _hosts(pod, container.pod_name),
        "/etc/resolv.conf": f"search {pod['metadata'].get('namespace', '')}.svc.cluster.local svc.cluster.local "
        "cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
        "/etc/os-release": _OS_RELEASE[container.traits.distro],
    }
    folders = []
    namespace = pod["metadata"].get("namespace", "")
    volumes = {volume["name"]: volume for volume in (pod.get("spec") or {}).get("volumes") or ()}
    for mount in container.spec.get("volumeMounts") or ():
        path = posixpath.normpath(mount["mountPath"])
        content = _volume_files(cluster, namespace, pod, volumes.get(mount.get("name", ""), {}))
        if content is None:
            folders.append(path)  # emptyDir, a claim, a host path: a folder of the root
        elif mount.get("subPath"):
            if mount["subPath"] in content:
                files[path] = content[mount["subPath"]]
        else:
            files.update({posixpath.join(path, relative): text for relative, text in content.items()})
    return IsolationSpec(
        root=root,
        argv=tuple(command),
        hostname=container.pod_name,
        userland=userland_for(container.traits.shells),
        env=_environment(cluster, container, account.home, tty),
        account=account,
        files=files,
        folders=tuple(folders),
        read_only_root=bool((container.spec.get("securityContext") or {}).get("readOnlyRootFilesystem")),
        workdir=container.spec.get("workingDir") or "/",
        tty=tty,
        stdin=stdin,
    )


def _account(container: ContainerRef) -> Account:
    """The image's user (or the pod's runAsUser); never root: a person's shell here runs unprivileged."""
    uid = _uid(container) or 1000
    own = container.spec.get("securityContext") or {}
    pod_level = (container.pod.get("spec") or {}).get("securityContext") or {}
    group = own.get("runAsGroup", pod_level.get("runAsGroup"))
    name = _USERS.get(uid, "app")
    return Account(uid=uid, gid=uid if group is None else int(group), name=name, home=f"/home/{name}")


def _hosts(pod: Obj, name: str) -> str:
    ip = (pod.get("status") or {}).get("podIP", "10.42.0.10")
    return (
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        f"{ip}\t{name}\n"
    )


def _get(cluster: Cluster, plural: str, namespace: str | None, name: str) -> Obj:
    resource = cluster.catalogue.get("", "v1", plural)
    try:
        return cluster.store.get(resource, namespace, name) if resource is not None else {}
    except ApiError:
        return {}


def _decoded(secret: Obj) -> dict[str, str]:
    return {key: base64.b64decode(value).decode(errors="replace") for key, value in (secret.get("data") or {}).items()}


def _volume_files(cluster: Cluster, namespace: str, pod: Obj, volume: Obj) -> dict[str, str] | None:
    """Relative path → content for a ConfigMap/Secret/projected volume; None for plain directories."""

    def pick(data: dict[str, str], items: list[Obj] | None) -> dict[str, str]:
        if not items:
            return dict(data)
        return {item["path"]: data[item["key"]] for item in items if item.get("key") in data}

    if "configMap" in volume:
        config_map = _get(cluster, "configmaps", namespace, volume["configMap"].get("name", ""))
        return pick(config_map.get("data") or {}, volume["configMap"].get("items"))
    if "secret" in volume:
        secret = _get(cluster, "secrets", namespace, volume["secret"].get("secretName", ""))
        return pick(_decoded(secret), volume["secret"].get("items"))
    if "projected" in volume:
        files: dict[str, str] = {}
        for source in volume["projected"].get("sources") or ():
            if "serviceAccountToken" in source:
                files[source["serviceAccountToken"].get("path", "token")] = (
                    "eyJhbGciOiJSUzI1NiIsImtpZCI6InNhbmRib3gifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2FuZGJveA"
                )
            elif "configMap" in source:
                config_map = _get(cluster, "configmaps", namespace, source["configMap"].get("name", ""))
                data = config_map.get("data") or {
                    "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIBsandbox\n-----END CERTIFICATE-----\n"
                }
                files.update(pick(data, source["configMap"].get("items")))
            elif "secret" in source:
                secret = _get(cluster, "secrets", namespace, source["secret"].get("name", ""))
                files.update(pick(_decoded(secret), source["secret"].get("items")))
            elif "downwardAPI" in source:
                for item in source["downwardAPI"].get("items") or ():
                    files[item["path"]] = _field(pod, (item.get("fieldRef") or {}).get("fieldPath", ""))
        return files
    return None


def _field(pod: Obj, path: str) -> str:
    metadata, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    values = {
        "metadata.name": metadata.get("name", ""),
        "metadata.namespace": metadata.get("namespace", ""),
        "metadata.uid": metadata.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": status.get("podIP", ""),
        "status.hostIP": status.get("hostIP", ""),
    }
    return values.get(path, "")


def _environment(cluster: Cluster, container: ContainerRef, home: str, tty: bool) -> dict[str, str]:
    namespace = container.pod["metadata"].get("namespace", "")
    env = {"PATH": _PATH, "HOSTNAME": container.pod_name}
    if tty:
        env["TERM"] = "xterm"
    env.update(
        {
            "KUBERNETES_SERVICE_HOST": "10.96.0.1",
            "KUBERNETES_SERVICE_PORT": "443",
            "KUBERNETES_SERVICE_PORT_HTTPS": "443",
            "KUBERNETES_PORT": "tcp://10.96.0.1:443",
        }
    )
    for source in container.spec.get("envFrom") or ():
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            data = _get(cluster, "configmaps", namespace, source["configMapRef"].get("name", "")).get("data") or {}
        else:
            data = _decoded(_get(cluster, "secrets", namespace, (source.get("secretRef") or {}).get("name", "")))
        env.update({prefix + key: value for key, value in data.items()})
    for variable in container.spec.get("env") or ():
        value_from = variable.get("valueFrom") or {}
        if "value" in variable or not value_from:
            env[variable["name"]] = str(variable.get("value", ""))
        elif "secretKeyRef" in value_from:
            reference = value_from["secretKeyRef"]
            env[variable["name"]] = _decoded(_get(cluster, "secrets", namespace, reference.get("name", ""))).get(
                reference.get("key", ""), ""
            )
        elif "configMapKeyRef" in value_from:
            reference = value_from["configMapKeyRef"]
            config_map = _get(cluster, "configmaps", namespace, reference.get("name", ""))
            env[variable["name"]] = (config_map.get("data") or {}).get(reference.get("key", ""), "")
        elif "fieldRef" in value_from:
            env[variable["name"]] = _field(container.pod, value_from["fieldRef"].get("fieldPath", ""))
    env.setdefault("HOME", home)  # as runc: from the user's passwd entry unless the container sets it
    return env


def _uid(container: ContainerRef) -> int:
    own = (container.spec.get("securityContext") or {}).get("runAsUser")
    pod_level = ((container.pod.get("spec") or {}).get("securityContext") or {}).get("runAsUser")
    return int(own if own is not None else pod_level if pod_level is not None else container.traits.user)
