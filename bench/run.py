#!/usr/bin/env python3
"""npql benchmarks: generate clusters, time npql (and network-config-analyzer), print a table.

    python bench/run.py [--sizes small,medium,large] [--repeat 5] [--nca PYTHON] [--timeout 600]

Sizes (see ``SIZES``): small = 1,000 bare Pods / 200 policies (every namespace locked
down, ~10,000 connlist lines), small-open = the same with half the namespaces open
(generate.py --open 0.5, ~139,000 lines: the issue's "about 160,000 lines at 1,000 Pods"),
medium = 10,000 pods in Deployments / 1,000 policies, large = 100,000 pods in Deployments /
10,000 policies.
Clusters are generated once into ``--cache`` (default /tmp/npql-bench) by bench/generate.py.

Every measurement runs in its own child process; peak memory is that child's ``ru_maxrss``
(from ``os.wait4``), so peaks never mix:

* session (``python bench/run.py --worker session``): ``npql.load(dir)`` (timed; the rss
  right after it is the load peak), the first ``who can reach`` (all lazy compilation:
  policy IR, pod grouping, bitsets), the first ``can`` (builds the Z3 encoding), the first
  ``what can``, then ``--repeat`` rounds of one who-can-reach, one can and one what-can
  query on random targets (seeded); warm latency is the median per statement;
* connectivity: ``npql -f DIR -o connlist connectivity > FILE``, whole-command wall time
  (interpreter start, imports, load, answer, rendering), its line count;
* stream / grouped (``python bench/run.py --worker connectivity --form stream|grouped``): the
  same whole process through the bulk API, as the CLI would run it once wired:
  ``npql.load``, then ``bulk.stream_connlist`` (the connlist lines, sorted, one source at a
  time, never the whole map in memory; must equal the connectivity command's file) or
  ``bulk.grouped_connectivity`` (exact ``sources => targets : ports`` cross products);
* verify (``--verify N``, default 300): ``bench/verify.py`` asks N sampled pod-to-pod
  questions of both engines and checks them against the reference evaluator in
  tests/reference.py (the issue: "answers at every size must equal the slow reference
  evaluator's on sampled queries");
* nca (with ``--nca``): ``PYTHON -m nca --connectivity -r DIR -o txt_no_fw_rules -f FILE``,
  the same pairwise connectivity list, wall time and line count.

A measurement that exceeds ``--timeout`` seconds is killed and reported as "timeout"
(phases the session finished before that are still reported).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD_ENV: dict[str, str] = {}  # set by main: the environment of every measured child


@dataclass(frozen=True)
class Size:
    name: str
    pods: int
    policies: int
    bare_pods: bool
    label: str
    open_share: float = 0.0  # generate.py --open


SIZES = {
    "small": Size("small", 1_000, 200, True, "1k Pods / 200 pol"),
    "small-open": Size("small-open", 1_000, 200, True, "1k Pods / 200 pol, half open", 0.5),
    "medium": Size("medium", 10_000, 1_000, False, "10k pods (Deployments) / 1k pol"),
    "large": Size("large", 100_000, 10_000, False, "100k pods (Deployments) / 10k pol"),
}

# targets from the issue: (load s, connectivity s, warm query s, peak bytes, nca speedup)
TARGETS: dict[str, dict[str, float | None]] = {
    "small": {"load": None, "conn": 1.0, "warm": 0.020, "peak": 300e6, "speedup": 100.0},
    "small-open": {"load": None, "conn": 1.0, "warm": 0.020, "peak": 300e6, "speedup": 100.0},
    "medium": {"load": 5.0, "conn": 15.0, "warm": 0.100, "peak": 1.5e9, "speedup": None},
    "large": {"load": 60.0, "conn": 120.0, "warm": 1.0, "peak": 6e9, "speedup": None},
}


# --------------------------------------------------------------------------- children


@dataclass
class Run:
    status: str  # "ok", "timeout", "error"
    wall: float
    maxrss: int  # bytes
    cpu: float  # user + system seconds of the child
    returncode: int | None
    stdout: str
    stderr: str


def run_child(cmd: list[str], timeout: float, stdout_path: str | None = None) -> Run:
    """Run ``cmd``; wall time and the child's own peak rss (os.wait4), killed at ``timeout``."""
    out_path = stdout_path or os.devnull
    err_path = _tmp("stderr")
    cap_path = None if stdout_path else _tmp("stdout")
    with open(cap_path or out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, start_new_session=True, env=CHILD_ENV or None
        )
        deadline = start + timeout
        status = "ok"
        while True:
            pid, wstatus, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, wstatus, usage = os.wait4(proc.pid, 0)
                status = "timeout"
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(wstatus)  # reaped here, not by Popen
    if status == "ok" and proc.returncode != 0:
        status = "error"
    captured = ""
    if cap_path is not None:
        with open(cap_path, encoding="utf-8", errors="replace") as f:
            captured = f.read()
        os.unlink(cap_path)
    with open(err_path, encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    os.unlink(err_path)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(status, wall, usage.ru_maxrss * 1024, cpu, proc.returncode, captured, stderr)


def _tmp(what: str) -> str:
    import tempfile

    fd, path = tempfile.mkstemp(prefix=f"npql-bench-{what}-")
    os.close(fd)
    return path


def line_count(path: str) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


# --------------------------------------------------------------------------- the worker


def _emit(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _who(pod: Any, rng: random.Random) -> str:
    port = ""
    if pod.ports and rng.random() < 0.8:
        p = rng.choice(pod.ports)
        proto = "" if p.protocol.value == "TCP" else "/" + p.protocol.value.lower()
        port = f":{p.name if p.name and rng.random() < 0.5 else p.port}{proto}"
    return f"who can reach app={pod.labels['app']} in ns {pod.namespace}{port}"


def _can(src: Any, dst: Any, rng: random.Random) -> str:
    port = ""
    if dst.ports:
        p = rng.choice(dst.ports)
        port = f":{p.port}/{p.protocol.value.lower()}"
    return f"can pod {src.namespace}/{src.name} reach pod {dst.namespace}/{dst.name}{port}"


def _what(pod: Any) -> str:
    return f"what can app={pod.labels['app']} in ns {pod.namespace} reach"


def worker_connectivity(directory: str, form: str, out: str) -> None:
    """Load, then write the whole connectivity map through the bulk API (stream or grouped)."""
    t0 = time.perf_counter()
    import npql
    from npql.api import bulk

    cluster = npql.load(directory)
    t1 = time.perf_counter()
    lines = 0
    with open(out, "w", encoding="utf-8") as f:
        if form == "stream":
            for line in bulk.stream_connlist(cluster.bitsets):
                f.write(line + "\n")
                lines += 1
        else:
            for grouped in bulk.grouped_connectivity(cluster.bitsets):
                f.write(f"{grouped}\n")
                lines += 1
    t2 = time.perf_counter()
    _emit(phase="connectivity", load=t1 - t0, answer=t2 - t1, lines=lines, maxrss=_maxrss())


def worker_session(directory: str, repeat: int, seed: int, z3: bool = True) -> None:
    """Load, first answers, warm medians; one JSON line per phase on stdout."""
    t0 = time.perf_counter()
    import npql

    _emit(phase="import", seconds=time.perf_counter() - t0)
    t0, c0 = time.perf_counter(), time.process_time()
    cluster = npql.load(directory)
    load_s = time.perf_counter() - t0
    model = cluster.model
    _emit(
        phase="load",
        seconds=load_s,
        cpu=time.process_time() - c0,
        maxrss=_maxrss(),
        endpoints=len(model.pods),
        policies=len(model.policies),
        namespaces=len(model.namespaces),
    )

    rng = random.Random(seed)
    apps = sorted(
        (p for p in model.pods if "app" in p.labels and "tier" in p.labels),
        key=lambda p: (p.namespace, p.name),
    )
    by_ns: dict[str, list[Any]] = {}
    for p in apps:
        by_ns.setdefault(p.namespace, []).append(p)

    def pair() -> tuple[Any, Any]:
        src = rng.choice(apps)
        dst = rng.choice(by_ns[src.namespace]) if rng.random() < 0.5 else rng.choice(apps)
        return src, dst

    def timed(text: str) -> tuple[float, Any]:
        t = time.perf_counter()
        answer = cluster.query(text)
        answer.to_dict()
        return time.perf_counter() - t, answer

    def timed_cpu(text: str) -> tuple[float, float]:
        c = time.process_time()
        seconds, _ = timed(text)
        return seconds, time.process_time() - c

    for phase, text in (
        ("first_who", _who(rng.choice(apps), rng)),
        ("first_can", _can(*pair(), rng)),
        ("first_what", _what(rng.choice(apps))),
    ):
        if phase == "first_can" and not z3:
            continue
        seconds, cpu = timed_cpu(text)
        _emit(phase=phase, seconds=seconds, cpu=cpu, query=text, maxrss=_maxrss())

    by_name = {(p.namespace, p.name): p for p in apps}

    def allowed_can() -> str:
        """A can-query a who-can-reach (untimed) says is allowed; random when none is found."""
        for _ in range(20):
            dst = rng.choice(apps)
            found = cluster.query(f"who can reach pod {dst.namespace}/{dst.name}").to_dict()
            sources = [
                s
                for s in found.get("sources", [])
                if (s.get("namespace"), s.get("name")) in by_name
            ]  # type: ignore[union-attr]
            if not sources:
                continue
            src = rng.choice(sources)
            reach = next(
                r
                for r in src["reaches"]
                if r["name"] == dst.name and r["namespace"] == dst.namespace
            )
            proto, ranges = next(iter(reach["protocols"].items()))
            port = ranges[0][0]
            return (
                f"can pod {src['namespace']}/{src['name']} reach pod "
                f"{dst.namespace}/{dst.name}:{port}/{proto.lower()}"
            )
        return _can(*pair(), rng)

    samples: dict[str, list[float]] = {"who": [], "can": [], "what": []}
    verdicts: list[str | None] = []
    for i in range(repeat):
        s, _ = timed(_who(rng.choice(apps), rng))
        samples["who"].append(s)
        # alternate a random pair (mostly denied: default-deny everywhere) and an allowed one
        if z3:
            s, answer = timed(_can(*pair(), rng) if i % 2 == 0 else allowed_can())
            samples["can"].append(s)
            verdicts.append(answer.verdict)
        s, _ = timed(_what(rng.choice(apps)))
        samples["what"].append(s)
    _emit(
        phase="warm",
        **{k: statistics.median(v) for k, v in samples.items() if v},
        max={k: max(v) for k, v in samples.items() if v},
        verdicts=verdicts,
        can_by_verdict={
            v: statistics.median(t for t, w in zip(samples["can"], verdicts, strict=True) if w == v)
            for v in set(verdicts)
            if v is not None
        },
        maxrss=_maxrss(),
    )


# --------------------------------------------------------------------------- the driver


def ensure_cluster(size: Size, cache: str, seed: int, timeout: float) -> tuple[str, dict[str, Any]]:
    """The manifest folder of ``size`` (generated unless present) and its summary."""
    base = os.path.join(cache, f"{size.name}-seed{seed}")
    manifests = os.path.join(base, "manifests")
    summary_path = os.path.join(base, "summary.json")
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            return manifests, json.load(f)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    cmd = [
        sys.executable,
        os.path.join(HERE, "generate.py"),
        "--pods",
        str(size.pods),
        "--policies",
        str(size.policies),
        "--seed",
        str(seed),
        "--out",
        manifests,
    ]
    if size.bare_pods:
        cmd.append("--bare-pods")
    if size.open_share:
        cmd += ["--open", str(size.open_share)]
    print(f"[{size.name}] generating: {' '.join(cmd)}", file=sys.stderr)
    run = run_child(cmd, timeout)
    if run.status != "ok":
        raise SystemExit(f"generation failed ({run.status}): {run.stderr}")
    summary = json.loads(run.stdout)
    summary["generate_seconds"] = run.wall
    summary["bytes"] = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(manifests) for f in fs
    )
    with open(summary_path, "w") as f:
        json.dump(summary, f)
    return manifests, summary


def measure(size: Size, args: argparse.Namespace) -> dict[str, Any]:
    manifests, summary = ensure_cluster(size, args.cache, args.seed, args.timeout)
    base = os.path.dirname(manifests)
    row: dict[str, Any] = {"size": size.name, "summary": summary}

    print(f"[{size.name}] session (load, first answers, warm x{args.repeat})", file=sys.stderr)
    cmd = [
        args.python,
        os.path.abspath(__file__),
        "--worker",
        "session",
        "--dir",
        manifests,
        "--repeat",
        str(args.repeat),
        "--seed",
        str(args.seed),
    ]
    if size.name in args.no_z3:
        cmd.append("--no-z3")
    run = run_child(cmd, args.timeout)
    phases = {}
    for line in run.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            phases[record.pop("phase")] = record
    row["session"] = {
        "status": run.status,
        "wall": run.wall,
        "cpu": run.cpu,
        "maxrss": run.maxrss,
        "phases": phases,
    }
    if run.status == "error":
        row["session"]["stderr"] = run.stderr[-2000:]
        print(run.stderr[-2000:], file=sys.stderr)

    print(f"[{size.name}] npql connectivity", file=sys.stderr)
    out = os.path.join(base, "npql-connlist.txt")
    cmd = [args.npql, "-f", manifests, "-o", "connlist", "connectivity"]
    run = run_child(cmd, args.timeout, stdout_path=out)
    row["connectivity"] = {
        "status": run.status,
        "wall": run.wall,
        "cpu": run.cpu,
        "maxrss": run.maxrss,
        "lines": line_count(out) if run.status == "ok" else None,
        "command": " ".join(cmd) + f" > {out}",
    }
    if run.status == "error":
        print(run.stderr[-2000:], file=sys.stderr)

    for form in ("stream", "grouped"):
        print(f"[{size.name}] npql connectivity through the bulk API ({form})", file=sys.stderr)
        out = os.path.join(base, f"npql-{form}.txt")
        me = os.path.abspath(__file__)
        cmd = [args.python, me, "--worker", "connectivity", "--form", form, "--dir", manifests]
        run = run_child(cmd + ["--out", out], args.timeout)
        record: dict[str, Any] = {}
        for line in run.stdout.splitlines():
            if line.startswith("{"):
                record = json.loads(line)
        row[form] = {
            "status": run.status,
            "wall": run.wall,
            "cpu": run.cpu,
            "maxrss": run.maxrss,
            "load": record.get("load"),
            "answer": record.get("answer"),
            "lines": record.get("lines"),
            "command": " ".join(cmd) + f" --out {out}",
        }
        if form == "stream" and run.status == "ok" and row["connectivity"]["status"] == "ok":
            connlist = os.path.join(base, "npql-connlist.txt")
            with open(out, "rb") as mine, open(connlist, "rb") as cli:
                row[form]["same_as_connlist"] = mine.read() == cli.read()
        if run.status == "error":
            print(run.stderr[-2000:], file=sys.stderr)

    if args.verify:
        print(f"[{size.name}] sampled answers vs the reference evaluator", file=sys.stderr)
        verify = os.path.join(HERE, "verify.py")
        cmd = [args.python, verify, manifests, "--samples", str(args.verify), "--seed", "1"]
        run = run_child(cmd, args.timeout)
        found = [json.loads(x) for x in run.stdout.splitlines() if x.startswith("{")]
        row["verify"] = {"status": run.status, **(found[-1] if found else {})}

    if args.nca and size.name in args.nca_sizes:
        print(f"[{size.name}] network-config-analyzer connectivity", file=sys.stderr)
        out = os.path.join(base, "nca-connectivity.txt")
        if os.path.exists(out):
            os.unlink(out)  # nca appends to --file_out
        cmd = [
            args.nca,
            "-m",
            "nca",
            "--connectivity",
            "-r",
            manifests,
            "-o",
            args.nca_format,
            "-f",
            out,
        ]
        run = run_child(cmd, args.timeout)
        row["nca"] = {
            "status": run.status,
            "wall": run.wall,
            "cpu": run.cpu,
            "maxrss": run.maxrss,
            "lines": line_count(out) if run.status == "ok" and os.path.exists(out) else None,
            "command": " ".join(cmd),
        }
        if run.status == "error":
            print(run.stderr[-2000:], file=sys.stderr)
    return row


# --------------------------------------------------------------------------- the table


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _mb(n: int | None) -> str:
    return "n/a" if n is None else (f"{n / 1e6:.0f} MB" if n < 1e9 else f"{n / 1e9:.2f} GB")


def _mark(value: float | None, limit: float | None, higher_is_better: bool = False) -> str:
    if value is None or limit is None:
        return ""
    ok = value >= limit if higher_is_better else value <= limit
    return " ✓" if ok else " ✗"


def table(rows: list[dict[str, Any]]) -> str:
    header = [
        "size",
        "endpoints / policies",
        "load",
        "first who-can-reach",
        "first can (Z3)",
        "warm who / can / what (median)",
        "connectivity cmd",
        "stream / grouped (API; answer part)",
        "peak RSS session / conn",
        "NCA connectivity",
        "speedup vs NCA",
        "sampled vs reference",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        t = TARGETS[row["size"]]
        sess = row["session"]
        ph = sess["phases"]
        timeout = sess["status"] == "timeout"

        def phase_s(name: str, ph: dict[str, Any] = ph, timeout: bool = timeout) -> str:
            if name in ph:
                return _s(ph[name]["seconds"])
            return "timeout" if timeout else "error"

        load = ph.get("load", {})
        endpoints = f"{load['endpoints']:,} / {load['policies']:,}" if load else "?"
        load_cell = phase_s("load") + _mark(load.get("seconds"), t["load"])
        warm = ph.get("warm")
        if warm:
            worst = max(warm[k] for k in ("who", "can", "what") if k in warm)
            warm_cell = " / ".join(_s(warm.get(k)) for k in ("who", "can", "what"))
            warm_cell += _mark(worst, t["warm"])
        else:
            warm_cell = "timeout" if timeout else "error"
        conn = row["connectivity"]
        if conn["status"] == "ok":
            conn_cell = f"{_s(conn['wall'])} (cpu {_s(conn['cpu'])}; {conn['lines']:,} lines)"
            conn_cell += _mark(conn["wall"], t["conn"])
        else:
            conn_cell = conn["status"]
        api_cells = []
        for form in ("stream", "grouped"):
            api = row.get(form)
            if api is None:
                api_cells.append("n/a")
            elif api["status"] != "ok":
                api_cells.append(api["status"])
            else:
                same = {True: ", = cmd", False: ", ≠ cmd!"}.get(api.get("same_as_connlist"), "")
                api_cells.append(
                    f"{_s(api['wall'])} ({_s(api['answer'])}; {api['lines']:,} lines; "
                    f"{_mb(api['maxrss'])}{same})"
                )
        api_cell = " / ".join(api_cells)
        peak = max(sess["maxrss"], conn["maxrss"])
        peak_cell = f"{_mb(sess['maxrss'])} / {_mb(conn['maxrss'])}" + _mark(peak, t["peak"])
        nca = row.get("nca")
        if nca is None:
            nca_cell = ratio = "n/a"
        elif nca["status"] != "ok":
            nca_cell, ratio = nca["status"], "n/a"
        else:
            lines_ = f"; {nca['lines']:,} lines" if nca["lines"] is not None else ""
            nca_cell = f"{_s(nca['wall'])} (cpu {_s(nca['cpu'])}{lines_})"
            if conn["status"] == "ok":
                x = nca["wall"] / conn["wall"]
                ratio = f"{x:.1f}x (cpu {nca['cpu'] / conn['cpu']:.1f}x)"
                ratio += _mark(x, t["speedup"], higher_is_better=True)
            else:
                ratio = "n/a"
        cells = [
            SIZES[row["size"]].label,
            endpoints,
            load_cell,
            phase_s("first_who"),
            phase_s("first_can"),
            warm_cell,
            conn_cell,
            api_cell,
            peak_cell,
            nca_cell,
            ratio,
            _verify_cell(row.get("verify")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _verify_cell(verify: dict[str, Any] | None) -> str:
    if verify is None:
        return "n/a"
    if verify.get("status") not in ("ok", "error") or "samples" not in verify:
        return str(verify.get("status"))
    agree = verify["samples"] - verify["disagreements"]
    mark = " ✓" if verify["disagreements"] == 0 else " ✗"
    return f"{agree}/{verify['samples']} agree ({verify['allowed']} allowed){mark}"


def machine() -> str:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )


def bytecode_cache(args: argparse.Namespace) -> None:
    """Give children a warm bytecode cache, as a normal install has (pip compiles .pyc files).

    The editable install has no .pyc for npql itself, and PYTHONDONTWRITEBYTECODE (set in some
    environments) would make every command recompile every module (~0.1 s). Children write
    and read bytecode under --cache/pycache instead (PYTHONPYCACHEPREFIX), never in the repo;
    one untimed warm-up run on examples/shop fills it.
    """
    CHILD_ENV.update(os.environ)
    if args.no_bytecode_cache:
        return
    CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = os.path.join(args.cache, "pycache")
    shop = os.path.join(os.path.dirname(HERE), "examples", "shop")
    if os.path.isdir(shop):
        me = os.path.abspath(__file__)
        run_child([args.python, me, "--worker", "session", "--dir", shop, "--repeat", "1"], 120)
        run_child([args.npql, "-f", shop, "-o", "connlist", "connectivity"], 120)


def revision() -> str:
    """The npql commit measured, with a note when src/ has uncommitted changes."""
    root = os.path.dirname(HERE)
    try:
        head = subprocess.run(
            ["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + (" + uncommitted changes in src/" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,small-open,medium,large")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--verify",
        type=int,
        default=300,
        metavar="N",
        help="sampled questions checked against tests/reference.py per size (0 = skip)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="per measurement, seconds")
    parser.add_argument("--cache", default="/tmp/npql-bench", help="where generated clusters live")
    parser.add_argument("--nca", help="python of a venv with network-config-analyzer==2.1.0")
    parser.add_argument(
        "--nca-sizes",
        default="small,small-open",
        help="sizes to run NCA on (default: small,small-open)",
    )
    parser.add_argument(
        "--nca-format",
        default="txt_no_fw_rules",
        help="NCA -o (txt_no_fw_rules: the pairwise list, like connlist)",
    )
    parser.add_argument("--python", default=sys.executable, help="python with npql installed")
    parser.add_argument("--npql", help="the npql command (default: next to --python)")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run children in the inherited environment (no PYTHONPYCACHEPREFIX warm-up)",
    )
    parser.add_argument(
        "--no-z3-sizes",
        dest="no_z3",
        default="",
        help="sizes whose session skips the can-queries (the Z3 encoding), e.g. large",
    )
    parser.add_argument("--worker", choices=("session", "connectivity"), help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--no-z3", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--form", choices=("stream", "grouped"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "session":
        worker_session(args.dir, args.repeat, args.seed, z3=not args.no_z3)
        return 0
    if args.worker == "connectivity":
        worker_connectivity(args.dir, args.form, args.out)
        return 0
    args.no_z3 = set(filter(None, args.no_z3.split(",")))

    args.npql = args.npql or os.path.join(os.path.dirname(args.python), "npql")
    bytecode_cache(args)
    args.nca_sizes = set(args.nca_sizes.split(","))
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)} (known: {', '.join(SIZES)})")
    rows = []
    for name in sizes:  # sequentially: one measurement at a time
        rows.append(measure(SIZES[name], args))
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"machine": machine(), "npql": revision(), "rows": rows}, f, indent=1)
    print(f"machine: {machine()}; npql {revision()}; repeat={args.repeat}, seed={args.seed}")
    print()
    print(table(rows))
    print()
    print("✓/✗: against the targets in docs/performance.md. Peak RSS: ru_maxrss of each child.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
