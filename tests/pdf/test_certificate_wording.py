"""What a certificate says, read back from real issued PDFs: the article before the
credential, only the requirements the program sets, a verify address whose number is never
split, and the issuing authority's name in a few readable lines.

Two programs share the small test tree: ``test-prog`` (supervised hours required, "Test
Peer Specialist") and ``adult-prog`` (none required, "Adult Peer Support Specialist", the
long Kentucky-style authority name).
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.certificates import (
    TEST_PROG_HOURS,
    approve,
    certificate_of,
    everything_but_hours,
    log_hours,
)
from tests.support.content import PROGRAM, write_tree
from tests.support.exams import load
from trainer.domain.content import parse_tree
from trainer.services.certificate_pdf import (
    indefinite_article,
    requirement_kinds,
    requirements_phrase,
    split_url,
)

BASE_URL = "https://trainer.example.org"
LONG_AUTHORITY = (
    "Testland Department for Behavioral Health, Developmental and Intellectual Disabilities"
)


def _swap(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old  # tests/support/content.py changed: update this program
        text = text.replace(old, new)
    return text


ADULT_PROGRAM = _swap(
    PROGRAM,
    ("id: test-prog", "id: adult-prog"),
    ("title: Test Program", "title: Adult Test Program"),
    ("credential: Test Peer Specialist", "credential: Adult Peer Support Specialist"),
    ("abbreviation: TPS", "abbreviation: APSS"),
    ("number_prefix: TS-TPS", "number_prefix: TS-APSS"),
    ("issuing_authority: Testland Board", f"issuing_authority: {LONG_AUTHORITY}"),
    ("total: 10", "total: 0"),
    ("advocacy: 4, ethical-responsibility: 0", "advocacy: 0, ethical-responsibility: 0"),
    ("supervision: 2", "supervision: 0"),
)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"BASE_URL": BASE_URL}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    content = write_tree(tmp_path)
    (content / "programs" / "adult-prog.yaml").write_text(ADULT_PROGRAM)
    return content


def _text(pdf: bytes, tmp_path: Path) -> list[str]:
    """The lines of page 1 as pdftotext reads them (in reading order)."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def _sentence(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def _issue(app: Any, make_user: Any, program_id: str) -> Any:
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin, program_id)
    if program_id == "test-prog":
        approve(app, sup, log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS))
    cert = certificate_of(app, trainee.id)
    assert cert is not None and cert.status == "active", "the certificate was not issued"
    return cert


@pytest.fixture
def adult_cert(app: Any, tree: Path, make_user: Any) -> Any:
    """Issued as soon as the last document is approved: no supervised hours to log."""
    load(app, tree)
    return _issue(app, make_user, "adult-prog")


@pytest.fixture
def peer_cert(app: Any, tree: Path, make_user: Any) -> Any:
    load(app, tree)
    return _issue(app, make_user, "test-prog")


# -- the wording rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credential", "article"),
    [
        ("Adult Peer Support Specialist", "an"),
        ("Intentional Peer Support Practitioner", "an"),
        ("  older adult peer mentor", "an"),
        ("Peer Recovery Specialist", "a"),
        ("Certified Peer Specialist", "a"),
        ("Youth Peer Support Specialist", "a"),
    ],
)
def test_the_article_follows_the_first_letter(credential: str, article: str) -> None:
    assert indefinite_article(credential) == article


def test_only_requirements_the_program_sets_are_named(tmp_path: Path) -> None:
    tree, problems = parse_tree(write_tree(tmp_path))
    assert tree is not None and problems == []
    program = tree.programs["test-prog"]
    assert requirement_kinds(program) == ("training", "examination", "supervised-practice")
    no_hours = replace(
        program,
        supervised_hours=0,
        supervised_categories=dict.fromkeys(program.supervised_categories, 0.0),
        supervision_hours=0,
    )
    assert requirement_kinds(no_hours) == ("training", "examination")
    # one category with hours is still supervised practice
    assert "supervised-practice" in requirement_kinds(
        replace(no_hours, supervised_categories={"advocacy": 2.0})
    )
    assert "training" not in requirement_kinds(
        replace(no_hours, modules=(), education_hours=0, education_topics={})
    )
    assert requirements_phrase(("training", "examination")) == (
        "the training and examination requirements"
    )
    assert requirements_phrase(("training", "examination", "supervised-practice")) == (
        "the training, examination and supervised-practice requirements"
    )
    assert requirements_phrase(("examination",)) == "the examination requirements"
    assert requirements_phrase(()) == "the requirements"


def test_the_url_splits_only_before_the_path() -> None:
    url = "https://trainer.example.org/verify/KY-APSS-2025-000123-4"
    assert split_url(url) == ("https://trainer.example.org", "/verify/KY-APSS-2025-000123-4")


# -- read back from issued certificates ----------------------------------------------------


def test_a_vowel_initial_credential_reads_an(
    adult_cert: Any, peer_cert: Any, tmp_path: Path
) -> None:
    assert "is certified as an Adult Peer Support Specialist (APSS)." in _sentence(
        _text(adult_cert.pdf, tmp_path)
    )
    assert "is certified as a Test Peer Specialist (TPS)." in _sentence(
        _text(peer_cert.pdf, tmp_path)
    )


def test_supervised_practice_is_named_only_when_the_program_requires_it(
    adult_cert: Any, peer_cert: Any, tmp_path: Path
) -> None:
    without = _sentence(_text(adult_cert.pdf, tmp_path))
    assert "has met the training and examination requirements of Adult Test Program" in without
    assert "supervised" not in without.lower()
    with_hours = _sentence(_text(peer_cert.pdf, tmp_path))
    assert (
        "has met the training, examination and supervised-practice requirements of "
        "Test Program" in with_hours
    )


def test_the_verify_address_keeps_the_number_whole(adult_cert: Any, tmp_path: Path) -> None:
    number = adult_cert.number
    url = f"{BASE_URL}/verify/{number}"
    lines = _text(adult_cert.pdf, tmp_path)
    # the line may break before the path, never inside it
    assert f"/verify/{number}" in lines, lines
    at = lines.index("Verify at")
    assert "".join(lines[at + 1 : at + 3]) == url
    # and the QR code still holds the whole address
    page = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "certificate.pdf"), page],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{page}.png"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert decoded == url


def _runs(lines: list[str], wanted: str, *, within: bool = False) -> list[int]:
    """How many consecutive lines each printing of ``wanted`` takes."""
    return [
        n
        for start in range(len(lines))
        for n in range(1, len(lines) - start + 1)
        if (wanted in " ".join(lines[start : start + n]) if within else False)
        or " ".join(lines[start : start + n]) == wanted
    ]


def test_the_deployment_signs_and_a_long_authority_reads_whole(
    app: Any, adult_cert: Any, tmp_path: Path
) -> None:
    """The signature block names who issued it (this deployment, by configuration); the
    regulator whose rules the program follows is named whole, in three lines at most."""
    lines = _text(adult_cert.pdf, tmp_path)
    issuer = app.config["ISSUER_NAME"]
    signature = _runs(lines, issuer)
    assert signature and min(signature) <= 2, f"the issuer does not sign: {lines}"
    authority = _runs(lines, f"under the rules of {LONG_AUTHORITY}", within=True)
    assert authority, f"the authority is not named whole: {lines}"
    assert min(authority) <= 3, f"the authority's name takes {min(authority)} lines"
    assert not any(line.strip() == LONG_AUTHORITY for line in lines[-8:])  # not the signer
