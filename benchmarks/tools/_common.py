"""Shared helpers of the benchmark scripts: peak memory, the driver protocol, schedules.

Standard library (plus numpy in the drivers) only: the peer's driver imports this file from the peer's own
environment, where c2l_nb is not installed.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

# ---------------------------------------------------------------- memory (Linux /proc)


def rss_kb() -> int:
    "Current resident set size of this process, in KiB."
    return _status('VmRSS')


def peak_rss_kb() -> int:
    "Peak resident set size (high-water mark) of this process since start or the last `reset_peak_rss`, in KiB."
    return _status('VmHWM')


def reset_peak_rss() -> bool:
    "Reset the high-water mark to the current RSS (Linux >= 4.0: `echo 5 > /proc/self/clear_refs`)."
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _status(key: str) -> int:
    with open('/proc/self/status') as f:
        m = re.search(rf'^{key}:\s+(\d+)\s+kB', f.read(), re.M)
    return int(m.group(1)) if m else -1


class PhaseMemory:
    "Context manager: peak RSS and wall time of a phase, from a reset high-water mark."

    def __enter__(self):
        self.ok = reset_peak_rss()
        self.base_kb, self.t0 = rss_kb(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.peak_kb, self.end_kb = peak_rss_kb(), rss_kb()
        return False

    def report(self, prefix: str) -> dict:
        return {f'{prefix}_s': self.seconds, f'{prefix}_peak_rss_mb': self.peak_kb / 1024,
                f'{prefix}_base_rss_mb': self.base_kb / 1024, f'{prefix}_peak_reset': self.ok}


def set_threads(n: int | None) -> None:
    "Limit BLAS/OpenMP/torch threads (call before heavy imports for the environment variables to count)."
    if not n:
        return
    for k in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'NUMEXPR_NUM_THREADS'):
        os.environ[k] = str(n)


def load_avg() -> str:
    "The 1, 5 and 15 minute load averages, e.g. '3.91 4.02 3.77'."
    try:
        return ' '.join(f'{x:.2f}' for x in os.getloadavg())
    except OSError:
        return 'n/a'

# ---------------------------------------------------------------- driver side of the protocol
# The orchestrator sends one JSON object per line on the driver's stdin; the driver answers one JSON object per line
# on a private copy of its original stdout. Everything the libraries print goes to stderr (a log file).


class Channel:
    "Driver end: `for msg in chan: ... chan.send({...})`."

    def __init__(self):
        self._out = os.fdopen(os.dup(1), 'w', buffering=1)
        os.dup2(2, 1)  # stray prints (progress bars, Lightning banners) go to the log, not into the protocol
        sys.stdout = sys.stderr

    def __iter__(self):
        for line in sys.stdin:
            line = line.strip()
            if line:
                yield json.loads(line)

    def send(self, obj: dict) -> None:
        self._out.write(json.dumps(obj) + '\n')


def serve(handlers: dict) -> None:
    "Run a driver: dispatch each message's 'cmd' to `handlers[cmd](msg) -> dict` until 'quit'."
    chan = Channel()
    for msg in chan:
        cmd = msg.get('cmd')
        if cmd == 'quit':
            chan.send({'ok': True, 'peak_rss_mb': peak_rss_kb() / 1024})
            break
        try:
            out = handlers[cmd](msg)
            chan.send({'ok': True, **(out or {})})
        except Exception as e:  # report and keep serving: the orchestrator decides
            import traceback
            traceback.print_exc()
            chan.send({'ok': False, 'error': f'{type(e).__name__}: {e}'})

# ---------------------------------------------------------------- orchestrator side


class Driver:
    "Orchestrator end: a driver script run by a given python in its own process."

    def __init__(self, name: str, python: str, script: str, log_path: str, env: dict | None = None):
        self.name, self.log_path = name, log_path
        self._log = open(log_path, 'w')
        e = {**os.environ, 'PYTHONNOUSERSITE': '1', 'PYTHONUNBUFFERED': '1', **(env or {})}
        self.proc = subprocess.Popen([python, script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log, text=True, env=e, bufsize=1)

    def ask(self, cmd: str, **kw) -> dict:
        self.proc.stdin.write(json.dumps({'cmd': cmd, **kw}) + '\n')
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f'{self.name} driver exited (rc={self.proc.wait()}); see {self.log_path}:\n'
                               + tail(self.log_path))
        out = json.loads(line)
        if not out.get('ok'):
            raise RuntimeError(f"{self.name} driver failed on {cmd!r}: {out.get('error')}; see {self.log_path}:\n"
                               + tail(self.log_path))
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self) -> dict:
        out = {}
        if self.proc.poll() is None:
            try:
                out = self.ask('quit')
            except Exception:
                pass
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
        return out


def tail(path: str, n: int = 30) -> str:
    try:
        with open(path) as f:
            return ''.join(f.readlines()[-n:])
    except OSError:
        return ''

# ---------------------------------------------------------------- schedules


def checkpoints(total: int, points: int = 8, first: int | None = None) -> list[int]:
    "Cumulative epoch counts at which to measure: roughly geometric from `first` to `total`."
    first = max(1, min(total, first or max(total // 100, 50)))
    if points <= 1 or first >= total:
        return [total]
    ratio = (total / first) ** (1 / (points - 1))
    out, x = [], float(first)
    for _ in range(points):
        v = int(round(x / 10) * 10) if x >= 100 else int(round(x))
        out.append(min(max(v, 1), total))
        x *= ratio
    out[-1] = total
    return sorted(set(out))


def lr_at(epoch: int, total: int, lr: float, lr_end: float | None) -> float:
    "Learning rate at `epoch` of a geometric decay from `lr` (epoch 0) to `lr_end` (epoch total-1)."
    if lr_end is None or total <= 1:
        return lr
    return lr * (lr_end / lr) ** (min(epoch, total - 1) / (total - 1))


def parse_settings(s: str) -> dict:
    "'epochs=3000,lr=0.01,lr_end=0.001,batch_size=none,name=fast' -> typed dict."
    out = {}
    for part in filter(None, (p.strip() for p in s.split(','))):
        k, _, v = part.partition('=')
        k, v = k.strip(), v.strip()
        if v.lower() in ('none', 'null', ''):
            out[k] = None
        elif k == 'name':
            out[k] = v
        else:
            try:
                out[k] = int(v)
            except ValueError:
                out[k] = float(v)
    return out
