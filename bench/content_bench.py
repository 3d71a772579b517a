"""Content pipeline cost: ``trainer content check`` and ``load`` on content/ and on a generated
tree ten times larger (every module and question bank copied nine more times under new ids).

Each figure is the wall time of the real command (a new process, so Python start-up and
app creation are included) and the in-process time of the same work; per item is the
in-process time divided by the number of items.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, ROOT, TRAINER, database_url, make_app, server_env, summary

ID_LINE = re.compile(r"^(id|module): (\S+)$", re.M)
ITEM_ID = re.compile(r"^(\s+- id: )(\S+)$", re.M)
ORDER = re.compile(r"^order: (\d+)$", re.M)
STEM_BLOCK = re.compile(r"^(\s+stem: >\n\s+)", re.M)
STEM_INLINE = re.compile(r"^(\s+stem: )([A-Za-z])", re.M)


def generate(copies: int = 10) -> Path:
    """content/ plus copies-1 renamed copies of every module and bank; programs unchanged."""
    src = ROOT / "content"
    out = BENCH_DIR / f"content-x{copies}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(src, out)
    for k in range(1, copies):
        for path in sorted((src / "modules").glob("*.md")):
            text = path.read_text()
            text = ID_LINE.sub(lambda m, k=k: f"{m[1]}: {m[2]}-c{k}", text, count=1)
            text = ORDER.sub(lambda m, k=k: f"order: {int(m[1]) + 100 * k}", text, count=1)
            (out / "modules" / f"{path.stem}-c{k}.md").write_text(text)
        for path in sorted((src / "items").glob("*.yaml")):
            text = path.read_text()
            text = ID_LINE.sub(lambda m, k=k: f"{m[1]}: {m[2]}-c{k}", text, count=1)
            text = ITEM_ID.sub(lambda m, k=k: f"{m[1]}{m[2]}-c{k}", text)
            # stems must stay unique across the tree: tell the copies apart
            text = STEM_BLOCK.sub(lambda m, k=k: f"{m[1]}(Copy {k}) ", text)
            text = STEM_INLINE.sub(lambda m, k=k: f"{m[1]}(Copy {k}) {m[2]}", text)

            (out / "items" / f"{path.stem}-c{k}.yaml").write_text(text)
    return out


def _cli(args: list[str], url: str) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own command)
        [TRAINER, *args], env=server_env(url), cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"trainer {' '.join(args)}: {done.stderr[-2000:]}")
    return time.perf_counter() - t0


def measure(tree: Path, repeat: int) -> dict[str, Any]:
    from trainer.domain.content import parse_tree

    parsed, problems = parse_tree(tree)
    if problems:
        raise RuntimeError(f"{tree}: {problems[:3]}")
    items = len(parsed.items)
    parse = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        parse_tree(tree)
        parse.append(time.perf_counter() - t0)
    url = database_url("sqlite", "content")
    check_cli, load_cli, load_inproc = [], [], []
    for _ in range(repeat):
        check_cli.append(_cli(["content", "check", str(tree)], url))
        _fresh(url)
        load_cli.append(_cli(["content", "load", str(tree)], url))
        _fresh(url)
        load_inproc.append(_load_in_process(url, tree))
    return {
        "tree": str(tree),
        "modules": len(parsed.modules),
        "items": items,
        "check_cli_s": summary(check_cli),
        "check_in_process_s": summary(parse),
        "load_cli_s": summary(load_cli),
        "load_in_process_s": summary(load_inproc),
        "check_ms_per_item": 1000 * summary(parse)["median"] / items,
        "load_ms_per_item": 1000 * summary(load_inproc)["median"] / items,
    }


def _fresh(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    _cli(["db", "upgrade"], url)


def _load_in_process(url: str, tree: Path) -> float:
    from trainer.domain.content import parse_tree
    from trainer.extensions import db
    from trainer.services import content

    app = make_app(url)
    with app.app_context():
        t0 = time.perf_counter()
        parsed, _ = parse_tree(tree)
        content.load(parsed)
        db.session.commit()
        seconds = time.perf_counter() - t0
        db.session.remove()
        db.engine.dispose()
    return seconds


def run(repeat: int = 3) -> dict[str, Any]:
    return {
        "real": measure(ROOT / "content", repeat),
        "x10": measure(generate(10), repeat),
    }
