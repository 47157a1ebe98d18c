"""The benchmarked `kasse serve` process: start, stop, token, and its CPU, threads and memory from /proc."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO = {"msn": "123456", "client_id": "kasse-demo-client", "client_secret": "kasse-demo-secret",
        "subscription_key": "kasse-demo-subscription-key"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

# ---------------------------------------------------------------- server process and /proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


def _cpu_of(stat_path: str) -> float:
    try:
        fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def postgres_cpu() -> float:
    """CPU seconds of every process named `postgres` on this machine (the server and its backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    total += _cpu_of(f"/proc/{entry}/stat")
    return total


def thread_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds per thread of `pid`, with the thread's kernel name (`comm`)."""
    out = {}
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                comm = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
                out[int(tid)] = (comm, _cpu_of(f"/proc/{pid}/task/{tid}/stat"))
    return out


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fs_type(path: Path) -> str:
    best, kind = "", "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    return kind


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    workdir: Path
    stats_path: Path | None
    pids: list[int] = field(default_factory=list)
    database_url: str | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.workdir / "server.log").read_text(errors="replace").splitlines()[-lines:])
        return ""

    def cpu_seconds(self) -> float:
        return sum(_cpu_of(f"/proc/{p}/stat") for p in self.pids)

    def database_cpu(self) -> float:
        return postgres_cpu() if self.database_url else 0.0

    def cpu_by_process(self) -> list[float]:
        """CPU seconds of the granian main process, then of each worker process."""
        return [_cpu_of(f"/proc/{p}/stat") for p in self.pids]

    def worker_pid(self) -> int:
        return self.pids[-1]

    def writer_stats(self) -> dict[str, Any] | None:
        if self.stats_path is None:
            return None
        with contextlib.suppress(OSError, ValueError):
            stats: dict[str, Any] = json.loads(self.stats_path.read_text())
            return stats
        return None


def start_server(workdir: Path, *, writer_stats: bool, timeout: float = 60.0,
                 experiment_env: dict[str, str] | None = None, database_url: str | None = None,
                 workers: int = 1, serve_script: str | None = None) -> Server:
    """Start `kasse serve` on SQLite in `workdir`, or on PostgreSQL at `database_url` with `workers` processes."""
    port = free_port()
    db = workdir / "kasse.db"
    args = ["serve", "--port", str(port), "--db", str(db), "--no-rate-limits"]
    if workers > 1:
        args += ["--workers", str(workers)]
    stats_path = workdir / "writer-stats.json" if writer_stats and database_url is None else None
    if stats_path is not None:
        cmd = [sys.executable, str(Path(__file__).with_name("serve_stats.py")), str(stats_path), *args]
    elif serve_script is not None:  # a what-if: a script that patches kasse, then runs its CLI
        cmd = [sys.executable, serve_script, *args]
    else:
        cmd = [sys.executable, "-m", "kasse", *args]
    env = {k: v for k, v in os.environ.items() if k not in ("KASSE_MODE", "KASSE_DATABASE_URL", "KASSE_PUBLIC_URL")}
    env.update(experiment_env or {})
    if database_url is not None:
        env["KASSE_DATABASE_URL"] = database_url
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir,
                            start_new_session=True)
    server = Server(proc, port, workdir, stats_path, database_url=database_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kasse serve exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base}/_kasse/clock", timeout=2) as r:
                if r.status == 200:
                    break
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    else:
        stop_server(server)
        raise RuntimeError(f"kasse serve did not answer /_kasse/clock within {timeout:.0f} s:\n{server.log_tail()}")
    server.pids = [proc.pid, *proc_children(proc.pid)]
    while database_url is not None and len(server.pids) < 1 + workers and time.monotonic() < deadline:
        time.sleep(0.1)  # /_kasse/clock answered from the first worker; count the others once they are up
        server.pids = [proc.pid, *proc_children(proc.pid)]
    return server


def stop_server(server: Server) -> None:
    proc = server.proc
    for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
    for pid in server.pids[1:]:  # granian's worker, should it have outlived its parent
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def get_token(base: str) -> str:
    req = urllib.request.Request(f"{base}/accesstoken/get", data=b"", method="POST", headers={
        "client_id": DEMO["client_id"], "client_secret": DEMO["client_secret"],
        "Ocp-Apim-Subscription-Key": DEMO["subscription_key"], "Merchant-Serial-Number": DEMO["msn"],
    })
    with urllib.request.urlopen(req, timeout=10) as r:
        token: str = json.loads(r.read())["access_token"]
    return token


# ---------------------------------------------------------------- scenarios


