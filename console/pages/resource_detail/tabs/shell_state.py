"""The Shell tab: which containers a pod runs, whether the person may open a shell, and the session to show.

The shell's bytes never pass through Reflex state: the terminal opens `/ws/exec/…` itself.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import reflex as rx

from console.kube import actions, runtime
from console.kube.api import KubeApiError
from console.kube.capabilities import Capability
from console.kube.detail_service import DetailAddress
from console.kube.edits import object_path
from console.kube.kinds import KindNotFound
from console.state.session import current_person
from console.state.timing import timed_event

NO_ACCESS = "You need tier-developer or higher to open a shell session."


def exec_socket_path(namespace: str, pod: str, container: str, session: int) -> str:
    """The shell socket for one session ("" before the first "Open shell"); `session` makes each one new."""
    if not namespace or not pod or session <= 0:
        return ""
    query = {"container": container, "session": str(session)} if container else {"session": str(session)}
    return f"/ws/exec/{quote(namespace, safe='')}/{quote(pod, safe='')}?{urlencode(query)}"


class DetailExecState(rx.State):
    namespace: str = ""
    pod: str = ""
    containers: list[str] = []
    container: str = ""
    can_exec: bool = False
    checked: bool = False  # the access review answered
    session: int = 0  # 0: no shell yet; each "Open shell" counts up
    state: str = ""  # the terminal's: connecting | open | exited | error | closed
    detail: str = ""
    problem: str = ""

    @rx.var
    def src(self) -> str:
        return exec_socket_path(self.namespace, self.pod, self.container, self.session)

    @rx.var
    def picks_container(self) -> bool:
        return len(self.containers) > 1

    @rx.var
    def running(self) -> bool:
        return self.session > 0 and self.state in ("connecting", "open")

    @timed_event
    async def open(self):
        """The tab opened: read the pod's containers and ask whether the person may exec, as the person."""
        address = DetailAddress.from_path(self.router.url.path)
        if address is None:
            return
        namespace, pod = address.namespace, address.name
        if (namespace, pod) != (self.namespace, self.pod):
            self.namespace, self.pod = namespace, pod
            self.containers, self.container = [], ""
        self.session, self.state, self.detail, self.problem = 0, "", "", ""
        self.can_exec, self.checked = False, False
        person = await current_person(self.router.headers.cookie)
        if person is None:
            self.checked = True
            return
        identity, acting_as = person
        try:
            kube = runtime.current()
            api = kube.api.as_person(acting_as)
            kind = await kube.catalog.find(address.kind_id)
            if Capability.EXEC not in kind.capabilities:
                self.checked = True
                return
            allowed = await actions.allowed_actions(api, kube.reviews, identity.kube_user, kind, namespace, pod)
            obj = await api.get(object_path(kind, namespace, pod))
        except runtime.KubeUnavailable as error:
            self.problem, self.checked = str(error), True
            return
        except KindNotFound:
            self.checked = True
            return
        except KubeApiError as error:
            self.problem, self.checked = error.message, True
            return
        self.can_exec, self.checked = "exec" in allowed, True
        self.containers = [item.get("name", "") for item in (obj.get("spec") or {}).get("containers") or []]
        if self.container not in self.containers:
            self.container = self.containers[0] if self.containers else ""

    @timed_event
    def close(self):
        """The tab closed: the terminal's socket goes with it."""
        self.session, self.state, self.detail = 0, "", ""

    @timed_event
    def set_container(self, value: str):
        if value in self.containers:
            self.container = value
            self.session, self.state, self.detail = 0, "", ""

    @timed_event
    def open_shell(self):
        if self.can_exec:
            self.session += 1
            self.state, self.detail = "connecting", ""

    @timed_event
    def terminal_state(self, state: str, detail: str):
        self.state, self.detail = state, detail

    @timed_event
    def exited(self, code: int):
        self.state, self.detail = "exited", str(code)
