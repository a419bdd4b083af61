"""`dutycare serve`: the staff web application and its REST API over any dutycare database."""

from __future__ import annotations

import contextlib
import errno
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
from dutycare.entrypoints.cli.common import DbOption, KeyFileOption, PassphraseOption, VaultOption, fail, opened
from dutycare.entrypoints.cli.speech import _, ngettext
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


def listen(host: str, port: int) -> socket.socket:
    """The listening socket of the server, or a clear message (no traceback) when the address cannot be had:
    the port taken by another program, an address this machine does not have, a port it may not open."""
    try:
        return _listening_socket(host, port)
    except socket.gaierror:
        fail(_("There is no address %(host)s on this machine; give another with --host (e.g. 127.0.0.1).")
             % {"host": host})
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fail(_("Port %(port)s on %(host)s is taken by another program (perhaps another dutycare). Choose a free "
                   "one: '--port %(other)s', or 'make demo PORT=%(other)s'.")
                 % {"port": port, "host": host, "other": port + 1 if port < 65535 else 8000})
        fail(_("Cannot listen on %(host)s:%(port)s: %(reason)s.")
             % {"host": host, "port": port, "reason": exc.strerror or exc})


def run_server(dc: Dutycare, host: str, port: int, workers: int = 1, sock: socket.socket | None = None) -> None:
    """Serve the web application until interrupted (Ctrl+C), in one process or several sharing the port
    (``sock``: the port already bound with `listen`, as the demo does before loading)."""
    import uvicorn

    from dutycare.entrypoints.web.app import create_app

    sock = sock or listen(host, port)
    if search.needs_rebuild(dc.uow()):
        typer.echo(_("Building the search index…"))
        search.rebuild_index(dc.uow())
    if not _is_loopback(host):
        typer.echo(_("Warning: session cookies are Secure; serve this address over HTTPS (e.g. behind a TLS "
                     "proxy)."), err=True)
    workers = workers if hasattr(os, "fork") else 1
    typer.echo(ngettext("Serving dutycare at %(url)s (%(num)s process; Ctrl+C stops it)",
                        "Serving dutycare at %(url)s (%(num)s processes; Ctrl+C stops it)", workers)
               % {"url": f"http://{host}:{port}/", "num": workers})
    if workers == 1:
        app = create_app(dc)
        _freeze_long_lived_objects()
        with sock:
            uvicorn.Server(uvicorn.Config(app, **_uvicorn_options())).run(sockets=[sock])
    else:
        _serve_forked(dc, sock, workers)


def _serve_forked(dc: Dutycare, sock: socket.socket, workers: int) -> None:
    """Fork the worker processes on the bound port, and stop them all when told to or when one of them ends.

    The key is unlocked once, before forking, so a passphrase never has to reach the workers; no database
    connection crosses the fork (each worker opens its own).
    """
    dc.engine.dispose()
    _freeze_long_lived_objects()  # also keeps the workers' collections from copying the parent's pages
    children: list[int] = []
    for _worker in range(workers):
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
    sock = listen(host, port)  # before the key is unlocked: a taken port is told at once
    with opened(db, key_file, passphrase, vault) as dc:
        run_server(dc, host, port, workers or default_workers(), sock)
