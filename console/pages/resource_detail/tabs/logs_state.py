"""The Logs tab's options and the containers it offers; the lines themselves stay in the browser's viewer."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import reflex as rx

from console.kube import runtime
from console.kube.api import JsonObject, KubeApiError
from console.kube.capabilities import Capability, LogSource
from console.kube.detail_service import DetailAddress
from console.kube.edits import object_path
from console.kube.kinds import Kind, KindNotFound
from console.state.session import current_person
from console.state.timing import timed_event

ALL_CONTAINERS = "__all__"  # the picker's "all containers" choice
TAIL_CHOICES = ("100", "1000", "all")
SINCE_CHOICES = ("all time", "5m", "15m", "1h", "6h", "24h")


def log_kind(kind: Kind) -> str:
    """What the log socket's `kind` names: the object's Kubernetes kind ("" for a kind without logs)."""
    return kind.kind.lower() if Capability.LOGS in kind.capabilities else ""


def pod_spec(obj: JsonObject, source: LogSource) -> JsonObject:
    """The spec of the pods whose logs are read: a pod's own, or a workload's pod template's."""
    spec = obj.get("spec") or {}
    return (spec.get("template") or {}).get("spec") or {} if source == "workload" else spec


def container_names(spec: JsonObject) -> tuple[list[str], list[str]]:
    """(containers, init containers) of a pod spec."""
    names = [item.get("name", "") for item in spec.get("containers") or []]
    inits = [item.get("name", "") for item in spec.get("initContainers") or []]
    return names, inits


def socket_path(
    socket_kind: str,
    namespace: str,
    name: str,
    *,
    container: str,
    follow: bool,
    previous: bool,
    tail: str,
    since: str,
) -> str:
    """The log socket path and query for the tab's options ("" while there is nothing to stream)."""
    if not socket_kind or not namespace or not name:
        return ""
    query = {"kind": socket_kind, "tail": tail}
    if container == ALL_CONTAINERS:
        query["all"] = "1"
    elif container:
        query["container"] = container
    if follow:
        query["follow"] = "1"
    if previous:
        query["previous"] = "1"
    if since in SINCE_CHOICES[1:]:
        query["since"] = since
    return f"/ws/logs/{quote(namespace, safe='')}/{quote(name, safe='')}?{urlencode(query)}"


class DetailLogsState(rx.State):
    kind_id: str = ""
    namespace: str = ""
    object_name: str = ""
    socket_kind: str = ""  # the log socket's `kind` for the open object ("" until it is known to have logs)
    workload: bool = False  # the lines come from several pods (each line says which)
    containers: list[str] = []
    init_containers: list[str] = []
    container: str = ""  # a container's name, ALL_CONTAINERS, or "" (the only one)
    follow: bool = True
    previous: bool = False
    tail: str = "100"
    since: str = "all time"
    timestamps: bool = False
    wrap: bool = False
    problem: str = ""

    @rx.var
    def src(self) -> str:
        return socket_path(
            self.socket_kind,
            self.namespace,
            self.object_name,
            container=self.container,
            follow=self.follow,
            previous=self.previous,
            tail=self.tail,
            since=self.since,
        )

    @rx.var
    def picks_container(self) -> bool:
        return len(self.containers) + len(self.init_containers) > 1

    @rx.var
    def download_name(self) -> str:
        return f"{self.namespace}-{self.object_name}.log"

    @timed_event
    async def open(self):
        """The tab opened: read which containers the object runs, as the signed-in person."""
        address = DetailAddress.from_path(self.router.url.path)
        if address is None:
            return
        if (address.kind_id, address.namespace, address.name) != (self.kind_id, self.namespace, self.object_name):
            self.kind_id, self.namespace, self.object_name = address.kind_id, address.namespace, address.name
            self.container, self.previous = "", False
            self.containers, self.init_containers = [], []
            self.socket_kind, self.workload = "", False
        self.problem = ""
        try:
            kube = runtime.current()
            kind = await kube.catalog.find(address.kind_id)
        except runtime.KubeUnavailable as error:
            self.problem = str(error)
            return
        except KindNotFound:
            return
        if kind.log_source is None:
            return
        # The viewer streams at once; its socket says why when the person may not read these logs.
        self.socket_kind, self.workload = log_kind(kind), kind.log_source == "workload"
        person = await current_person(self.router.headers.cookie)
        if person is None:
            return
        try:
            obj = await kube.api.as_person(person[1]).get(object_path(kind, address.namespace, address.name))
        except KubeApiError:
            return  # the viewer's socket reports why (not found, forbidden …)
        self.containers, self.init_containers = container_names(pod_spec(obj, kind.log_source))
        if self.container not in (*self.containers, *self.init_containers, ALL_CONTAINERS):
            self.container = self.containers[0] if self.containers else ""

    @timed_event
    def close(self):
        """The tab closed: the viewer idles until it opens again (maybe on another object)."""
        self.kind_id = self.namespace = self.object_name = self.socket_kind = ""

    @timed_event
    def set_container(self, value: str):
        self.container = value
        self.previous = False

    @timed_event
    def set_follow(self, value: bool):
        self.follow = value

    @timed_event
    def set_previous(self, value: bool):
        self.previous = value

    @timed_event
    def set_tail(self, value: str):
        if value in TAIL_CHOICES:
            self.tail = value

    @timed_event
    def set_since(self, value: str):
        if value in SINCE_CHOICES:
            self.since = value

    @timed_event
    def set_timestamps(self, value: bool):
        self.timestamps = value

    @timed_event
    def set_wrap(self, value: bool):
        self.wrap = value
