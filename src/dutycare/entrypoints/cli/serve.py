"""`dutycare serve`: the staff web application and its REST API over any dutycare database."""

from __future__ import annotations

import contextlib
import gc
import ipaddress
import os
import signal
import socket
import sys
import traceback
from typing import Annotated, Any

import typer

from dutycare.bootstrap import Dutycare
from dutycare.entrypoints.cli.common import DbOption, KeyFileOption, PassphraseOption, VaultOption, opened
from dutycare.service_layer import search

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, max=16, show_default=False,
    help="Server processes sharing the port (default: one per CPU core, at most 4; always one where the system "
         "cannot fork). Sessions, sign-in limits and the audit log live in the database, so any process may "
         "answer any request.")]
DEFAULT_MAX_WORKERS = 4


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def default_workers() -> int:
    """One server process per CPU core (at most four), or one where processes cannot be forked."""
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(DEFAULT_MAX_WORKERS, os.cpu_count() or 1))


def _uvicorn_options() -> dict[str, Any]:
    return {"log_level": "warning", "access_log": False, "server_header": False, "proxy_headers": False}


def run_server(dc: Dutycare, host: str, port: int, workers: int = 1) -> None:
    """Serve the web application until interrupted (Ctrl+C), in one process or several sharing the port."""
    import uvicorn

    from dutycare.entrypoints.web.app import create_app

    if search.needs_rebuild(dc.uow()):
        typer.echo("Building the search index…")
        search.rebuild_index(dc.uow())
    if not _is_loopback(host):
        typer.echo("Warning: session cookies are Secure; serve this address over HTTPS (e.g. behind a TLS proxy).",
                   err=True)
    workers = workers if hasattr(os, "fork") else 1
    typer.echo(f"Serving dutycare at http://{host}:{port}/ "
               f"({workers} process{'es' if workers > 1 else ''}; Ctrl+C stops it)")
    if workers == 1:
        app = create_app(dc)
        _freeze_long_lived_objects()
        uvicorn.run(app, host=host, port=port, **_uvicorn_options())
    else:
        _serve_forked(dc, host, port, workers)


def _serve_forked(dc: Dutycare, host: str, port: int, workers: int) -> None:
    """Bind the port once, fork the worker processes, and stop them all when told to or when one of them ends.

    The key is unlocked once, before forking, so a passphrase never has to reach the workers; no database
    connection crosses the fork (each worker opens its own).
    """
    sock = _listening_socket(host, port)
    dc.engine.dispose()
    _freeze_long_lived_objects()  # also keeps the workers' collections from copying the parent's pages
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the worker process
            _run_worker(dc, sock)
        children.append(pid)
    sock.close()
    _supervise(children)


def _freeze_long_lived_objects() -> None:
    """Leave what exists now (modules, the app, its templates and tables) out of garbage collections.

    A full collection otherwise walks every object of the process and stalls every request in flight; measured in a
    worker, one took 79 ms.
    """
    gc.collect()
    gc.freeze()


def _listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on the address, as asyncio would make it.

    Its protocol is named (IPPROTO_TCP): asyncio sets TCP_NODELAY only on such sockets, and without it a response
    written in two parts waits for the client's delayed acknowledgement (40 ms on Linux).
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(2048)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def _run_worker(dc: Dutycare, sock: socket.socket) -> None:  # pragma: no cover - runs in the worker process
    import uvicorn

    from dutycare.entrypoints.web.app import create_app

    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        app = create_app(dc)
        _freeze_long_lived_objects()
        uvicorn.Server(uvicorn.Config(app, **_uvicorn_options())).run(sockets=[sock])
    except BaseException:  # the supervisor sees the exit code; the reason goes to standard error
        code = 1
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def _supervise(children: list[int]) -> None:
    """Wait for the workers; on SIGINT or SIGTERM, or when one ends, stop the rest (one process down is a fault)."""
    running = set(children)

    def stop(*_: object) -> None:
        for pid in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    failed = False
    try:
        while running:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            running.discard(pid)
            failed = failed or os.waitstatus_to_exitcode(status) not in (0, -signal.SIGTERM, -signal.SIGINT)
            stop()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if failed:
        raise typer.Exit(code=1)


def serve(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    vault: VaultOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = None,
) -> None:
    """Serve the staff web application and the REST API (/api/v1) for a database."""
    with opened(db, key_file, passphrase, vault) as dc:
        run_server(dc, host, port, workers or default_workers())
