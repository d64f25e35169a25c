"""The Logs tab's options and the containers it offers; the lines themselves stay in the browser's viewer."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import reflex as rx

from console.kube import runtime
from console.kube.api import JsonObject, KubeApiError
from console.state.session import current_person

ALL_CONTAINERS = "__all__"  # the picker's "all containers" choice
TAIL_CHOICES = ("100", "1000", "all")
SINCE_CHOICES = ("all time", "5m", "15m", "1h", "6h", "24h")
# list kind id → the socket's `kind` and the collection its object is read from
LOG_KINDS = {
    "pods": ("pod", "/api/v1/namespaces/{ns}/pods/{name}"),
    "deployments": ("deployment", "/apis/apps/v1/namespaces/{ns}/deployments/{name}"),
    "statefulsets": ("statefulset", "/apis/apps/v1/namespaces/{ns}/statefulsets/{name}"),
    "daemonsets": ("daemonset", "/apis/apps/v1/namespaces/{ns}/daemonsets/{name}"),
}


def pod_spec(obj: JsonObject) -> JsonObject:
    """A pod's spec, or a workload's pod template spec."""
    spec = obj.get("spec") or {}
    return (spec.get("template") or {}).get("spec") or {} if "template" in spec else spec


def container_names(spec: JsonObject) -> tuple[list[str], list[str]]:
    """(containers, init containers) of a pod spec."""
    names = [item.get("name", "") for item in spec.get("containers") or []]
    inits = [item.get("name", "") for item in spec.get("initContainers") or []]
    return names, inits


def socket_path(
    kind_id: str,
    namespace: str,
    name: str,
    *,
    container: str,
    follow: bool,
    previous: bool,
    tail: str,
    since: str,
) -> str:
    """The log socket path and query for the tab's options ("" for a kind without logs)."""
    if kind_id not in LOG_KINDS or not namespace or not name:
        return ""
    query = {"kind": LOG_KINDS[kind_id][0], "tail": tail}
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
            self.kind_id,
            self.namespace,
            self.object_name,
            container=self.container,
            follow=self.follow,
            previous=self.previous,
            tail=self.tail,
            since=self.since,
        )

    @rx.var
    def is_workload(self) -> bool:
        return self.kind_id in LOG_KINDS and self.kind_id != "pods"

    @rx.var
    def picks_container(self) -> bool:
        return len(self.containers) + len(self.init_containers) > 1

    @rx.var
    def download_name(self) -> str:
        return f"{self.namespace}-{self.object_name}.log"

    @rx.event
    async def open(self):
        """The tab opened: read which containers the object runs, as the signed-in person."""
        parts = [part for part in self.router.url.path.split("/") if part]
        if len(parts) < 5:
            return
        kind_id, namespace, name = parts[2], parts[3], parts[4]
        if (kind_id, namespace, name) != (self.kind_id, self.namespace, self.object_name):
            self.kind_id, self.namespace, self.object_name = kind_id, namespace, name
            self.container, self.previous = "", False
            self.containers, self.init_containers = [], []
        self.problem = ""
        if kind_id not in LOG_KINDS:
            return
        person = await current_person(self.router.headers.cookie)
        if person is None:
            return
        try:
            api = runtime.current().api.as_person(person[1])
            obj = await api.get(LOG_KINDS[kind_id][1].format(ns=namespace, name=name))
        except runtime.KubeUnavailable as error:
            self.problem = str(error)
            return
        except KubeApiError:
            return  # the viewer's socket reports why (not found, forbidden …)
        self.containers, self.init_containers = container_names(pod_spec(obj))
        if self.container not in (*self.containers, *self.init_containers, ALL_CONTAINERS):
            self.container = self.containers[0] if self.containers else ""

    @rx.event
    def close(self):
        """The tab closed: the viewer idles until it opens again (maybe on another object)."""
        self.kind_id = self.namespace = self.object_name = ""

    @rx.event
    def set_container(self, value: str):
        self.container = value
        self.previous = False

    @rx.event
    def set_follow(self, value: bool):
        self.follow = value

    @rx.event
    def set_previous(self, value: bool):
        self.previous = value

    @rx.event
    def set_tail(self, value: str):
        if value in TAIL_CHOICES:
            self.tail = value

    @rx.event
    def set_since(self, value: str):
        if value in SINCE_CHOICES:
            self.since = value

    @rx.event
    def set_timestamps(self, value: bool):
        self.timestamps = value

    @rx.event
    def set_wrap(self, value: bool):
        self.wrap = value
