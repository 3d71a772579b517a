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

    floor = Request("GET", "/_bench/floor")
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
        Page("verify", "public verify /verify/<number>", one(verify), [verify]),
    ]
