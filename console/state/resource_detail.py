"""`/cloud/resource/<kind>/<ns or _>/<name>/<tab>`: the object, read as the signed-in person."""

from __future__ import annotations

import reflex as rx

from console.kube import runtime
from console.kube.api import KubeApiError
from console.kube.kinds import KindNotFound
from console.kube.manifests import cleaned, to_yaml
from console.state.session import current_person


def _path_parts(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


class ResourceDetailState(rx.State):
    kind_id: str = ""
    kind_title: str = ""
    namespace: str = ""
    object_name: str = ""
    manifest_yaml: str = ""
    loading: bool = True
    problem: str = ""  # "Not Found", "You may not view …", or a plain error
    list_href: str = "/cloud?view=list"

    @rx.event
    async def load(self):
        parts = _path_parts(self.router.url.path)
        self.loading, self.problem, self.manifest_yaml = True, "", ""
        if len(parts) < 5:
            self.loading, self.problem = False, "Not Found"
            return
        _, _, self.kind_id, namespace, self.object_name = parts[:5]
        self.namespace = "" if namespace == "_" else namespace
        self.list_href = f"/cloud?view=list&kind={self.kind_id}"
        try:
            kind = await runtime.current().catalog.find(self.kind_id)
        except KindNotFound:
            self.loading, self.problem = False, f"Unknown kind “{self.kind_id}”."
            return
        except runtime.KubeUnavailable as problem:
            self.loading, self.problem = False, str(problem)
            return
        self.kind_title = kind.title
        person = await current_person(self.router.headers.cookie)
        if person is None or kind.resource is None:
            self.loading = False
            self.problem = "Not Found" if person else ""
            return
        try:
            api = runtime.current().api.as_person(person[1])
            obj = await api.get(f"{kind.resource.collection(self.namespace)}/{self.object_name}")
        except runtime.KubeUnavailable as problem:
            self.loading, self.problem = False, str(problem)
            return
        except KubeApiError as error:
            self.loading = False
            if error.status == 404:
                self.problem = "Not Found"
            elif error.status == 403:
                self.problem = f"You may not view this {kind.kind}: {error.message}"
            else:
                self.problem = error.message
            return
        self.manifest_yaml = to_yaml(cleaned(obj))
        self.loading = False
