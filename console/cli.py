"""The `console` command: `console run` (production), `console demo` (sandbox + console), `console sandbox`,
`console reconcile` (the grant reconciler alone)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from console.frontend import BUILD_MARKER, build_is_current, build_problem
from console.preflight import preflight
from console.settings import get_settings

if TYPE_CHECKING:
    from sovereign_sandbox.servers import SandboxWorld

DEFAULT_STATE_DIR = Path("var")
SANDBOX_MISSING = "the sandbox is not installed: pip install -e ./sandbox (make setup does this)"


def app_dir() -> Path:
    """The folder holding rxconfig.py: `CONSOLE_APP_DIR`, else the checkout the package runs from, else cwd."""
    configured = os.environ.get("CONSOLE_APP_DIR", "").strip()
    if configured:
        return Path(configured).resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "rxconfig.py").is_file():
        return checkout
    return Path.cwd()


def backend_environment(base: dict[str, str], port: int) -> dict[str, str]:
    """Environment of the backend process: the exported front end served from it, its state under the state dir.

    Nothing is compiled or built at start (the image is read-only and built once): the pages were compiled
    by `reflex export`, so the backend only imports them; Reflex's own files go under `CONSOLE_STATE_DIR`.
    """
    env = dict(base)
    state_dir = Path(env.get("CONSOLE_STATE_DIR", "var/console")).resolve()
    env.update(
        {
            "CONSOLE_PORT": str(port),
            "REFLEX_ENV_MODE": "prod",
            "__REFLEX_SKIP_COMPILE": "true",  # Reflex's internal switches carry a `__` prefix
            "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "true",
            "REFLEX_FRONTEND_PORT": str(port),
            "REFLEX_BACKEND_PORT": str(port),
            "REFLEX_STATES_WORKDIR": str(state_dir / "reflex-states"),
            "REFLEX_UPLOADED_FILES_DIR": str(state_dir / "uploads"),
        }
    )
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def start_console(
    port: int, env: dict[str, str], wrapper: Sequence[str] = (), output: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """Start the console's backend (uvicorn, one worker), which also serves the exported front end on `port`.

    One worker per process: the shared watch cache is per process, so a Sovereign scales out with replicas.
    `wrapper` runs it inside another command (tests: `bwrap` with a read-only root, as the Deployment has);
    `output` takes its stdout and stderr (tests read the console's own logs), else they are this process's.
    """
    states = Path(env["REFLEX_STATES_WORKDIR"])
    shutil.rmtree(states, ignore_errors=True)  # pickled states of an older build must not be loaded
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "console.console:app",
        "--host",
        env.get("CONSOLE_HOST", "0.0.0.0"),
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",  # the console writes its own request log (one JSON line per request)
    ]
    return subprocess.Popen(
        [*wrapper, *command], cwd=app_dir(), env=env, start_new_session=True, stdout=output, stderr=output
    )


def export_frontend(directory: Path) -> None:
    """`reflex export --frontend-only` in the checkout (the project-local bun first on PATH), then mark it."""
    env = dict(os.environ)
    tools = directory / ".tools" / "node_modules" / ".bin"
    if (tools / "bun").exists():
        env["PATH"] = f"{tools}{os.pathsep}{env.get('PATH', '')}"
        env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    reflex = Path(sys.executable).with_name("reflex")
    command = [str(reflex) if reflex.exists() else "reflex", "export", "--frontend-only", "--no-zip"]
    subprocess.run([*command, "--loglevel", "warning"], cwd=directory, env=env, check=True)
    (directory / ".web" / BUILD_MARKER).touch()


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll the console's health endpoint until it answers; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the console exited with code {process.returncode} before it served")
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the console did not answer on {url} within {timeout:.0f}s")


@contextlib.contextmanager
def console_against(
    world: SandboxWorld,
    port: int,
    *,
    public_url: str,
    state_dir: Path,
    host: str = "0.0.0.0",
    extra_env: dict[str, str] | None = None,
    start_timeout: float = 300.0,
    wrapper: Sequence[str] = (),
    log_path: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The console as `console run` serves it, connected to a sandbox world; stopped on the way out.

    With `log_path` its logs (both streams) are written there instead of this process's stderr and stdout.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    base = {
        **os.environ,
        **world.console_settings(state_dir),
        "CONSOLE_HOST": host,
        "CONSOLE_PUBLIC_URL": public_url,
        "CONSOLE_STATE_DIR": str(state_dir),
        **(extra_env or {}),
    }
    env = backend_environment(base, port)
    output = log_path.open("ab") if log_path is not None else None
    process = start_console(port, env, wrapper, output)
    try:
        # Its own port, not the public URL: several replicas may stand behind one address.
        wait_until_serving(f"http://127.0.0.1:{port}", process, timeout=start_timeout)
        yield public_url, process
    finally:
        stop(process)
        if output is not None:
            output.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _interrupt_on_sigterm() -> None:
    """Treat SIGTERM (container stop) like Ctrl-C so every child is stopped cleanly."""

    def _raise(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)


def _run(args: argparse.Namespace) -> int:
    """Check the configuration (one line per problem, exit 2), then serve with JSON logs unless told otherwise."""
    os.environ.setdefault("CONSOLE_LOG_FORMAT", "json")
    logging.basicConfig(level=logging.CRITICAL)  # the checks' libraries stay quiet: their problems are our lines
    try:
        settings = get_settings()
    except ValueError as error:
        print(f"console run: {error}", file=sys.stderr, flush=True)
        return 2
    problems = [*preflight(settings, os.environ), build_problem(app_dir())]
    if any(problems):
        for problem in filter(None, problems):
            print(f"console run: {problem}", file=sys.stderr, flush=True)
        return 2
    process = start_console(args.port, backend_environment(dict(os.environ), args.port))
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop(process)
        return 0


def _print_people(world: SandboxWorld) -> None:
    print("seeded people (username / password / tier):", flush=True)
    for username, password, tier in world.people():
        print(f"  {username:<12} {password:<18} {tier}", flush=True)


def _sandbox_world() -> type[SandboxWorld] | None:
    """`SandboxWorld`, or None (said on stderr) when the sandbox, a distribution of its own, is not installed."""
    try:
        from sovereign_sandbox.servers import SandboxWorld
    except ModuleNotFoundError:
        if importlib.util.find_spec("sovereign_sandbox") is not None:
            raise  # the sandbox is there but broken: the traceback says more than any message
        print(f"console: {SANDBOX_MISSING}", file=sys.stderr, flush=True)
        return None
    return SandboxWorld


def _sandbox(args: argparse.Namespace) -> int:
    sandbox_world = _sandbox_world()
    if sandbox_world is None:
        return 2
    kubeconfig = Path(args.kubeconfig or DEFAULT_STATE_DIR / "sandbox" / "kubeconfig").resolve()
    world = sandbox_world(
        host=args.host,
        kube_port=args.kube_port,
        idp_port=args.idp_port,
        seed=args.seed,
        pods=args.pods,
        churn=args.churn,
        kubeconfig_path=kubeconfig,
        console_redirect_uris=[f"http://localhost:{port}/auth/callback" for port in (3000,)],
        console_backchannel_logout_url="http://127.0.0.1:3000/auth/backchannel-logout",
    )
    with world:
        print(f"sandbox ready: kubeconfig {world.cluster.kubeconfig_path} · API {world.cluster.https_url}", flush=True)
        print(f"identity provider: {world.idp.issuer} (client {world.idp.console_client_id})", flush=True)
        _print_people(world)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def _demo(args: argparse.Namespace) -> int:
    sandbox_world = _sandbox_world()
    if sandbox_world is None:
        return 2
    if not build_is_current(app_dir()):
        # Only when a source changed since the last export (what `make` decides): a start is seconds, a build minutes.
        print("console demo: building the front end (its sources changed since the last build)", flush=True)
        try:
            export_frontend(app_dir())
        except (OSError, subprocess.CalledProcessError) as error:
            print(f"console demo: the front-end build failed: {error}", file=sys.stderr, flush=True)
            return 2
    kubeconfig = Path(args.kubeconfig or DEFAULT_STATE_DIR / "sandbox" / "kubeconfig").resolve()
    url = f"http://localhost:{args.port}"
    world = sandbox_world(
        seed=args.seed,
        pods=args.pods,
        churn=args.churn,
        kubeconfig_path=kubeconfig,
        console_redirect_uris=[f"{url}/auth/callback", f"http://127.0.0.1:{args.port}/auth/callback"],
        console_backchannel_logout_url=f"http://127.0.0.1:{args.port}/auth/backchannel-logout",
    )
    with world:
        print(f"sandbox kubeconfig: {world.cluster.kubeconfig_path}", flush=True)
        try:
            with console_against(
                world,
                args.port,
                public_url=url,
                state_dir=DEFAULT_STATE_DIR.resolve() / "console",
                start_timeout=args.start_timeout,
            ) as (_, process):
                _print_people(world)
                print(f"Sovereign Console: {url}", flush=True)
                kubectl = Path(sys.executable).with_name("kubectl")
                kubectl_command = str(kubectl) if kubectl.exists() else "kubectl"
                kubeconfig_path = world.cluster.kubeconfig_path
                print(f"Try: {kubectl_command} --kubeconfig {kubeconfig_path} create namespace demo", flush=True)
                return process.wait()
        except KeyboardInterrupt:
            return 0


def _reconcile(args: argparse.Namespace) -> int:
    """Only the grant reconciler (leader-elected) against the configured cluster, until SIGTERM or Ctrl-C."""
    # Imported here: the other commands (demo, sandbox, run) never need the cluster client in this process.
    from console.rbac.runtime import RbacUnavailable, run_reconciler

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("kubernetes").setLevel(logging.ERROR)  # its config warnings repeat our one-line errors
    try:
        settings = get_settings()
    except ValueError as error:
        print(f"console reconcile: {error}", file=sys.stderr, flush=True)
        return 2

    async def reconcile_until_stopped() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop_signal, task.cancel)
        try:
            await run_reconciler(settings, lambda line: print(f"console reconcile: {line}", flush=True))
        except asyncio.CancelledError:
            pass

    try:
        asyncio.run(reconcile_until_stopped())
    except RbacUnavailable as error:
        print(f"console reconcile: {error}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="console", description="Sovereign Console")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the console against the configured cluster (production)")
    run.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", "3000")))
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="start the sandbox cluster and the console against it")
    demo.add_argument("--port", type=int, default=3000)
    demo.add_argument("--kubeconfig", help="where to write the sandbox's kubeconfig (default var/sandbox/kubeconfig)")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--pods", type=int, default=None, help="scale the seeded world to about N pods")
    demo.add_argument("--churn", type=float, default=0.0, help="background changes per second in the sandbox")
    demo.add_argument("--start-timeout", type=float, default=600.0, help=argparse.SUPPRESS)
    demo.set_defaults(handler=_demo)

    sandbox = commands.add_parser("sandbox", help="start only the sandbox cluster")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--kube-port", type=int, default=6443)
    sandbox.add_argument("--kubeconfig", help="where to write the kubeconfig (default var/sandbox/kubeconfig)")
    sandbox.add_argument("--seed", type=int, default=1)
    sandbox.add_argument("--pods", type=int, default=None, help="scale the seeded world to about N pods")
    sandbox.add_argument("--churn", type=float, default=0.0, help="background changes per second")
    sandbox.add_argument("--idp-port", type=int, default=8180, help="port of the Keycloak-compatible IdP")
    sandbox.set_defaults(handler=_sandbox)

    reconcile = commands.add_parser(
        "reconcile", help="run only the grant reconciler (leader-elected) against the configured cluster"
    )
    reconcile.set_defaults(handler=_reconcile)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _interrupt_on_sigterm()
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
