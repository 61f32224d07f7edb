"""Run docgen in a child process and measure what a refusal cost: its exit code, output, CPU time
and peak RSS.

Peak RSS is read with ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a small wrapper process whose
only child is docgen, so earlier children of the test process cannot inflate it. The failure
bound is a CPU-time rlimit (a runaway is killed, the test fails on the signal), never a wall
clock assert: the machine may be busy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .conftest import SAMPLE

CPU_LIMIT_S = 30
"""Generous: a refused input costs ~1 s; anything near this is a runaway, not a slow machine."""
MAX_RSS_MB = 300
MAX_CPU_S = 2.0
"""What a refusal may cost beyond the cheapest refusal measured in the same session (see
``baseline_cpu``): the issue's ~2 s, judged as a difference, so a busy machine, which slows
both runs alike, does not fail the bound and a runaway still does."""

WALL_LIMIT_S = 10 * CPU_LIMIT_S
"""A process blocked without using CPU (an open() waiting on a FIFO) is stopped after this: a
failure bound for a hang, far above any real run, never a timing assert."""

_WRAPPER = r"""
import json, resource, subprocess, sys
cpu = int(sys.argv[1])
def limit():
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
try:
    p = subprocess.run(sys.argv[3:], capture_output=True, preexec_fn=limit,
                       timeout=float(sys.argv[2]))
    code, out, err = p.returncode, p.stdout, p.stderr
except subprocess.TimeoutExpired as hung:  # run() has killed the child
    code, out, err = -1, hung.stdout or b"", (hung.stderr or b"") + b"\n(hung: killed)"
use = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"code": code, "out": out.decode("utf-8", "replace"),
           "err": err.decode("utf-8", "replace"), "rss_kb": use.ru_maxrss,
           "cpu": use.ru_utime + use.ru_stime}, sys.stdout)
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    rss_mb: float
    cpu_s: float

    @property
    def text(self) -> str:
        return self.out + self.err

    def assert_refused_cheaply(self, code: int = 1) -> None:
        """Exit ``code`` with a message, no traceback, within the cost bounds."""
        assert self.code == code, (self.code, self.text[-2000:])
        assert "Traceback" not in self.text, self.text[-2000:]
        assert self.rss_mb < MAX_RSS_MB, f"peak RSS {self.rss_mb:.0f} MB"
        base = baseline_cpu()
        assert self.cpu_s < base + MAX_CPU_S, f"CPU {self.cpu_s:.1f} s (baseline {base:.1f} s)"


_BASELINE: list[float] = []


def baseline_cpu() -> float:
    """CPU seconds of the cheapest located refusal, measured once per session: ``docgen check``
    of the small sample with one misspelt key (start-up, imports, one YAML read, one message)."""
    if not _BASELINE:
        with tempfile.TemporaryDirectory() as folder:
            path = small_sample(Path(folder) / "edition")
            with path.open("a", encoding="utf-8") as fh:
                fh.write("yaer: 2025\n")
            run = docgen("check", path)
            assert run.code == 1 and "yaer" in run.err, run.text[-2000:]
            _BASELINE.append(run.cpu_s)
    return _BASELINE[0]


def docgen(*args: str | Path, cwd: Path | None = None, cpu_limit: int = CPU_LIMIT_S) -> Run:
    """``python -m docgen ARGS`` in a child, measured."""
    return python("-m", "docgen", *args, cwd=cwd, cpu_limit=cpu_limit)


def python(*args: str | Path, cwd: Path | None = None, cpu_limit: int = CPU_LIMIT_S) -> Run:
    """``python ARGS`` in a child, measured (``-c`` a script that patches docgen, then runs it)."""
    command = [sys.executable, "-c", _WRAPPER, str(cpu_limit), str(WALL_LIMIT_S), sys.executable]
    done = subprocess.run(
        [*command, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=True,
    )
    data = json.loads(done.stdout)
    return Run(data["code"], data["out"], data["err"], data["rss_kb"] / 1024, data["cpu"])


def small_sample(folder: Path) -> Path:
    """The sample edition cut down to 2 winners in its first tier and one photo: the baseline
    the issue measured refusals against (about 0.9 s and 98 MB for a rejected input)."""
    import yaml  # the sample is trusted; only its shape is edited here

    source = SAMPLE.parent
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("photos"))
    (folder / "photos").mkdir()
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    first = data["photos"][0]
    first["files"] = first["files"][:1]
    data["photos"] = [first]
    shutil.copy2(source / first["files"][0], folder / first["files"][0])
    awards = data["awards"]
    data["awards"] = [{**awards[0], "winners": awards[0]["winners"][:2]}]
    path = folder / "edition.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)
