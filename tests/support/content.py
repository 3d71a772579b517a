"""A small, valid content tree that tests copy and then break in one place."""

from __future__ import annotations

import shutil
from pathlib import Path

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"

ALPHA = """---
id: alpha
title: Alpha Module
order: 1
summary: The first module.
objectives:
  - Learn the first thing.
competencies: [engagement]
credit:
  advocacy: 120
quiz:
  items: 2
  pass_percent: 50
references:
  - title: A Source
    publisher: A Publisher
    year: 2020
    url: https://example.org/source
---

## Getting started

Alpha text with **bold** and a [link to beta](module:beta#second-part).

!!! note "Remember"
    A callout.

## Second step

More alpha text.
"""

BETA = """---
id: beta
title: Beta Module
order: 2
summary: The second module.
objectives: [Learn the second thing.]
competencies: [support]
credit: {ethical-responsibility: 60}
quiz: {items: 3, pass_percent: 80}
references:
  - {title: Another Source, publisher: Another Publisher}
---

## First part

Beta text.

## Second part

More beta text.
"""


def _item(iid: str, domain: str, use: str = "both", answer: str = "b") -> str:
    return f"""  - id: {iid}
    type: single
    use: {use}
    domain: {domain}
    competencies: [engagement]
    stem: Question {iid} about a situation?
    options:
      a: First choice for {iid}
      b: Second choice for {iid}
      c: Third choice for {iid}
    answer: {answer}
    rationale: Because {iid}.
"""


ALPHA_ITEMS = (
    "module: alpha\nitems:\n"
    + "".join(_item(f"alpha-{n:03}", "advocacy") for n in range(1, 5))
    + """  - id: alpha-tf
    type: truefalse
    use: quiz
    domain: advocacy
    competencies: [support]
    stem: Alpha is the first module.
    answer: true
    rationale: It is.
  - id: alpha-multi
    type: multiple
    use: exam
    domain: advocacy
    competencies: [support]
    stem: Which are letters? Select all that apply.
    options:
      a: A
      b: B
      c: "3"
    answer: [a, b]
    rationale: A and B are letters.
scenarios:
  - id: alpha-s01
    domain: advocacy
    use: both
    vignette: Sam is new to the program.
    items:
      - id: alpha-s01-1
        type: single
        competencies: [engagement]
        stem: What first?
        options: {a: Greet Sam, b: Ignore Sam, c: Leave}
        answer: a
        rationale: Greeting builds trust.
      - id: alpha-s01-2
        type: truefalse
        competencies: [engagement]
        stem: Sam should be welcomed.
        answer: true
        rationale: Welcome matters.
"""
)

BETA_ITEMS = "module: beta\nitems:\n" + "".join(
    _item(f"beta-{n:03}", "ethical-responsibility") for n in range(1, 6)
)

PROGRAM = """id: test-prog
title: Test Program
credential: Test Peer Specialist
abbreviation: TPS
number_prefix: TS-TPS
jurisdiction: {code: TS, name: Testland}
issuing_authority: Testland Board
issuance: automatic
summary: A program for tests.
modules: [alpha, beta]
education:
  total_hours: 3
  topics: {advocacy: 2, ethical-responsibility: 1}
exam:
  blueprint: {advocacy: 3, ethical-responsibility: 2}
  passing_percent: 70
  time_limit_minutes: 30
  attempts_allowed: 3
  wait_days: 7
supervised_hours:
  total: 10
  categories: {advocacy: 4, ethical-responsibility: 0}
  supervision: 2
attestations:
  - {id: code-of-ethics, text: I will follow the code of ethics.}
documents:
  - {id: reference-letter, title: Reference letter, count: 1}
validity_months: 24
renewal:
  ce_hours: 6
  topics: {ethical-responsibility: 2}
sources:
  - {title: Test rules, publisher: Testland Board}
"""


def write_tree(root: Path) -> Path:
    """Write the small valid tree under ``root/content`` and return that folder."""
    content = root / "content"
    (content / "modules").mkdir(parents=True)
    (content / "items").mkdir()
    (content / "programs").mkdir()
    shutil.copy(REAL_CONTENT / "taxonomy.yaml", content / "taxonomy.yaml")
    (content / "modules" / "01-alpha.md").write_text(ALPHA)
    (content / "modules" / "02-beta.md").write_text(BETA)
    (content / "items" / "alpha.yaml").write_text(ALPHA_ITEMS)
    (content / "items" / "beta.yaml").write_text(BETA_ITEMS)
    (content / "programs" / "test-prog.yaml").write_text(PROGRAM)
    return content
