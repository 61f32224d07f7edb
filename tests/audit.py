"""Witnesses for the confinement and sandbox tests: an audit hook that records what the code under
test opens, connects to and spawns, and a loopback listener that counts the connections it gets.

An audit hook cannot be removed, so one Recorder is installed per process (after the imports) and
records only inside ``recording()``; the rest of the test session it does nothing. Forked
children (docgen's render worker) inherit the hook: what they do is written to a file the
recording reads back, so template code running there is witnessed too.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NETWORK = frozenset({"socket.connect", "socket.getaddrinfo", "urllib.Request"})
PROCESSES = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"}
)
RECORDED = NETWORK | PROCESSES | {"open"}
WORKER = "docgen.render_worker"
"""The module whose fork is docgen's own render worker, not something a template started."""
OWN_SIZE = "/proc/self/statm"
"""The render worker reads its own size there, to set its memory limit above it."""
Event = tuple[str, tuple[Any, ...]]


class Recorder:
    def __init__(self) -> None:
        self.armed = False
        self.events: list[Event] = []
        self.pid = 0
        self.children = -1
        """A file the forked children append their events to (os.write: not itself audited)."""

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not (self.armed and event in RECORDED):
            return
        if event == "os.fork":
            args = tuple(_forking_module())
        if os.getpid() == self.pid:
            self.events.append((event, args))
        else:
            line = [event, [a if isinstance(a, (str, int)) else repr(a) for a in args]]
            os.write(self.children, (json.dumps(line) + "\n").encode())

    @contextmanager
    def recording(self) -> Iterator[list[Event]]:
        self.events = []
        with tempfile.TemporaryFile() as children:
            self.pid, self.children, self.armed = os.getpid(), children.fileno(), True
            try:
                yield self.events
            finally:
                self.armed = False
                children.seek(0)
                for line in children.read().decode().splitlines():
                    event, args = json.loads(line)
                    self.events.append((event, tuple(args)))


def _forking_module() -> list[str]:
    """[WORKER] when the fork is docgen's render worker's, else []."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__") == WORKER:
            return [WORKER]
        frame = frame.f_back  # type: ignore[assignment]
    return []


_installed: list[Recorder] = []


def recorder() -> Recorder:
    """The process's one Recorder, installed on first use."""
    if not _installed:
        _installed.append(Recorder())
        sys.addaudithook(_installed[0])
    return _installed[0]


def python_install() -> tuple[Path, ...]:
    """Where Python reads its own modules and data (stdlib, site-packages, the docgen source)."""
    return tuple(
        Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, ROOT / "src"}
    )


def weasyprint_temp(path: Path) -> bool:
    """WeasyPrint writes each @font-face font to a temporary folder of its own for fontconfig."""
    return path.parent.name.startswith("weasyprint-") or path.name.startswith("weasyprint-")


def opened_outside(events: Iterable[Event], allowed: Iterable[Path]) -> list[str]:
    """Every file opened outside ``allowed`` folders and Python's own install."""
    roots = (*python_install(), *(Path(a).resolve() for a in allowed))
    temp = Path(tempfile.gettempdir()).resolve()
    outside = []
    for event, args in events:
        if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
            continue  # an already open file descriptor
        if args[0] == OWN_SIZE:
            continue
        path = Path(os.fsdecode(args[0])).resolve()
        if any(path.is_relative_to(root) for root in roots):
            continue
        if path.is_relative_to(temp) and weasyprint_temp(path):
            continue
        outside.append(str(path))
    return outside


def network_or_processes(events: Iterable[Event]) -> list[Event]:
    """Every connection and process, but the render worker docgen forks for each template."""
    return [
        (event, args)
        for event, args in events
        if event in NETWORK | PROCESSES and (event, args) != ("os.fork", (WORKER,))
    ]


class Listener:
    """A TCP server on 127.0.0.1 that accepts and counts connections, in a daemon thread."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted = 0
        self.markers = 0
        self.changed = threading.Condition()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed
            connection.close()
            with self.changed:
                self.accepted += 1
                self.changed.notify_all()

    def connections(self) -> int:
        """Connections from the code under test so far. A marker connection of our own is made
        and waited for first: the server accepts in order, so every earlier one is counted."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5):
            pass
        self.markers += 1
        with self.changed:
            self.changed.wait_for(lambda: self.accepted >= self.markers, timeout=5)
            return self.accepted - self.markers

    def close(self) -> None:
        self.server.close()
