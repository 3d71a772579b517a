"""Run every benchmark in one go and write BENCHMARKS.md (``make bench``).

    python -m bench.run [--engines sqlite,postgresql] [--repeat 3] [--seconds 4] [--quick]

Every target is a ratio of two figures measured in the same run, on the same machine, so
the noise of a shared 2-core box cancels as far as it can. Raw results go to
``$BENCH_DIR/results.json`` (default /tmp/bench), the report to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import content_bench, integrity, outbox_bench, pdf_bench, sqlcount, wrk
from bench.common import (
    BENCH_DIR,
    ROOT,
    fresh_database,
    make_app,
    rebuild_progress,
    summary,
    write_json,
)
from bench.load import Server, run
from bench.pages import pages
from bench.seed import cast_path, seed

CLIENTS = (1, 8, 32)
PORTS = {"sqlite": 5101, "postgresql": 5102}
WRK_CLIENTS = (1, 8)
BARE_PORT, SMALL_PORTS = 5121, {"sqlite": 5103, "postgresql": 5104}
#: pages measured with wrk: every GET page of bench/pages.py (the exam's GET half too)
WRK_PAGES = ("floor", "home", "dashboard", "reader", "hours", "exam", "queue", "registry")
WRK_PAGES += ("overview", "verify")
NAMES = {
    "sqlite": ("bench_small", "bench_large"),
    "postgresql": ("trainer_bench_small", "trainer_bench"),
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _git(*args: str) -> str:
    git = ["git", *args]
    return subprocess.run(git, cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: S603,S607


def machine(engines: list[str]) -> dict[str, Any]:
    import sqlite3

    import weasyprint

    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "weasyprint": weasyprint.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text().split("\n")[0]
        info["memory_gib"] = round(int(meminfo.split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        info["memory_gib"] = None
    try:
        from weasyprint.text.ffi import harfbuzz_subset

        info["harfbuzz_subset"] = harfbuzz_subset is not None
    except ImportError:
        info["harfbuzz_subset"] = False
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "trainer")
    if os.environ.get("BENCH_CODE"):
        info["commit"] = f"{commit}; trainer imported from BENCH_CODE={os.environ['BENCH_CODE']}"
    else:
        info["commit"] = commit + (" + uncommitted changes under trainer/" if dirty else "")
    if "postgresql" in engines:
        from sqlalchemy import create_engine, text

        from bench.common import database_url

        engine = create_engine(database_url("postgresql", "postgres"))
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    return info


def seed_all(engines: list[str], hours: int, small_hours: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for engine in engines:
        for name, n in zip(NAMES[engine], (small_hours, hours), strict=True):
            log(f"seeding {engine} {name} with {n:,} hour entries")
            t0 = time.perf_counter()
            url = fresh_database(engine, name)
            prepare = time.perf_counter() - t0
            cast = seed(url, hours=n)
            log(f"  progress rebuild of {engine} {name}")
            cast["progress_s"] = rebuild_progress(url)
            write_json(cast_path(url), cast)
            out[f"{engine}:{n}"] = {
                "url": url,
                "prepare_s": round(prepare, 1),
                "seed_s": cast["seconds"],
                "rows": cast["rows"],
                "insert_s": cast["insert_seconds"],
                "progress_s": cast["progress_s"],
            }
            log(f"  {cast['seconds']} s")
    return out


def count_statements(engines: list[str], seeded: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, info in seeded.items():
        cast = json.loads(cast_path(info["url"]).read_text())
        app = make_app(info["url"])
        out[key] = {p.name: sqlcount.statements(app, p.requests) for p in pages(app, cast)}
        with app.app_context():
            from trainer.extensions import db

            db.engine.dispose()
    return out


def load_test(engine: str, url: str, repeat: int, seconds: float) -> dict[str, Any]:
    cast = json.loads(cast_path(url).read_text())
    app = make_app(url)
    measured = pages(app, cast)
    results: dict[str, Any] = {p.name: {} for p in measured}
    port = PORTS[engine]
    with Server(url, port, log=str(BENCH_DIR / f"gunicorn-{engine}.log")):
        for clients in CLIENTS:
            raw: dict[str, list[Any]] = {p.name: [] for p in measured}
            for rep in range(repeat):
                for p in measured:  # interleaved: every page sees the same conditions
                    r = run("127.0.0.1", port, p.scenario, clients, seconds)
                    raw[p.name].append(r)
                    log(
                        f"  {engine} {clients:>2} clients rep {rep + 1} {p.name:<10} "
                        f"{r.rps:7.1f}/s  errors {r.unexpected}  {r.statuses}"
                    )
            for name, runs in raw.items():
                statuses: dict[str, int] = {}
                for r in runs:
                    for code, n in r.statuses.items():
                        statuses[str(code)] = statuses.get(str(code), 0) + n
                results[name][str(clients)] = {
                    "rps": summary([r.rps for r in runs]),
                    "p50_ms": summary([1000 * r.percentile(0.5) for r in runs]),
                    "p95_ms": summary([1000 * r.percentile(0.95) for r in runs]),
                    "unexpected": sum(r.unexpected for r in runs),
                    "statuses": statuses,
                }
    labels = {p.name: p.label for p in measured}
    return {"pages": results, "labels": labels}


def wrk_test(engine: str, url: str, small_url: str, repeat: int, seconds: float) -> dict[str, Any]:
    """Hot pages against the bare-Flask floor, with wrk, at 1 and 8 clients; and the heavy
    trainee's program page on the large database against the same page on the small one."""
    cast = json.loads(cast_path(url).read_text())
    app = make_app(url)
    measured = {p.name: p for p in pages(app, cast) if p.name in WRK_PAGES}
    small_cast = json.loads(cast_path(small_url).read_text())
    small_app = make_app(small_url)
    small_dashboard = next(p for p in pages(small_app, small_cast) if p.name == "dashboard")
    port, small_port = PORTS[engine], SMALL_PORTS[engine]

    def address(p: int, path: str) -> str:
        return f"http://127.0.0.1:{p}{path}"

    targets: dict[str, tuple[str, str | None]] = {
        "bare": (address(BARE_PORT, "/_bench/floor"), None)
    }
    for name, page in measured.items():
        first = page.requests[0]  # the exam: its question GET
        targets[name] = (address(port, first.path), first.cookie)
    small = small_dashboard.requests[0]
    targets["dashboard_small"] = (address(small_port, small.path), small.cookie)
    raw: dict[str, dict[int, list[wrk.WrkResult]]] = {
        k: {c: [] for c in WRK_CLIENTS} for k in targets
    }
    logs = BENCH_DIR / f"gunicorn-wrk-{engine}.log"
    with (
        Server(url, BARE_PORT, log=str(logs), target="bench.bare_app:create_app()"),
        Server(url, port, log=str(logs)),
        Server(small_url, small_port, log=str(logs)),
    ):
        for clients in WRK_CLIENTS:
            for rep in range(repeat):
                for name, (target, cookie) in targets.items():  # interleaved
                    r = wrk.run(target, clients, seconds, cookie)
                    raw[name][clients].append(r)
                    log(
                        f"  wrk {engine} {clients} clients rep {rep + 1} {name:<15} "
                        f"{r.rps:8.1f}/s  errors {r.errors}"
                    )
    out: dict[str, Any] = {}
    for name, by in raw.items():
        out[name] = {
            str(c): {
                "rps": summary([r.rps for r in runs]),
                "p50_ms": summary([r.p50_ms for r in runs]),
                "p99_ms": summary([r.p99_ms for r in runs]),
                "errors": sum(r.errors for r in runs),
            }
            for c, runs in by.items()
        }
    labels = {name: page.label for name, page in measured.items()}
    labels["exam"] = "exam question GET /exam/<attempt>/q/<n>"
    labels["bare"] = "bare Flask route (bench/bare_app.py, not trainer)"
    labels["dashboard_small"] = (
        f"the same program page on the small database "
        f"({small_cast['heavy_trainee']['entries']:,} entries)"
    )
    return {"pages": out, "labels": labels}


