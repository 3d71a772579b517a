"""The pages measured, as data: who asks for what. Built from a seeded database's cast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.common import session_for
from bench.load import Request, Scenario

#: The board registry search, once the board portal has it (else /board/ is measured).
REGISTRY_RULE = "/board/registry"


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    scenario: Scenario
    #: (method, path, cookie, form) of each request, for counting SQL statements
    requests: list[Request]


def registry_path(app: Any, cast: dict[str, Any]) -> str:
    rules = {r.rule for r in app.url_map.iter_rules()}
    if REGISTRY_RULE in rules:
        query = {"q": cast["search_name"], "status": "active", "sort": "issued_desc"}
        return f"{REGISTRY_RULE}?{urlencode(query)}"
    return "/board/"


def _heavy_places(app: Any, user_id: int, program_id: str) -> tuple[int, str, str]:
    """The heavy trainee's enrolment id, and the first section of their program's first
    module (the reader page measured)."""
    from sqlalchemy import select

    from trainer.extensions import db
    from trainer.models import Enrolment, ModuleSection, Program

    with app.app_context():
        enrolment = db.session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == user_id, Enrolment.program_id == program_id
            )
        )
        module = db.session.get(Program, program_id).spec.modules[0]
        anchor = db.session.scalar(
            select(ModuleSection.anchor)
            .where(ModuleSection.module_id == module)
            .order_by(ModuleSection.position)
        )
        db.session.remove()
    assert enrolment is not None and anchor is not None
    return enrolment, module, anchor


def pages(app: Any, cast: dict[str, Any]) -> list[Page]:
    heavy = cast["heavy_trainee"]
    heavy_cookie, _ = session_for(app, heavy["user"])
    takers = [(u, a, *session_for(app, u)) for u, a in cast["exam_page_takers"]]
    queue_cookie, _ = session_for(app, cast["queue_supervisor"])
    board_cookie, _ = session_for(app, cast["board_ky"])
    number = cast["verify_numbers"]["ky-apss"]
    registry = registry_path(app, cast)

    def one(req: Request) -> Scenario:
        return lambda i: [req]

    def exam(i: int) -> list[Request]:
        _, attempt, cookie, token = takers[i % len(takers)]
        n = 1 + i % 40
        path = f"/exam/{attempt}/q/{n}"
        return [
            Request("GET", path, cookie),
            Request(
                "POST",
                path,
                cookie,
                {"csrf_token": token, "answer": f"o{1 + i % 3}", "go": str(n)},
                (302,),
            ),
        ]

    enrolment, module, anchor = _heavy_places(app, heavy["user"], heavy["program"])
    floor = Request("GET", "/_bench/floor")
    home = Request("GET", "/learn/", heavy_cookie)
    reader = Request("GET", f"/learn/modules/{module}/{anchor}", heavy_cookie)
    hours = Request("GET", f"/hours/{enrolment}", heavy_cookie)
    overview = Request("GET", "/board/", board_cookie)
    dashboard = Request("GET", f"/learn/programs/{heavy['program']}", heavy_cookie)
    queue = Request("GET", "/supervise/queue", queue_cookie)
    board = Request("GET", registry, board_cookie)
    verify = Request("GET", f"/verify/{number}")
    return [
        Page("floor", "floor: /_bench/floor (one-line template)", one(floor), [floor]),
        Page(
            "dashboard",
            f"trainee dashboard /learn/programs/{heavy['program']} ({heavy['entries']:,} entries)",
            one(dashboard),
            [dashboard],
        ),
        Page("home", "trainee home /learn/", one(home), [home]),
        Page("reader", f"module reader /learn/modules/{module}/{anchor}", one(reader), [reader]),
        Page(
            "hours",
            f"hours page /hours/<enrolment> ({heavy['entries']:,} entries)",
            one(hours),
            [hours],
        ),
        Page("exam", "exam question GET + answer save POST", exam, exam(0)),
        Page("queue", "supervisor queue /supervise/queue (40 trainees)", one(queue), [queue]),
        Page(
            "registry",
            f"board registry search {registry}"
            if registry != "/board/"
            else "board home /board/ (no registry search route yet)",
            one(board),
            [board],
        ),
        Page("overview", "board overview /board/", one(overview), [overview]),
        Page("verify", "public verify /verify/<number>", one(verify), [verify]),
    ]
