"""How `tunnelview serve` runs uvicorn: one process, or a supervisor of several workers that share one
listening socket.

Why not `uvicorn.run(..., workers=N)`: uvicorn binds that shared socket with protocol 0, the connections
each worker accepts inherit it, and asyncio sets TCP_NODELAY only on a socket that says it is TCP. With
Nagle's algorithm left on, a response written in two parts (headers, then body) waits for the client's
delayed ACK: every request after the first on a kept-alive connection took some 40 ms more on Linux
(uvicorn issue #3149; docs/performance.md). The supervisor here gets a listener that says it is TCP.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn


def tcp_listener(config: uvicorn.Config) -> socket.socket:
    """uvicorn's bound listening socket for `config`, as a socket whose protocol is TCP (same file
    descriptor, address and options), so the connections accepted from it get TCP_NODELAY."""
    bound = config.bind_socket()
    if bound.family not in (socket.AF_INET, socket.AF_INET6) or bound.proto == socket.IPPROTO_TCP:
        return bound
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())


def run(app: str, **options: Any) -> None:
    """Serve the ASGI app named by `app` (an import string) as `uvicorn.run` would, with uvicorn's
    options; several workers share a listener made by `tcp_listener`."""
    config = uvicorn.Config(app, **options)
    if config.workers <= 1:
        uvicorn.run(app, **options)
        return
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[tcp_listener(config)]).run()