def integrity_test(engine: str, url: str) -> dict[str, Any]:
    cast = json.loads(cast_path(url).read_text())
    app = make_app(url)
    port = PORTS[engine] + 10
    with Server(url, port, log=str(BENCH_DIR / f"gunicorn-integrity-{engine}.log")):
        exam = integrity.exam_takers(app, "127.0.0.1", port, cast)
        log(f"  exam takers: {exam['server_errors']} 5xx, problems {exam['problems'][:3]}")
        sup = integrity.supervisors(app, "127.0.0.1", port, cast)
        log(f"  supervisors: {sup['server_errors']} 5xx, problems {sup['problems'][:3]}")
    return {"exam": exam, "supervisors": sup}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure")
    parser.add_argument("--seconds", type=float, default=4.0, help="measured window per run")
    parser.add_argument("--hours", type=int, default=1_000_000)
    parser.add_argument("--small-hours", type=int, default=1_000)
    parser.add_argument("--quick", action="store_true", help="1 run of 2 s, 20,000 hours")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.seconds, args.hours = 1, 2.0, 20_000
    engines = [e for e in args.engines.split(",") if e]
    started = time.perf_counter()
    results: dict[str, Any] = {
        "settings": {
            "repeat": args.repeat,
            "seconds": args.seconds,
            "hours": args.hours,
            "small_hours": args.small_hours,
            "clients": list(CLIENTS),
            "engines": engines,
        },
        "machine": machine(engines),
    }
    raw = BENCH_DIR / "results.json"

    def save() -> None:
        results["total_s"] = round(time.perf_counter() - started, 1)
        write_json(raw, results)

    results["seed"] = seed_all(engines, args.hours, args.small_hours)
    save()
    log("counting SQL statements per page")
    results["statements"] = count_statements(engines, results["seed"])
    save()
    results["load"] = {}
    for engine in engines:
        log(f"load test on {engine}")
        url = results["seed"][f"{engine}:{args.hours}"]["url"]
        results["load"][engine] = load_test(engine, url, args.repeat, args.seconds)
        save()
    results["wrk"] = {}
    if wrk.available():
        for engine in engines:
            log(f"wrk against the bare-Flask floor on {engine}")
            url = results["seed"][f"{engine}:{args.hours}"]["url"]
            small = results["seed"][f"{engine}:{args.small_hours}"]["url"]
            results["wrk"][engine] = wrk_test(engine, url, small, args.repeat, args.seconds)
            save()
    else:
        log("wrk is not installed (apt-get install wrk): skipping the bare-Flask comparison")
    log("profiling the slowest page")
    results["profile"] = profile_slowest(results, engines[0], args.hours)
    save()
    log("PDF cost")
    url = results["seed"][f"{engines[0]}:{args.hours}"]["url"]
    cast = json.loads(cast_path(url).read_text())
    results["pdf"] = pdf_bench.issue_and_download(url, cast, max(5, args.repeat))
    results["export"] = {}
    for engine in engines:
        url = results["seed"][f"{engine}:{args.hours}"]["url"]
        if pdf_bench.export_available(url):
            results["export"][engine] = {
                str(n): pdf_bench.export_in_subprocess(url, str(cast_path(url)), n)
                for n in (100, 1000, 4000)  # 4,000: the slope, below EXPORT_MAX
            }
    save()
    results["integrity"] = {}
    for engine in engines:
        log(f"integrity under load on {engine}")
        url = results["seed"][f"{engine}:{args.hours}"]["url"]
        results["integrity"][engine] = integrity_test(engine, url)
        save()
    log("outbox: approvals during a mail outage, delivery rate")
    results["outbox"] = outbox_bench.measure(engines, args.repeat)
    save()
    log("content check and load")
    results["content"] = content_bench.run(max(1, min(args.repeat, 3)))
    save()
    from bench.report import write

    write(results, Path(args.output))
    log(f"done in {results['total_s']} s: {args.output}, raw figures in {raw}")


def profile_slowest(results: dict[str, Any], engine: str, hours: int) -> dict[str, Any]:
    load = results["load"][engine]["pages"]
    floor = load["floor"]["8"]["rps"]["median"]
    ratios = {k: v["8"]["rps"]["median"] / floor for k, v in load.items() if k != "floor"}
    slowest = min(ratios, key=ratios.get)  # type: ignore[arg-type]
    url = results["seed"][f"{engine}:{hours}"]["url"]
    cast = json.loads(cast_path(url).read_text())
    app = make_app(url)
    page = next(p for p in pages(app, cast) if p.name == slowest)
    out = BENCH_DIR / f"profile-{slowest}.html"
    text = sqlcount.profile(app, page.requests, 20, out)
    (BENCH_DIR / f"profile-{slowest}.txt").write_text(text)
    return {"page": slowest, "html": str(out), "text": text}


if __name__ == "__main__":
    sys.exit(main())
