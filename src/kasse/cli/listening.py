"""The socket `kasse serve` listens on: kasse's alone, so a second server on a taken port refuses to start.

granian binds its workers' sockets with SO_REUSEPORT, so a second `kasse serve` on a taken port also said
"Listening" and the kernel spread requests over both servers and their two databases. kasse binds the
socket itself, without SO_REUSEPORT (that bind is the check: it fails while anyone listens there), and hands
it to granian, whose workers all accept on it, as granian itself does on platforms without SO_REUSEPORT.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from granian import Granian

from kasse.cli.usage import bad_value

BACKLOG = 1024  # granian's default
_Server: Any = Granian  # granian's process-based server (its thread-based one on free-threaded Pythons)


def bind(host: str, port: int, backlog: int = BACKLOG) -> socket.socket:
    """Return a listening socket on host:port that no other process can share.

    Raises:
        click.BadParameter: naming `--port` when the port is taken or privileged, `--host` when the address
            is not one of this machine's.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise bad_value("--host", f"cannot listen on {host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    sock = socket.socket(family, kind, proto)
    try:
        # a restart may take the port over from connections still in TIME_WAIT; never from a listener
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise _refusal(host, port, exc) from None
    sock.set_inheritable(True)  # granian's worker processes accept on it
    return sock


def _refusal(host: str, port: int, exc: OSError) -> Exception:
    if exc.errno == errno.EADDRINUSE:
        return bad_value("--port", f"port {port} on {host} is already in use (another kasse serve?): stop that "
                                   "server or choose another --port")
    if exc.errno == errno.EACCES:
        return bad_value("--port", f"port {port} needs privileges this user does not have; use one above 1023")
    if exc.errno == errno.EADDRNOTAVAIL:
        return bad_value("--host", f"{host} is not an address of this machine")
    return bad_value("--host", f"cannot listen on {host}:{port}: {exc.strerror or exc}")


class ExclusiveGranian(_Server):  # type: ignore[misc]
    """granian serving on a socket kasse bound (`bind`) instead of binding its own with SO_REUSEPORT."""

    def __init__(self, *args: Any, listener: socket.socket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listener = listener

    def _init_shared_socket(self) -> None:
        from granian._granian import SocketHolder

        fd = self.listener.fileno()
        self._ssp = None
        self._shd = SocketHolder(fd, False, self.backlog)  # type: ignore[call-arg]  # (fd, is_uds, backlog)
        self._sfd = fd
        self._sso = self.listener  # the process-based server closes it on shutdown

    def _drop_shared_socket(self) -> None:
        self.listener.close()
