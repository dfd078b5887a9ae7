"""`tunnelview serve --workers N` shares a listener whose accepted connections get TCP_NODELAY, so a
kept-alive response is never held back for the client's delayed ACK (uvicorn's own leaves it off)."""

from __future__ import annotations

import asyncio
import socket
import threading

import uvicorn

from api.server import tcp_listener


def _nodelay_of_accepted(listener: socket.socket) -> int:
    """TCP_NODELAY of a connection asyncio accepts from `listener`."""
    seen: list[int] = []

    class Accepted(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Accepted, sock=listener)
        host, port = listener.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    # In a thread of its own: a test before may have left an event loop running in this one.
    accepting = threading.Thread(target=asyncio.run, args=(accept_one(),))
    accepting.start()
    accepting.join(timeout=10)
    return seen[0]


def _config() -> uvicorn.Config:
    return uvicorn.Config("api.main:create_app", factory=True, host="127.0.0.1", port=0, workers=2)


def test_the_shared_listener_says_it_is_tcp_so_its_connections_get_nodelay():
    listener = tcp_listener(_config())
    assert listener.proto == socket.IPPROTO_TCP
    assert _nodelay_of_accepted(listener) != 0


def test_uvicorns_own_listener_leaves_nodelay_off_which_is_why_ours_exists():
    # If this starts failing, uvicorn has fixed its listener (uvicorn issue #3149) and api/server.py
    # can go back to uvicorn.run.
    listener = _config().bind_socket()
    assert _nodelay_of_accepted(listener) == 0
