"""PDF cost, in one process: issuing a certificate against WeasyPrint's floor, downloads
against renders, and the board's bulk export (throughput and peak memory).

Run ``python -m bench.pdf_bench export URL CAST N`` to measure one export in a fresh
process (peak memory is per process); the rest is called by bench.run.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.common import make_app, read_json, session_for, summary

EXPORT_RULE = "/board/exports/certificates.zip"


def _timed(fn: Any, repeat: int) -> list[float]:
    fn()  # warm-up: fonts, templates, imports
    out = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def floor_render() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>One line of text.</p>").write_pdf()


def issue_and_download(url: str, cast: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Issue (render + sign + store) against the floor; download against render."""
    from sqlalchemy import select

    from trainer.clock import utcnow
    from trainer.extensions import db
    from trainer.models import Certificate, Enrolment
    from trainer.services import certificate_pdf, certificates

    app = make_app(url)
    floor = _timed(floor_render, repeat)
    with app.app_context():
        enrolment = db.session.scalar(
            select(Enrolment).where(
                Enrolment.user_id == cast["heavy_trainee"]["user"],
                Enrolment.program_id == cast["heavy_trainee"]["program"],
            )
        )
        assert enrolment is not None
        program = enrolment.program
        d = program.definition

        def issue() -> None:
            """certificates.finalise on a new row, as issue_if_met() does; then rolled back."""
            now = utcnow()
            cert = Certificate(
                user_id=enrolment.user_id,
                enrolment_id=enrolment.id,
                program_id=program.id,
                jurisdiction=program.jurisdiction,
                cycle=99,
                status="review",
                earned_at=now,
                holder_name=enrolment.user.legal_name,
                credential_name=d["credential"],
                issuing_authority=d["issuing_authority"],
                release_id=enrolment.release_id,
                evidence={},
                updated_at=now,
            )
            db.session.add(cert)
            db.session.flush()
            certificates.finalise(cert, now)
            db.session.rollback()

        issued = _timed(issue, repeat)
        sample = db.session.scalar(
            select(Certificate).where(Certificate.id == cast["holder"]["certificate"])
        )
        assert sample is not None and sample.number
        facts = certificates.certificate_facts(sample)
        credential = sample.credential_json or "{}"
        render = _timed(lambda: certificate_pdf.render(facts, credential), repeat)
        db.session.remove()

    cookie, _ = session_for(app, cast["holder"]["user"])
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    path = f"/learn/certificates/{cast['holder']['certificate']}/certificate.pdf"
    headers = {"User-Agent": "trainer-bench/1"}

    def download() -> None:
        response = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert response.status_code == 200 and response.data[:5] == b"%PDF-", response.status
        response.close()

    downloaded = _timed(download, repeat * 5)
    f, i, r, dl = summary(floor), summary(issued), summary(render), summary(downloaded)
    return {
        "floor_s": f,
        "issue_s": i,
        "render_s": r,
        "download_s": dl,
        "issue_over_floor": i["median"] / f["median"],
        "download_over_render": dl["median"] / r["median"],
        "pdf_bytes": len(floor_render()),
    }


def export_available(url: str) -> bool:
    app = make_app(url)
    return EXPORT_RULE in {r.rule for r in app.url_map.iter_rules()}


def export_window(app: Any, jurisdiction: str, count: int) -> str:
    """Query parameters selecting about ``count`` of the jurisdiction's newest certificates:
    everything issued on or after the issue date of the count-th newest."""
    from sqlalchemy import select

    from trainer.extensions import db
    from trainer.models import Certificate

    with app.app_context():
        issued = db.session.scalar(
            select(Certificate.issued_at)
            .where(Certificate.jurisdiction == jurisdiction, Certificate.number.is_not(None))
            .order_by(Certificate.issued_at.desc())
            .offset(count - 1)
            .limit(1)
        )
        db.session.remove()
    assert issued is not None
    return f"issued_from={issued.date().isoformat()}&sort=issued_desc"


def export_once(url: str, cast: dict[str, Any], count: int) -> dict[str, Any]:
    """One bulk export of about ``count`` certificates through the app, in this process:
    the streamed ZIP is consumed chunk by chunk as a client would (written to a scratch
    file, so the measuring side holds no copy of it)."""
    import tempfile
    import zipfile

    app = make_app(url)
    cookie, _ = session_for(app, cast["board_ky"])
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    env = {"REMOTE_ADDR": "127.0.0.1"}
    headers = {"User-Agent": "trainer-bench/1"}

    def stream(path: str, sink: Any) -> tuple[int, int]:
        response = client.get(path, headers=headers, environ_base=env)
        size = 0
        for chunk in response.response:
            size += len(chunk)
            sink.write(chunk)
        response.close()
        return response.status_code, size

    # warm-up on a small export: imports and first-use caches are not part of the peak
    with tempfile.TemporaryFile() as scratch:
        stream(f"{EXPORT_RULE}?{export_window(app, 'KY', 5)}", scratch)
    path = f"{EXPORT_RULE}?{export_window(app, 'KY', count)}"
    with tempfile.TemporaryFile() as scratch:
        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        t0 = time.perf_counter()
        status, size = stream(path, scratch)
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        pdfs = None
        if status == 200:
            scratch.seek(0)
            with zipfile.ZipFile(scratch) as z:
                pdfs = sum(1 for n in z.namelist() if n.endswith(".pdf"))
    return {
        "status": status,
        "count": count,
        "path": path,
        "bytes": size,
        "seconds": seconds,
        "tracemalloc_peak_mb": peak / 2**20,
        "maxrss_growth_mb": (rss_after - rss_before) / 1024,
        "pdfs_in_zip": pdfs,
    }


def export_in_subprocess(url: str, cast_file: str, count: int) -> dict[str, Any]:
    import subprocess

    from bench.common import ROOT, server_env

    done = subprocess.run(  # noqa: S603 (this module)
        [sys.executable, "-m", "bench.pdf_bench", "export", url, cast_file, str(count)],
        env=server_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "export":
        result = export_once(sys.argv[2], read_json(Path(sys.argv[3])), int(sys.argv[4]))
        print(json.dumps(result))
    else:
        raise SystemExit(__doc__)
