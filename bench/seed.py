"""Fill a database with a program-wide population, by bulk inserts, deterministically.

    python -m bench.seed URL [--hours 1000000] [--seed 9] [--fresh sqlite|postgresql NAME]

Run on a database that has the migrations applied and content/ loaded (``--fresh`` does
both first). Default population: 10,000 trainees over the 3 real programs (Kentucky and
Rhode Island), 300 supervisors, 20 board members (10 KY, 10 RI), 1,000,000 hour entries
(90 % approved), 100,000 exam attempts, 20,000 certificates. ``--hours`` scales only the
hour entries, so the same seed makes a small database whose pages can be compared with the
large one's; everything else stays the same size.

Choices, so nobody has to guess:
- One real certificate PDF (and signed credential) is rendered per program with the real
  renderer and its bytes reused by every certificate of that program (the PDF names a
  sample holder); pdf_sha256 is those bytes' hash.
- Historical exam attempts carry their scores but no per-question rows (100,000 attempts
  would be about 5 million exam_items rows); the open attempts used by the benchmarks have
  their frozen forms, assembled by the real domain code.
- No audit rows are written for the seeded history; the benchmarks' own requests write theirs.
- One argon2 hash (of ``bench-password``) is shared by every account.
- A "cast" of known people is written to ``<db>.cast.json`` for the benchmarks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, fresh_database, make_app, rebuild_progress, write_json

ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)  # "today" of the seeded history
OPEN_DEADLINE = ANCHOR + timedelta(days=3650)  # open bench attempts stay open
PASSWORD = "bench-password"  # noqa: S105 (every seeded account; bench only)
BATCH = 20_000
PROGRAM_MIX = [("icrc-pr", 0.30), ("ky-apss", 0.40), ("ky-radpss", 0.30)]
FIRST = [
    "Avery",
    "Blake",
    "Casey",
    "Dana",
    "Emery",
    "Finley",
    "Gray",
    "Harper",
    "Indigo",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Rowan",
    "Sage",
    "Taylor",
    "Umber",
    "Val",
    "Wren",
    "Alex",
    "Bailey",
    "Cameron",
    "Drew",
    "Elliot",
    "Frankie",
    "Hayden",
    "Jamie",
    "Jesse",
    "Kendall",
    "Lee",
    "Marley",
    "Micah",
    "Nico",
    "Peyton",
    "Riley",
    "Sam",
    "Skyler",
]
LAST = [
    "Adams",
    "Baker",
    "Carter",
    "Diaz",
    "Evans",
    "Foster",
    "Garcia",
    "Hughes",
    "Ibarra",
    "Jensen",
    "Khan",
    "Lopez",
    "Martin",
    "Nguyen",
    "Owens",
    "Patel",
    "Quintero",
    "Rivera",
    "Smith",
    "Turner",
    "Underwood",
    "Vasquez",
    "Walker",
    "Young",
    "Zimmer",
    "Brooks",
    "Collins",
    "Delgado",
    "Ellis",
    "Fischer",
    "Gomez",
    "Hale",
    "Irwin",
    "Jacobs",
    "Kim",
    "Lambert",
    "Moreno",
    "Nash",
]
DESCRIPTIONS = [
    "Co-facilitated a peer support group.",
    "One-to-one peer support session at the clinic.",
    "Accompanied a peer to a housing appointment.",
    "Supervision meeting with my supervisor.",
    "Helped a peer write a wellness plan.",
    "Outreach at the community drop-in center.",
    "Followed up by phone with two peers after discharge.",
    "Led a recovery skills workshop.",
]
STATUS_MIX = [
    ("approved", 0.90),
    ("pending", 0.05),
    ("returned", 0.02),
    ("rejected", 0.01),
    ("withdrawn", 0.02),
]


def _pick(rng: random.Random, mix: list[tuple[str, float]]) -> str:
    x, acc = rng.random(), 0.0
    for value, weight in mix:
        acc += weight
        if x < acc:
            return value
    return mix[-1][0]


def _batched(rows: Iterable[tuple[Any, ...]], size: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Writer:
    """Bulk inserts: COPY on PostgreSQL, executemany in one transaction on SQLite."""

    def __init__(self, conn: Any, metadata: Any) -> None:
        self.conn = conn
        self.metadata = metadata
        self.pg = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def insert(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        t = self.metadata.tables[table]
        n = 0
        t0 = time.perf_counter()
        if self.pg:
            from psycopg.types.json import Jsonb
            from sqlalchemy import JSON

            json_cols = {i for i, c in enumerate(columns) if isinstance(t.c[c].type, JSON)}
            raw = self.conn.connection.driver_connection
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    if json_cols:
                        row = tuple(
                            Jsonb(v) if i in json_cols and v is not None else v
                            for i, v in enumerate(row)
                        )
                    copy.write_row(row)
                    n += 1
        else:
            stmt = t.insert()
            for batch in _batched(rows):
                self.conn.execute(stmt, [dict(zip(columns, r, strict=True)) for r in batch])
                n += len(batch)
        self.counts[table] = self.counts.get(table, 0) + n
        self.seconds[table] = round(time.perf_counter() - t0, 1)


def _pdf_and_credential(program: Any, sample_id: int) -> tuple[bytes, str]:
    """One real certificate PDF and signed credential for a program (needs an app context)."""
    from trainer.domain import credential as vc
    from trainer.domain.certnumbers import add_months, format_number
    from trainer.services import certificate_pdf, certificates

    d = program.definition
    issued = ANCHOR - timedelta(days=30)
    number = format_number(d["number_prefix"], issued.year, sample_id)
    facts = vc.CertificateFacts(
        number=number,
        holder_name="Sample Holder",
        credential_name=d["credential"],
        abbreviation=d["abbreviation"],
        program_id=program.id,
        program_title=d["title"],
        issuing_authority=d["issuing_authority"],
        jurisdiction=d["jurisdiction_name"],
        issued_at=issued,
        expires_at=add_months(issued, d["validity_months"]),
        verify_url=certificates.verify_url(number),
        issuer=certificates.issuer(),
    )
    signed = vc.sign(vc.build(facts), certificates.signing_key(), certificates.key_url(), issued)
    credential = json.dumps(signed, indent=2, ensure_ascii=False)
    return certificate_pdf.render(facts, credential), credential


def seed(
    url: str,
    hours: int = 1_000_000,
    rng_seed: int = 9,
    trainees: int = 10_000,
    supervisors: int = 300,
    board: int = 20,
    attempts: int = 100_000,
    certificates: int = 20_000,
    exam_page_takers: int = 32,
    integrity_takers: int = 100,
) -> dict[str, Any]:
    """Fill the database at ``url``; returns the cast (who is who) and the row counts."""
    from argon2 import PasswordHasher
    from sqlalchemy import func, select, text

    from trainer.domain import exam as exam_rules
    from trainer.domain import hours as hour_rules
    from trainer.domain.certnumbers import add_months, format_number
    from trainer.extensions import db
    from trainer.models import ContentRelease, Item, ItemRevision, Program, User
    from trainer.services import content

    rng = random.Random(rng_seed)
    app = make_app(url)
    t0 = time.perf_counter()
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(User)):
            raise SystemExit("the database already has users: seed a fresh one (--fresh)")
        release = db.session.scalar(select(ContentRelease).order_by(ContentRelease.id.desc()))
        if release is None:
            raise SystemExit("load content/ first (trainer content load)")
        programs = {p.id: p for p in db.session.scalars(select(Program))}
        settings = sorted(content.labels("settings"))
        pool: dict[str, list[Any]] = {}
        revisions = db.session.scalars(
            select(ItemRevision).join(
                Item,
                (Item.id == ItemRevision.item_id)
                & (Item.current_revision == ItemRevision.revision),
            )
        ).all()
        item_module = dict(db.session.execute(select(Item.id, Item.module_id)).all())
        for pid, program in programs.items():
            mods = set(program.definition["modules"])
            pool[pid] = [
                r
                for r in revisions
                if r.content["use"] in ("exam", "both") and item_module[r.item_id] in mods
            ]
        pdfs = {pid: _pdf_and_credential(p, 1) for pid, p in programs.items()}
        password_hash = PasswordHasher().hash(PASSWORD)
        db.session.remove()

        engine = db.engine
        with engine.begin() as conn:
            w = Writer(conn, db.metadata)
            now = ANCHOR

            # -- people ----------------------------------------------------------------------
            users: list[tuple[Any, ...]] = []
            roles: list[tuple[Any, ...]] = []
            uid = 0

            def person(email: str, name: str, role: str, jurisdiction: str | None) -> int:
                nonlocal uid
                uid += 1
                users.append(
                    (
                        uid,
                        email,
                        password_hash,
                        name,
                        "America/New_York",
                        jurisdiction,
                        True,
                        f"bench{uid:012d}",
                        now - timedelta(days=rng.randint(30, 900)),
                    )
                )
                roles.append((uid, role))
                return uid

            def name() -> str:
                return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

            admin_id = person("admin@bench.trainer", "Ada Admin", "admin", None)
            sup_ids = [
                person(f"supervisor{n}@bench.trainer", name(), "supervisor", None)
                for n in range(supervisors)
            ]
            board_ids = [
                person(f"board{n}@bench.trainer", name(), "board", "KY" if n % 2 == 0 else "RI")
                for n in range(board)
            ]
            trainee_ids = [
                person(f"trainee{n}@bench.trainer", name(), "trainee", None)
                for n in range(trainees)
            ]
            w.insert(
                "users",
                [
                    "id",
                    "email",
                    "password_hash",
                    "legal_name",
                    "timezone",
                    "jurisdiction",
                    "active",
                    "session_token",
                    "created_at",
                ],
                users,
            )
            w.insert("user_roles", ["user_id", "role"], roles)

            # -- enrolments and supervision -------------------------------------------------
            enrolments: list[tuple[int, int, str, datetime]] = []  # id, user, program, at
            for t in trainee_ids:
                first = _pick(rng, PROGRAM_MIX)
                chosen = [first]
                if rng.random() < 0.15:
                    chosen.append(rng.choice([p for p, _ in PROGRAM_MIX if p != first]))
                for pid in chosen:
                    enrolments.append(
                        (len(enrolments) + 1, t, pid, now - timedelta(days=rng.randint(60, 1400)))
                    )
            w.insert(
                "enrolments",
                ["id", "user_id", "program_id", "enrolled_at", "release_id"],
                ((e[0], e[1], e[2], e[3], release.id) for e in enrolments),
            )
            # The first trainee is the heavy one (program with supervised hours to earn).
            heavy = next(e for e in enrolments if e[1] == trainee_ids[0])
            # Bench exam takers: trainees with a ky-apss enrolment (40-question form).
            apss = [e for e in enrolments if e[2] == "ky-apss" and e[1] != heavy[1]]
            takers = apss[: exam_page_takers + integrity_takers]
            taker_users = {e[1] for e in takers}
            # Supervisor 0 gets exactly 40 trainees; supervisors 1-20 are the approval test's.
            sup_of: dict[int, int] = {}
            rest = [e for e in enrolments if e[1] not in taker_users and e is not heavy]
            rng.shuffle(rest)
            for e in rest[:40]:
                sup_of[e[0]] = sup_ids[0]
            for e in enrolments:
                if e[0] not in sup_of:
                    sup_of[e[0]] = rng.choice(sup_ids[1:])
            w.insert(
                "supervision_links",
                [
                    "id",
                    "enrolment_id",
                    "supervisor_id",
                    "status",
                    "created_by_id",
                    "created_at",
                    "accepted_at",
                ],
                ((e[0], e[0], sup_of[e[0]], "active", admin_id, e[3], e[3]) for e in enrolments),
            )

            # -- hour entries ---------------------------------------------------------------
            per: dict[int, int] = {}
            heavy_n = max(20, min(2000, hours // 500))
            per[heavy[0]] = heavy_n
            s0 = [e for e in enrolments if sup_of[e[0]] == sup_ids[0]]
            for e in s0:
                per[e[0]] = per.get(e[0], 0) + 3  # a queue at every scale
            left = max(0, hours - sum(per.values()))
            ids = [e[0] for e in enrolments]
            for _ in range(left):
                k = rng.choice(ids)
                per[k] = per.get(k, 0) + 1
            by_id = {e[0]: e for e in enrolments}
            s0_ids = {e[0] for e in s0}

            def hour_rows() -> Iterator[tuple[Any, ...]]:
                hid = 0
                for eid in sorted(per):
                    e = by_id[eid]
                    cats = list(programs[e[2]].definition["supervised_categories"])
                    span = max(1, (now - e[3]).days - 1)
                    sup = sup_of[eid]
                    for k in range(per[eid]):
                        hid += 1
                        status = "pending" if eid in s0_ids and k < 3 else _pick(rng, STATUS_MIX)
                        day = (e[3] + timedelta(days=rng.randint(0, span))).date()
                        created = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
                        decided = status in ("approved", "returned", "rejected")
                        at = created + timedelta(days=rng.randint(1, 10)) if decided else None
                        yield (
                            hid,
                            eid,
                            e[1],
                            sup,
                            day,
                            15 * rng.randint(4, 24),
                            rng.choice(cats),
                            rng.choice(settings),
                            "supervision" if rng.random() < 0.15 else "direct",
                            rng.choice(DESCRIPTIONS),
                            status,
                            created,
                            at or created,
                            created,
                            at,
                            sup if decided else None,
                            {
                                "returned": "Add the setting.",
                                "rejected": "Not supervised work.",
                            }.get(status),
                            hour_rules.ATTESTATION if status == "approved" else None,
                            "10.0.0.1" if decided else None,
                        )

            w.insert(
                "hour_entries",
                [
                    "id",
                    "enrolment_id",
                    "trainee_id",
                    "supervisor_id",
                    "work_date",
                    "minutes",
                    "category",
                    "setting",
                    "kind",
                    "description",
                    "status",
                    "created_at",
                    "updated_at",
                    "notified_at",
                    "decided_at",
                    "decided_by_id",
                    "decision_note",
                    "attestation",
                    "decided_from",
                ],
                hour_rows(),
            )

            # -- exam attempts --------------------------------------------------------------
            attempt_rows: list[tuple[Any, ...]] = []
            item_rows: list[tuple[Any, ...]] = []
            open_attempts: list[tuple[int, int]] = []  # (user, attempt)
            aid = 0
            item_id = 0
            for e in takers:
                aid += 1
                spec = programs[e[2]].definition["exam"]
                form = exam_rules.assemble_form(
                    [
                        exam_rules.PoolItem(
                            r.item_id,
                            r.content["domain"],
                            r.content.get("scenario"),
                            tuple(o["key"] for o in r.content["options"]),
                            r.content["type"],
                        )
                        for r in pool[e[2]]
                    ],
                    spec["blueprint"],
                    aid,
                )
                rev = {r.item_id: r.revision for r in pool[e[2]]}
                attempt_rows.append(
                    (
                        aid,
                        e[1],
                        e[2],
                        release.id,
                        aid,
                        "open",
                        now,
                        OPEN_DEADLINE,
                        1.0,
                        None,
                        None,
                        None,
                        None,
                        spec["passing_percent"],
                        None,
                        None,
                    )
                )
                for n, f in enumerate(form, start=1):
                    item_id += 1
                    item_rows.append(
                        (
                            item_id,
                            aid,
                            n,
                            f.item_id,
                            rev[f.item_id],
                            list(f.option_order),
                            [],
                            False,
                            None,
                            None,
                        )
                    )
                open_attempts.append((e[1], aid))
            candidates = [e for e in enrolments if e[1] not in taker_users]
            while aid < attempts:
                aid += 1
                e = rng.choice(candidates)
                spec = programs[e[2]].definition["exam"]
                started = e[3] + timedelta(days=rng.randint(1, max(2, (now - e[3]).days - 1)))
                max_points = sum(spec["blueprint"].values())
                points = float(rng.randint(max_points // 3, max_points))
                percent = round(100 * points / max_points, 1)
                expired = rng.random() < 0.1
                finished = started + timedelta(
                    minutes=spec["time_limit_minutes"]
                    if expired
                    else rng.randint(20, spec["time_limit_minutes"])
                )
                attempt_rows.append(
                    (
                        aid,
                        e[1],
                        e[2],
                        release.id,
                        aid,
                        "expired" if expired else "submitted",
                        started,
                        started + timedelta(minutes=spec["time_limit_minutes"]),
                        1.0,
                        finished,
                        points,
                        max_points,
                        percent,
                        spec["passing_percent"],
                        percent >= spec["passing_percent"],
                        {"advocacy": [0, 0]},
                    )
                )
            w.insert(
                "exam_attempts",
                [
                    "id",
                    "user_id",
                    "program_id",
                    "release_id",
                    "seed",
                    "status",
                    "started_at",
                    "deadline",
                    "time_multiplier",
                    "finished_at",
                    "points",
                    "max_points",
                    "percent",
                    "passing_percent",
                    "passed",
                    "domain_scores",
                ],
                attempt_rows,
            )
            w.insert(
                "exam_items",
                [
                    "id",
                    "attempt_id",
                    "position",
                    "item_id",
                    "revision",
                    "option_order",
                    "chosen",
                    "flagged",
                    "points",
                    "saved_at",
                ],
                item_rows,
            )

            # -- certificates ---------------------------------------------------------------
            certifiable = [e for e in enrolments if e[1] not in taker_users and e is not heavy]
            rng.shuffle(certifiable)
            plan: list[tuple[tuple[int, int, str, datetime], int]] = []
            total = 0
            for e in certifiable:
                if total >= certificates:
                    break
                cycles = min(certificates - total, rng.choice([1, 1, 1, 2, 2, 3, 4]))
                plan.append((e, cycles))
                total += cycles
            cert_rows: list[tuple[Any, ...]] = []
            cid = 0
            names = {u[0]: u[3] for u in users}
            sample_numbers: dict[str, str] = {}
            holder: tuple[int, int] | None = None
            for e, cycles in plan:
                d = programs[e[2]].definition
                months = d["validity_months"]
                first = e[3] + timedelta(days=rng.randint(30, 200))
                chain = []
                for c in range(1, cycles + 1):
                    cid += 1
                    chain.append((cid, c, add_months(first, months * (c - 1))))
                for i, (this, c, issued) in enumerate(chain):
                    last = i == len(chain) - 1
                    status = "superseded"
                    if last:
                        status = "revoked" if rng.random() < 0.03 else "active"
                        if d["issuance"] == "review" and rng.random() < 0.02:
                            status = "review"
                    number = (
                        None
                        if status == "review"
                        else format_number(d["number_prefix"], issued.year, this)
                    )
                    pdf, credential = pdfs[e[2]]
                    cert_rows.append(
                        (
                            this,
                            number,
                            e[1],
                            e[0],
                            e[2],
                            programs[e[2]].jurisdiction,
                            c,
                            status,
                            issued,
                            None if status == "review" else issued,
                            None if status == "review" else add_months(issued, months),
                            names[e[1]],
                            d["credential"],
                            d["issuing_authority"],
                            release.id,
                            {"modules": d["modules"], "exam": {"result": "passed"}},
                            None if status == "review" else credential,
                            None if status == "review" else pdf,
                            None if status == "review" else hashlib.sha256(pdf).hexdigest(),
                            issued + timedelta(days=90) if status == "revoked" else None,
                            admin_id if status == "revoked" else None,
                            "Bench: revoked" if status == "revoked" else None,
                            None if last else chain[i + 1][0],
                            issued,
                        )
                    )
                    if status == "active" and number:
                        sample_numbers.setdefault(e[2], number)
                        if holder is None:
                            holder = (e[1], this)
            cert_rows.sort(key=lambda r: -r[6])  # later cycles first: superseded_by exists
            w.insert(
                "certificates",
                [
                    "id",
                    "number",
                    "user_id",
                    "enrolment_id",
                    "program_id",
                    "jurisdiction",
                    "cycle",
                    "status",
                    "earned_at",
                    "issued_at",
                    "expires_at",
                    "holder_name",
                    "credential_name",
                    "issuing_authority",
                    "release_id",
                    "evidence",
                    "credential_json",
                    "pdf",
                    "pdf_sha256",
                    "revoked_at",
                    "revoked_by_id",
                    "revoke_reason",
                    "superseded_by_id",
                    "updated_at",
                ],
                cert_rows,
            )
            if w.pg:
                for table in (
                    "users",
                    "enrolments",
                    "supervision_links",
                    "hour_entries",
                    "exam_attempts",
                    "exam_items",
                    "certificates",
                ):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        engine.dispose()

    elapsed = time.perf_counter() - t0
    ky_board = next(b for n, b in enumerate(board_ids) if n % 2 == 0)
    holder_name = names[trainee_ids[1]]
    cast = {
        "url": url,
        "hours": hours,
        "seed": rng_seed,
        "seconds": round(elapsed, 1),
        "rows": w.counts,
        "insert_seconds": w.seconds,
        "admin": admin_id,
        "heavy_trainee": {"user": heavy[1], "program": heavy[2], "entries": heavy_n},
        "exam_page_takers": open_attempts[:exam_page_takers],
        "integrity_takers": open_attempts[exam_page_takers:],
        "queue_supervisor": sup_ids[0],
        "approving_supervisors": sup_ids[1:21],
        "board_ky": ky_board,
        "verify_numbers": sample_numbers,
        "search_name": holder_name.split()[-1],
        "holder": {"user": holder[0], "certificate": holder[1]} if holder else None,
    }
    return cast


def cast_path(url: str) -> Path:
    name = url.rsplit("/", 1)[-1].removesuffix(".sqlite3")
    return BENCH_DIR / f"{name}.cast.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="database URL (default: TRAINER_DATABASE_URL)")
    parser.add_argument("--hours", type=int, default=1_000_000, help="hour entries in total")
    parser.add_argument("--seed", type=int, default=9, help="random seed")
    parser.add_argument(
        "--fresh",
        nargs=2,
        metavar=("ENGINE", "NAME"),
        help="first (re)create database NAME on sqlite|postgresql, migrate and load content/",
    )
    args = parser.parse_args()
    import os

    url = args.url or os.environ.get("TRAINER_DATABASE_URL")
    if args.fresh:
        url = fresh_database(args.fresh[0], args.fresh[1])
    if not url:
        parser.error("give a database URL or --fresh ENGINE NAME")
    cast = seed(url, hours=args.hours, rng_seed=args.seed)
    cast["progress_s"] = rebuild_progress(url)
    write_json(cast_path(url), cast)
    rows = ", ".join(f"{k} {v:,}" for k, v in cast["rows"].items())
    print(f"seeded {url} in {cast['seconds']} s: {rows}")


if __name__ == "__main__":
    main()
