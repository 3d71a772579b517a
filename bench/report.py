"""Turn bench.run's results into BENCHMARKS.md (``python -m bench.report`` rewrites it from
the last results.json without measuring again)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, ROOT, fmt_spread, read_json

PAGE_TARGET = 0.40
BARE_TARGET, VERIFY_BARE_TARGET = 0.33, 0.6  # of the bare-Flask route, at 8 clients (wrk)
SCALING_TARGET = 1.6  # SQLite: read pages at 8 clients / at 1 client
HEAVY_TARGET = 0.9  # the program page at 2,000 entries / at 20 entries
PDF_TARGET = 3.0
OUTAGE_TARGET = 1.1  # approval time with SMTP hanging / with SMTP up
OUTBOX_HEADING = "## Outbox: approvals during a mail outage, delivery rate"
NOTES = Path(__file__).with_name("notes.md")


def _ok(flag: bool) -> str:
    return "met" if flag else "**not met**"


def write(results: dict[str, Any], path: Path) -> None:
    path.write_text(render(results))


def render(r: dict[str, Any]) -> str:
    m, s = r["machine"], r["settings"]
    subsetter = "present" if m.get("harfbuzz_subset") else "absent: fontTools subsets fonts"
    out: list[str] = []
    add = out.append
    add("# Benchmarks\n")
    add(
        "Written by `make bench` (bench/run.py) in one run; every target is a ratio of two "
        "figures measured in that same run. Rerun with `make bench` (about 20 minutes; needs "
        "PostgreSQL on 127.0.0.1:5432, user postgres, trust auth, or "
        "`.venv/bin/python -m bench.run --engines sqlite`). How it works: bench/README.md.\n"
    )
    add("## Machine and run\n")
    add("| | |\n|---|---|")
    rows = [
        ("date", m["date"]),
        ("cores", m["cores"]),
        ("memory", f"{m.get('memory_gib')} GiB"),
        ("Python", m["python"]),
        ("platform", m["platform"]),
        ("SQLite", m["sqlite"]),
        ("PostgreSQL", m.get("postgresql", "not run")),
        ("WeasyPrint", f"{m['weasyprint']} (HarfBuzz-Subset {subsetter})"),
        ("commit", m["commit"]),
        ("runs per figure", f"{s['repeat']} × {s['seconds']:g} s measured after 1 s warm-up"),
        ("hour entries", f"{s['hours']:,} (statement counts also at {s['small_hours']:,})"),
        ("whole run", f"{r.get('total_s', 0) / 60:.1f} min"),
    ]
    for k, v in rows:
        add(f"| {k} | {v} |")
    add(
        "\nFigures are `median (min–max, n=runs)`. Server: gunicorn, 2 sync workers, "
        "`bench.floor_app` (the production app plus `/_bench/floor`, built only with "
        "TRAINER_BENCH=1), **rate limiting off** (RATELIMIT_ENABLED=False: all load comes "
        "from one loopback address). Load: bench/load.py, a threaded client on the same "
        "machine (not locust: see bench/README.md); signed-in clients carry the session "
        "cookie a sign-in would set, minted with the bench secret key.\n"
    )

    add("## Seeded data\n")
    add("| database | hour entries | seconds (migrate + load content) | seconds (seed) | rows |")
    add("|---|---:|---:|---:|---|")
    for key, v in r.get("seed", {}).items():
        engine, hours = key.split(":")
        rows_txt = ", ".join(f"{t} {n:,}" for t, n in v["rows"].items())
        add(f"| {engine} | {int(hours):,} | {v['prepare_s']} | {v['seed_s']} | {rows_txt} |")
    add("")

    summary_lines: list[str] = []
    add("## Page cost\n")
    add(
        f"Target: each page's throughput at 8 clients ≥ {PAGE_TARGET:.0%} of the floor's, "
        "no error responses. Throughput counts every request (the exam row is a GET and a "
        "POST each time).\n"
    )
    for engine, load in r.get("load", {}).items():
        pages = load["pages"]
        floor8 = pages["floor"]["8"]["rps"]["median"]
        add(f"### {engine}\n")
        add(
            "| page | req/s, 1 client | req/s, 8 clients | req/s, 32 clients | ratio to floor "
            "at 8 | p50 / p95 ms at 8 | unexpected responses | target |"
        )
        add("|---|---:|---:|---:|---:|---:|---:|---|")
        for name, by in pages.items():
            ratio = by["8"]["rps"]["median"] / floor8
            errors = sum(by[c]["unexpected"] for c in by)
            met = name == "floor" or (ratio >= PAGE_TARGET and errors == 0)
            target = "" if name == "floor" else _ok(met)
            add(
                f"| {load['labels'][name]} | {fmt_spread(by['1']['rps'])} | "
                f"{fmt_spread(by['8']['rps'])} | {fmt_spread(by['32']['rps'])} | "
                f"{ratio:.2f} | {by['8']['p50_ms']['median']:.0f} / "
                f"{by['8']['p95_ms']['median']:.0f} | {errors} | {target} |"
            )
            if name != "floor":
                summary_lines.append(
                    f"| page {name} ≥ {PAGE_TARGET:.0%} of floor at 8 clients, {engine} | "
                    f"{ratio:.2f} | {_ok(met)} |"
                )
        codes: dict[str, int] = {}
        for by in pages.values():
            for c in by.values():
                for code, n in c["statuses"].items():
                    codes[code] = codes.get(code, 0) + n
        add(f"\nResponse codes over all runs: {codes}\n")

    out.extend(render_wrk(r, summary_lines))

    add("## SQL statements per page\n")
    add(
        "Counted in-process (Flask test client, `before_cursor_execute`, transaction control "
        "left out) after one warm-up request. Target: the same at every size.\n"
    )
    stm = r.get("statements", {})
    keys = list(stm)
    if keys:
        add(
            "| page | "
            + " | ".join(f"{k.split(':')[0]}, {int(k.split(':')[1]):,} entries" for k in keys)
            + " | same |"
        )
        add("|---|" + "---:|" * len(keys) + "---|")
        names = list(stm[keys[0]])
        all_same = True
        for name in names:
            values = [stm[k][name] for k in keys]
            by_engine: dict[str, set[str]] = {}
            for k, v in zip(keys, values, strict=True):
                by_engine.setdefault(k.split(":")[0], set()).add(str(v))
            same = all(len(v) == 1 for v in by_engine.values())
            all_same &= same
            cells = " | ".join(" + ".join(str(x) for x in v) for v in values)
            add(f"| {name} | {cells} | {'yes' if same else '**no**'} |")
        summary_lines.append(
            f"| statements per page independent of size | "
            f"{'all pages' if all_same else 'see table'} | {_ok(all_same)} |"
        )
        add("")

    prof = r.get("profile")
    if prof:
        add("## Profile of the slowest page\n")
        add(
            f"pyinstrument, 20 in-process requests of **{prof['page']}** on the large "
            f"database (full HTML profile: `{prof['html']}`):\n"
        )
        lines = [ln for ln in prof["text"].splitlines() if ln.strip()][:60]
        add("```\n" + "\n".join(lines) + "\n```\n")

    pdf = r.get("pdf")
    if pdf:
        add("## PDF cost\n")
        add(
            "In one process, on the large database. Floor: WeasyPrint rendering a one-line "
            "HTML page. Issue: `certificates.finalise` on a new certificate row (number, "
            "signed credential, PDF/A-3b with QR code and attachment, stored), rolled back "
            "after each run. Download: the holder's GET of the stored PDF through the app.\n"
        )
        add("| figure | seconds |")
        add("|---|---:|")
        add(f"| floor: one-line page | {fmt_spread(pdf['floor_s'], 4)} |")
        add(f"| issue a certificate (render + sign + store) | {fmt_spread(pdf['issue_s'], 4)} |")
        add(f"| render a certificate PDF only | {fmt_spread(pdf['render_s'], 4)} |")
        add(f"| download a stored certificate | {fmt_spread(pdf['download_s'], 4)} |")
        met = pdf["issue_over_floor"] <= PDF_TARGET
        add(
            f"\nIssue / floor = **{pdf['issue_over_floor']:.1f}×** (target ≤ {PDF_TARGET:g}×: "
            f"{_ok(met)}). Download / render = **{pdf['download_over_render']:.3f}** "
            f"(a download costs {100 * pdf['download_over_render']:.1f} % of a render).\n"
        )
        summary_lines.append(
            f"| issuing ≤ {PDF_TARGET:g}× WeasyPrint floor | "
            f"{pdf['issue_over_floor']:.1f}× | {_ok(met)} |"
        )

    add("## Bulk export\n")
    export = r.get("export") or {}
    if not export:
        add(
            "Not measured: the app has no `/board/exports/certificates.zip` route in this run "
            "(the board portal is being built). bench/pdf_bench.py measures it as soon as the "
            "route exists.\n"
        )
        summary_lines.append(
            "| bulk export peak memory flat in the count | not measured | **not measured** |"
        )
    for engine, by in export.items():
        add(f"### {engine}\n")
        add(
            "| certificates | status | PDFs in ZIP | MB | seconds | certificates/s | "
            "tracemalloc peak MB | max RSS growth MB |"
        )
        add("|---:|---|---:|---:|---:|---:|---:|---:|")
        for n, e in by.items():
            if "error" in e:
                add(f"| {n} | error: {e['error'][-200:]!r} | | | | | | |")
                continue
            add(
                f"| {n} | {e['status']} | {e.get('pdfs_in_zip')} | {e['bytes'] / 2**20:.1f} | "
                f"{e['seconds']:.2f} | {(e.get('pdfs_in_zip') or int(n)) / e['seconds']:.0f} | "
                f"{e['tracemalloc_peak_mb']:.1f} | {e['maxrss_growth_mb']:.1f} |"
            )
        ok = [k for k in by if "error" not in by[k]]
        if {"100", "1000"} <= set(ok):
            small, large = (by[k]["tracemalloc_peak_mb"] for k in ("100", "1000"))
            top = max(ok, key=int)
            slope = 1024 * (by[top]["tracemalloc_peak_mb"] - small) / (int(top) - 100)
            flat = large <= 1.25 * small
            add(
                f"\nPeak at 1,000 vs 100 certificates: {large:.1f} vs {small:.1f} MB; from 100 "
                f"to {int(top):,} it grows {slope:.2f} KB per certificate ({_ok(flat)}: the "
                "peak must not grow with the count; the PDFs themselves stream through).\n"
            )
            summary_lines.append(
                f"| bulk export peak memory flat, {engine} | {small:.1f} → {large:.1f} MB "
                f"(100 → 1,000), {slope:.2f} KB per certificate | {_ok(flat)} |"
            )

    add("## Integrity under load\n")
    add(
        "Through gunicorn (2 workers) on the large database; the database is checked "
        "afterwards, not the responses. See bench/integrity.py.\n"
    )
    for engine, it in r.get("integrity", {}).items():
        e, sv = it["exam"], it["supervisors"]
        add(f"### {engine}\n")
        add("| check | result |\n|---|---|")
        add(
            f"| exam takers | {e['takers']} saving every answer, then 2 submits each at once "
            f"({e['requests']:,} requests in {e['seconds']} s) |"
        )
        add(f"| responses | {e['statuses']} |")
        add(f"| 5xx | {e['server_errors']} |")
        add(f"| attempts scored exactly once | {e['attempts_scored_once']} of {e['takers']} |")
        add(f"| acknowledged answers lost | {e['answers_lost']} of {e['answers_acknowledged']} |")
        add(
            f"| supervisors | {sv['supervisors']}, each in 2 tabs with overlapping picks "
            f"({sv['requests']} requests in {sv['seconds']} s) |"
        )
        add(f"| responses | {sv['statuses']} |")
        add(f"| 5xx | {sv['server_errors']} |")
        add(
            f"| entries asked for / by both tabs / approved | {sv['entries_asked']} / "
            f"{sv['entries_asked_twice']} / {sv['entries_approved']} |"
        )
        add(f"| entries decided twice | {sv['decided_twice']} |")
        problems = e["problems"] + sv["problems"]
        add(f"| problems | {'; '.join(problems) if problems else 'none'} |\n")
        ok = (
            not problems
            and e["server_errors"] == 0
            and sv["server_errors"] == 0
            and e["attempts_scored_once"] == e["takers"]
        )
        summary_lines.append(
            f"| integrity under load, {engine} | "
            f"{'no 5xx, no problem' if ok else 'see above'} | {_ok(ok)} |"
        )

    c = r.get("content")
    if c:
        add("## Content check and load\n")
        add(
            "`trainer content check` / `load` as commands (a new process each: Python start-up "
            "and app creation included) and the same work in-process; per item = in-process "
            "time / items. The ten-times tree is content/ plus nine renamed copies of every "
            "module and bank (bench/content_bench.py).\n"
        )
        add(
            "| tree | modules | items | check (command) s | check (in-process) s | "
            "load (command) s | load (in-process) s | check ms/item | load ms/item |"
        )
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, v in (("content/", c["real"]), ("10× content/", c["x10"])):
            add(
                f"| {label} | {v['modules']} | {v['items']} | {fmt_spread(v['check_cli_s'], 2)} | "
                f"{fmt_spread(v['check_in_process_s'], 2)} | {fmt_spread(v['load_cli_s'], 2)} | "
                f"{fmt_spread(v['load_in_process_s'], 2)} | {v['check_ms_per_item']:.2f} | "
                f"{v['load_ms_per_item']:.2f} |"
            )
        add("")

    if r.get("outbox"):
        add(render_outbox(r["outbox"], None))
        for engine, a in r["outbox"]["approval"].items():
            summary_lines.append(
                f"| approval with SMTP hanging / SMTP up ≤ {OUTAGE_TARGET:g}, {engine} | "
                f"{a['ratio']:.2f} | {_ok(a['ratio'] <= OUTAGE_TARGET)} |"
            )

    add("## Targets\n")
    add("| target | measured | |\n|---|---|---|")
    out.extend(summary_lines)
    add("")
    if NOTES.exists():
        add(NOTES.read_text())
    return "\n".join(out) + "\n"


def render_wrk(r: dict[str, Any], summary_lines: list[str]) -> list[str]:
    """Hot pages against the bare-Flask route, measured with wrk (issue 14's targets)."""
    out: list[str] = []
    add = out.append
    if not r.get("wrk"):
        return out
    add("## Page cost against bare Flask (wrk)\n")
    add(
        "Load from Debian's `wrk` (a C client: it does not share the Python interpreter), "
        "`-t C -c C` for C clients, each page alone for the measured window, pages "
        "interleaved. **bare** is `bench/bare_app.py`: a Flask app that is not trainer, one "
        "route rendering a one-line template, under the same gunicorn (2 sync workers). "
        "**floor** is trainer's own app with a one-line route. Targets, at 8 clients: every "
        f"hot page ≥ {BARE_TARGET:.2f} of bare, verify ≥ {VERIFY_BARE_TARGET:.1f}; on SQLite "
        f"every read page's throughput at 8 clients ≥ {SCALING_TARGET:g}× its throughput at "
        f"1; the heavy trainee's program page (2,000 entries) ≥ {HEAVY_TARGET:.0%} of the "
        "same page on the small database (20 entries).\n"
    )
    for engine, w in r["wrk"].items():
        pages, labels = w["pages"], w["labels"]
        bare = pages["bare"]["8"]["rps"]["median"]
        add(f"### {engine}\n")
        add(
            "| page | req/s, 1 client | req/s, 8 clients | ratio to bare at 8 | 8 / 1 clients "
            "| p50 / p99 ms at 8 | errors | target |"
        )
        add("|---|---:|---:|---:|---:|---:|---:|---|")
        for name, by in pages.items():
            one, eight = by["1"]["rps"]["median"], by["8"]["rps"]["median"]
            ratio, scaling = eight / bare, eight / one if one else 0.0
            errors = sum(c["errors"] for c in by.values())
            hot = name not in ("bare", "floor", "dashboard_small")
            goal = VERIFY_BARE_TARGET if name == "verify" else BARE_TARGET
            met = ratio >= goal and errors == 0
            if engine == "sqlite":
                met = met and scaling >= SCALING_TARGET
            add(
                f"| {labels.get(name, name)} | {fmt_spread(by['1']['rps'])} | "
                f"{fmt_spread(by['8']['rps'])} | {ratio:.2f} | {scaling:.2f} | "
                f"{by['8']['p50_ms']['median']:.1f} / {by['8']['p99_ms']['median']:.1f} | "
                f"{errors} | {_ok(met) if hot else ''} |"
            )
            if hot:
                summary_lines.append(
                    f"| {name} ≥ {goal:.2f} of bare Flask at 8 clients (wrk), {engine} | "
                    f"{ratio:.2f} | {_ok(ratio >= goal and errors == 0)} |"
                )
                if engine == "sqlite":
                    summary_lines.append(
                        f"| {name}: 8 clients ≥ {SCALING_TARGET:g}× 1 client, sqlite | "
                        f"{scaling:.2f} | {_ok(scaling >= SCALING_TARGET)} |"
                    )
        heavy = pages["dashboard"]["8"]["rps"]["median"]
        light = pages["dashboard_small"]["8"]["rps"]["median"]
        summary_lines.append(
            f"| program page at 2,000 entries ≥ {HEAVY_TARGET:.0%} of it at 20, {engine} | "
            f"{heavy / light:.2f} | {_ok(heavy / light >= HEAVY_TARGET)} |"
        )
        add(f"\nProgram page, 2,000 entries / 20 entries at 8 clients: {heavy / light:.2f}.\n")
    return out


def machine_line() -> str:
    """Where and when a separate run (python -m bench.outbox_bench) was made."""
    import os
    import platform
    import subprocess
    import time

    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: S603,S607
    return (
        f"Measured separately by `python -m bench.outbox_bench` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}."
    )


def render_outbox(o: dict[str, Any], header: str | None) -> str:
    out = [f"{OUTBOX_HEADING}\n"]
    if header:
        out.append(header + "\n")
    out.append(
        "A supervisor approves entries one request at a time (in-process, signed in) while a "
        "real `trainer worker` runs against a mail server that answers (up) or accepts "
        "connections and never greets (hanging: the worker waits for its 20 s timeout). "
        "Requests never talk to the mail server, so they should not notice. Figures are "
        f"medians per phase of {next(iter(o['approval'].values()))['requests_per_phase']} "
        "requests, phases in ABBA order (bench/outbox_bench.py). Mail written while the "
        "server hung waits for its retry, so not all of it is sent by the end. Before the "
        "outbox, each of these requests waited for the mail server's timeout (20 s).\n"
    )
    out.append(
        "| database | approval, SMTP up (ms) | approval, SMTP hanging (ms) | hanging / up | "
        "target | messages written | sent by the end |"
    )
    out.append("|---|---:|---:|---:|---|---:|---:|")
    for engine, a in o["approval"].items():
        out.append(
            f"| {engine} | {fmt_spread(a['up_ms'])} | {fmt_spread(a['hanging_ms'])} | "
            f"{a['ratio']:.2f} | ≤ {OUTAGE_TARGET:g}: {_ok(a['ratio'] <= OUTAGE_TARGET)} | "
            f"{a['messages_written']} | {a['messages_sent']} |"
        )
    out.append(
        "\nDelivery: messages queued beforehand, then 1 or 2 `trainer worker` processes "
        "drain them into an aiosmtpd sink running in the bench process (it shares the 2 "
        "cores); messages/s from the first arrival to the last; every message arrived once.\n"
    )
    out.append("| database | workers | messages | messages/s | vs 1 worker |")
    out.append("|---|---:|---:|---:|---:|")
    for key, d in o["delivery"].items():
        engine, workers = key.split(":")
        one = o["delivery"].get(f"{engine}:1")
        speedup = d["rate"]["median"] / one["rate"]["median"] if one else 1.0
        out.append(
            f"| {engine} | {workers} | {d['messages']:,} | {fmt_spread(d['rate'], 0)} | "
            f"{speedup:.2f}× |"
        )
    return "\n".join(out) + "\n"


def replace_section(text: str, section: str) -> str:
    """Put ``section`` (which starts with OUTBOX_HEADING) in place of the old one, or
    before the targets table if there was none."""
    if OUTBOX_HEADING in text:
        start = text.index(OUTBOX_HEADING)
        end = text.find("\n## ", start + len(OUTBOX_HEADING))
        return text[:start] + section + (text[end + 1 :] if end != -1 else "")
    marker = "## Targets"
    if marker in text:
        at = text.index(marker)
        return text[:at] + section + "\n" + text[at:]
    return text + "\n" + section


if __name__ == "__main__":
    results = read_json(BENCH_DIR / "results.json")
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "BENCHMARKS.md"
    write(results, target)
    print(f"wrote {target}")
