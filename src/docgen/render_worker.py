"""Where template code runs: a forked child process with a CPU-time limit, a memory limit and a
wall-clock timeout, so that no template (a nested loop, a string doubled sixty times) can hang
docgen or take the machine's memory. Only the result, or the located problems, come back.

A fork, not a fresh interpreter: the child starts with everything already imported and costs
a few milliseconds, where a spawned one would add its ~0.8 s of imports to every run. The child
only renders (Jinja, docxtpl, python-docx); WeasyPrint and its font files stay in the parent.
"""

from __future__ import annotations

import gc
import os
import pickle
import resource
import select
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from .errors import DocgenError, Location, Problem

T = TypeVar("T")

CPU_SECONDS = 5
"""CPU time one render may use. The shipped report needs about 0.2 s, and so does its lint."""
MEMORY_MB = 256
"""Address space one render may add to what docgen already holds. The shipped report adds ~0; a
template with a 37 MB picture adds 120 MB (read, rendered and saved), so one at the pre-flight's
50 MB cap fits. A string doubled in a loop stops at 64 MB."""
WALL_SECONDS = 120
"""A child that neither finishes nor spends CPU (blocked) is stopped after this long."""
TOO_SLOW = (
    f"模板运行时间过长（超过 {CPU_SECONDS} 秒），已停止：可能有无限循环、层层嵌套的循环，或内容过多"
)
TOO_BIG = f"模板占用内存过多（超过 {MEMORY_MB} MB），已停止：可能有不断加倍的字符串或列表"
STUCK = f"模板运行超时（超过 {WALL_SECONDS} 秒没有结束），已停止"


class Overrun(Exception):
    """Raised in the child when its CPU time is used up, so the traceback still names the
    template line that was running. An Exception, so that the usual template error path sees it."""


_in_child = False


def run(path: Path, render: Callable[..., T], *args: Any) -> T:
    """``render(*args)`` in a bounded child process; a template at ``path`` that overruns a bound
    is a DocgenError located there. A DocgenError in the child is raised here, with its problems."""
    if _in_child:  # already bounded: one render may call another
        return render(*args)
    for stream in (sys.stdout, sys.stderr):  # written once, before the child has a copy
        if stream is not None:
            stream.flush()
    reader, writer = os.pipe()
    pid = _fork()
    if pid == 0:
        os.close(reader)
        _child(writer, render, args)
    os.close(writer)
    data = None
    try:
        data = _receive(reader)
    finally:
        os.close(reader)
        if data is None:  # past the deadline, or the parent was interrupted
            os.kill(pid, signal.SIGKILL)
        status = os.waitpid(pid, 0)[1]
    result: T = _outcome(path, data, status)
    return result


def _fork() -> int:
    gc.freeze()  # the child's collections then leave the parent's objects (and pages) alone
    try:
        with warnings.catch_warnings():
            # Python 3.12 warns on fork when other threads exist (a test's listener): the child
            # takes no lock they could hold, and WALL_SECONDS would end it if it ever did.
            warnings.filterwarnings("ignore", ".*fork", DeprecationWarning)
            pid = os.fork()
    except BaseException:
        gc.unfreeze()
        raise
    if pid:
        gc.unfreeze()
    return pid


def _child(writer: int, render: Callable[..., Any], args: tuple[Any, ...]) -> NoReturn:
    global _in_child
    _in_child = True
    try:
        outcome = _attempt(render, args)
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)  # sending is not the template's time
        with os.fdopen(writer, "wb") as pipe:  # streamed: a big result is not copied again
            pickle.dump(outcome, pipe, pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)  # never the parent's atexit handlers, buffers or test teardown


def _limit() -> None:
    signal.signal(signal.SIGXCPU, _overrun)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)  # the child's CPU time starts at zero
    resource.setrlimit(
        resource.RLIMIT_CPU, (_below(CPU_SECONDS, hard), _below(CPU_SECONDS + 2, hard))
    )
    size = _address_space() + MEMORY_MB * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_below(size, hard), hard))


def _below(value: int, hard: int) -> int:
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


def _address_space() -> int:
    """This process's virtual size now (the fork's copy of the parent's)."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _overrun(signum: int, frame: Any) -> None:
    raise Overrun(TOO_SLOW)


def _attempt(render: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        _limit()
        return "done", render(*args)
    except DocgenError as exc:
        return "problems", exc.problems or exc.text
    except MemoryError:
        return "stopped", TOO_BIG
    except Overrun:
        return "stopped", TOO_SLOW
    except BaseException:
        return "bug", traceback.format_exc()


def _receive(reader: int) -> bytes | None:
    """Everything the child sends, or None if it was still running at the deadline."""
    deadline = time.monotonic() + WALL_SECONDS
    poller = select.poll()
    poller.register(reader, select.POLLIN)
    chunks: list[bytes] = []
    while (left := deadline - time.monotonic()) > 0:
        if poller.poll(left * 1000):
            chunk = os.read(reader, 2**20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    return None


def _outcome(path: Path, data: bytes | None, status: int) -> Any:
    if not data:  # killed: CPU hard limit (SIGKILL), memory the MemoryError path missed, deadline
        why = STUCK if data is None else TOO_SLOW if _cpu_killed(status) else TOO_BIG
        raise DocgenError([Problem(Location(path), "", why)])
    kind, value = pickle.loads(data)  # noqa: S301 - our own child's bytes, through our own pipe
    if kind == "done":
        return value
    if kind == "bug":
        raise RuntimeError(f"render worker failed:\n{value}")
    if kind == "stopped":
        value = [Problem(Location(path), "", value)]
    raise DocgenError(value)


def _cpu_killed(status: int) -> bool:
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGKILL, signal.SIGXCPU)
