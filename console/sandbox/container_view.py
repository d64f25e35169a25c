"""What a process exec'd into a container sees: files (mounted ConfigMaps/Secrets, /etc), env, user, processes."""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass, field
from typing import Any

from console.sandbox.cluster import Cluster
from console.sandbox.containers import ContainerRef, ImageTraits
from console.sandbox.errors import ApiError

__all__ = ["ContainerView", "build_view"]

Obj = dict[str, Any]
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_BIN_DIRS = ("/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin")
# Programs every image with a shell has (coreutils, procps or busybox applets).
UTILITIES = frozenset(
    "cat clear date echo env false grep head hostname id ls mkdir printenv printf ps pwd rm sleep tail "
    "stty test touch true uname wc which whoami [".split()
)
_ROOT_DIRS = (
    "bin",
    "dev",
    "etc",
    "home",
    "lib",
    "media",
    "mnt",
    "opt",
    "proc",
    "root",
    "run",
    "sbin",
    "srv",
    "sys",
    "tmp",
    "usr",
    "var",
)
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
_USERS = {0: "root", 26: "postgres", 101: "nginx", 472: "grafana", 999: "redis", 1000: "app", 65534: "nobody"}
_MAIN_PROCESS = {
    "access": "nginx: master process nginx -g daemon off;",
    "java": "java -XX:MaxRAMPercentage=75 -jar /app/app.jar",
    "python": "python -m app",
    "node": "node /app/server.js",
    "postgres": "postgres -D /var/lib/postgresql/data",
    "nats": "nats-server --config /etc/nats/nats.conf",
    "job": "php /var/www/html/wp-cron.php",
}


@dataclass
class ContainerView:
    """The container's filesystem, environment and identity as a shell inside it sees them."""

    hostname: str
    traits: ImageTraits
    uid: int
    env: dict[str, str]
    files: dict[str, str]  # absolute path → content
    dirs: set[str]
    writable: tuple[str, ...]  # directory prefixes a redirect may create files in
    kernel: str
    main_process: str
    started: float  # the container's start, epoch seconds (ps STIME)
    executables: frozenset[str] = field(default_factory=frozenset)

    @property
    def user(self) -> str | None:
        """The uid's name in /etc/passwd (None: "I have no name!")."""
        return _USERS.get(self.uid)

    def is_dir(self, path: str) -> bool:
        return path in self.dirs

    def children(self, path: str) -> list[str]:
        prefix = path.rstrip("/") + "/"
        names = {
            entry[len(prefix) :].split("/", 1)[0] for entry in (*self.files, *self.dirs) if entry.startswith(prefix)
        }
        return sorted(name for name in names if name)

    def add_file(self, path: str, content: str) -> None:
        self.files[path] = content
        parent = posixpath.dirname(path)
        while parent not in self.dirs:
            self.dirs.add(parent)
            parent = posixpath.dirname(parent)

    def executable_path(self, name: str) -> str | None:
        """Where `name` (a bare name or a path) resolves in $PATH, like `command -v`."""
        if "/" in name:
            found = posixpath.basename(name) in self.executables and posixpath.dirname(name) in _BIN_DIRS
            return name if found else None
        if name not in self.executables:
            return None
        return "/bin/" + name if name in self.traits.shells else "/usr/bin/" + name


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
    env["HOME"] = home
    return env


def _uid(container: ContainerRef) -> int:
    own = (container.spec.get("securityContext") or {}).get("runAsUser")
    pod_level = ((container.pod.get("spec") or {}).get("securityContext") or {}).get("runAsUser")
    return int(own if own is not None else pod_level if pod_level is not None else container.traits.user)


def build_view(cluster: Cluster, container: ContainerRef, *, tty: bool, started: float) -> ContainerView:
    """The view of `container` an exec session gets (built per session from the current store)."""
    pod, traits = container.pod, container.traits
    uid = _uid(container)
    home = "/root" if uid == 0 else "/"
    node = _get(cluster, "nodes", None, (pod.get("spec") or {}).get("nodeName", ""))
    kernel = ((node.get("status") or {}).get("nodeInfo") or {}).get("kernelVersion", "6.8.0-63-generic")
    command = [*(container.spec.get("command") or ()), *(container.spec.get("args") or ())]
    image_name = container.spec.get("image", "app").rsplit("/", 1)[-1].split(":", 1)[0]
    main = " ".join(command) or _MAIN_PROCESS.get(traits.log_style, f"/usr/local/bin/{image_name}")
    view = ContainerView(
        hostname=container.pod_name,
        traits=traits,
        uid=uid,
        env=_environment(cluster, container, home, tty),
        files={},
        dirs={"/", *(f"/{entry}" for entry in _ROOT_DIRS), *_BIN_DIRS, "/usr/local", "/var/log", "/root"},
        writable=("/tmp", "/dev"),
        kernel=kernel,
        main_process=main,
        started=started,
        executables=frozenset((*traits.shells, *UTILITIES)) if traits.shells else frozenset(),
    )
    namespace = pod["metadata"].get("namespace", "")
    status = pod.get("status") or {}
    passwd = "".join(
        f"{user}:x:{number}:{number}:{user}:{'/root' if number == 0 else '/'}:/sbin/nologin\n"
        for number, user in sorted(_USERS.items())
    )
    for path, content in {
        "/etc/hostname": f"{container.pod_name}\n",
        "/etc/hosts": "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        f"{status.get('podIP', '10.42.0.10')}\t{container.pod_name}\n",
        "/etc/resolv.conf": f"search {namespace}.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\noptions ndots:5\n",
        "/etc/os-release": _OS_RELEASE[traits.distro],
        "/etc/passwd": passwd,
        "/dev/null": "",
        "/proc/version": f"Linux version {kernel} (buildd@lcy02-amd64-100) (gcc 13.3.0) #63-Ubuntu SMP\n",
    }.items():
        view.add_file(path, content)
    for executable in view.executables:
        view.add_file(view.executable_path(executable) or f"/usr/bin/{executable}", "\x7fELF\x02\x01\x01")
    volumes = {volume["name"]: volume for volume in (pod.get("spec") or {}).get("volumes") or ()}
    for mount in container.spec.get("volumeMounts") or ():
        volume = volumes.get(mount.get("name", ""), {})
        path = mount["mountPath"].rstrip("/") or "/"
        files = _volume_files(cluster, namespace, pod, volume)
        if files is None:
            view.dirs.add(path)
            if not mount.get("readOnly"):
                view.writable += (path,)
        elif mount.get("subPath"):
            if mount["subPath"] in files:
                view.add_file(path, files[mount["subPath"]])
        else:
            view.dirs.add(path)
            for relative, content in files.items():
                view.add_file(posixpath.join(path, relative), content)
    if not (container.spec.get("securityContext") or {}).get("readOnlyRootFilesystem"):
        view.writable += ("/",)
    return view
