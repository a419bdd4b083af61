"""`dutycare serve` with several worker processes: the shared listening socket and the default number."""

from __future__ import annotations

import socket

from dutycare.entrypoints.cli.serve import DEFAULT_MAX_WORKERS, _listening_socket, default_workers


def test_the_shared_socket_is_tcp_without_delayed_small_writes() -> None:
    # asyncio turns Nagle's algorithm off only on sockets whose protocol is TCP by name; without that, a response
    # written in two parts waited 40 ms for the client's delayed acknowledgement.
    sock = _listening_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert sock.get_inheritable()
    finally:
        sock.close()


def test_one_worker_per_core_by_default_within_limits() -> None:
    assert 1 <= default_workers() <= DEFAULT_MAX_WORKERS
