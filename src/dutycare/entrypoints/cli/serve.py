"""`dutycare serve`: the staff web application and its REST API over any dutycare database."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from dutycare.bootstrap import Dutycare
from dutycare.entrypoints.cli.common import DbOption, KeyFileOption, PassphraseOption, VaultOption, opened
from dutycare.service_layer import search

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def run_server(dc: Dutycare, host: str, port: int) -> None:
    """Serve the web application until interrupted (Ctrl+C)."""
    import uvicorn

    from dutycare.entrypoints.web.app import create_app

    if search.needs_rebuild(dc.uow()):
        typer.echo("Building the search index…")
        search.rebuild_index(dc.uow())
    if not _is_loopback(host):
        typer.echo("Warning: session cookies are Secure; serve this address over HTTPS (e.g. behind a TLS proxy).",
                   err=True)
    typer.echo(f"Serving dutycare at http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_app(dc), host=host, port=port, log_level="warning", access_log=False,
                server_header=False, proxy_headers=False)


def serve(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    vault: VaultOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Serve the staff web application and the REST API (/api/v1) for a database."""
    with opened(db, key_file, passphrase, vault) as dc:
        run_server(dc, host, port)
