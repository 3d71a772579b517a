"""Moodle GIFT import and export for the question banks (``content/items/ID.yaml``).

GIFT is Moodle's plain-text question format. This module reads the part of it that our bank can
hold and says, as a ``Problem``, why it cannot take anything else; it never drops a question
silently. A question without general feedback comes in as a draft (``draft: true``, no
rationale yet). Everything here is pure: text in, dicts / text out.

What is read (Moodle's own rules, ``question/format/gift/format.php``):

- Questions are separated by blank lines. Whole lines starting with ``//`` are comments.
- ``$CATEGORY: a/b/domain`` sets the domain of the questions that follow when its last path
  segment is a domain id; any other category goes back to ``default_domain``.
- ``::title::`` names a question; a title that is a valid, unused id becomes the item id.
- ``[html]`` ``[moodle]`` ``[plain]`` ``[markdown]`` before a text give its format; answers and
  feedback take the question's format unless they carry their own marker. The marker is
  removed; HTML is reduced to text (tags, comments, scripts and styles dropped, entities
  decoded, ``<br>`` and paragraphs become line breaks, ``<li>`` a Markdown list item), so no
  HTML reaches the bank. ``[moodle]`` (the default) and
  ``[markdown]`` text is reduced the same way when it contains tags. A tag-like text that is
  left over (``[plain]`` text ``<b>``, or ``&lt;b&gt;``) is reported, since our bank renders
  Markdown and would turn it into HTML.
- Choice answers: ``=right`` ``~wrong``, ``~%50%`` / ``~%-100%`` weights, ``#feedback`` after
  an answer, ``####general feedback`` last in the braces (our rationale). True/false:
  ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}``, with ``{T#feedback if wrong#feedback if right}``.
  Text after the answer block makes a missing-word question: the block becomes ``_____``
  in the stem, as in Moodle.
- ``// trainer: use=exam competencies=support,crisis`` right above a question (no blank line
  between) sets that question's ``use`` and ``competencies``; ``export_gift`` writes it, Moodle
  ignores it like any comment.
- Escapes: ``\\~ \\= \\# \\{ \\} \\:`` give the character itself, ``\\\\`` a backslash, ``\\n`` a
  line break. A question written over several lines keeps its line breaks (each line trimmed,
  as Moodle does); in ``[html]`` text line breaks are spaces, as in a browser.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from trainer.domain.content.checker import ID_RE, OPTION_KEYS, USES
from trainer.domain.content.gift_export import (
    CATEGORY_PREFIX,
    EXPORT_FORMAT,
    bank_yaml,
    export_gift,
    item_from_dict,
    item_to_dict,
)
from trainer.domain.content.gift_syntax import (
    CATEGORY,
    FORMATS,
    HIDDEN_RANGE,
    gift_text,
    hide_escapes,
    show_escapes,
    split_format,
)
from trainer.domain.content.model import Problem
from trainer.domain.questions import TRUEFALSE_OPTIONS

#: Reading is here; writing (re-exported for callers of ``gift``) is in ``gift_export``.
__all__ = [
    "CATEGORY_PREFIX",
    "DOMAINS",
    "EXPORT_FORMAT",
    "FORMATS",
    "MAX_OPTIONS",
    "MIN_OPTIONS",
    "NO_RATIONALE",
    "bank_yaml",
    "export_gift",
    "item_from_dict",
    "item_to_dict",
    "parse_gift",
]

# The exam domains of content/taxonomy.yaml. Callers holding a parsed tree should pass
# ``domains=tree.taxonomy.domains``; a test keeps this default equal to the taxonomy.
DOMAINS: tuple[str, ...] = (
    "advocacy",
    "mentoring-education",
    "recovery-wellness",
    "ethical-responsibility",
)
MIN_OPTIONS, MAX_OPTIONS = 3, len(OPTION_KEYS)
NO_RATIONALE = "no general feedback (####) to use as the rationale"
_TF_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_WEIGHT_RE = re.compile(r"^%\s*(-?\d+(?:\.\d+)?)\s*%")
_META_RE = re.compile(r"^//\s*trainer:(.*)$")


@dataclass
class _Question:
    """One question's lines (comments removed, each trimmed) and where it starts."""

    line: int
    lines: list[str]
    domain: str | None
    meta: dict[str, Any] = field(default_factory=dict)  # from a ``// trainer:`` comment
    title: str | None = None
    problems: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None


def parse_gift(
    text: str,
    *,
    module: str,
    path: str = "FILE",
    default_domain: str | None = None,
    use: str = "both",
    competencies: tuple[str, ...] = ("engagement",),
    domains: Collection[str] = DOMAINS,
    drafts: bool = True,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read GIFT ``text`` into question-bank item dicts for ``module``, plus its problems.

    Each dict has the keys of an item in ``content/items/ID.yaml``, in that order: ``id``,
    ``type``, ``use``, ``domain``, ``competencies``, ``stem``, ``options`` (not for true/false),
    ``answer``, ``rationale`` and ``feedback`` when any answer has feedback. With ``drafts``, a
    question without general feedback is a draft: ``draft: True`` in place of ``rationale``;
    without it, that question is a problem (``NO_RATIONALE``) like any other.

    - One ``=`` answer among ``~`` answers is a ``single`` item (``~`` answers with a negative
      weight are simply wrong). Answers without ``=``, where ``~%w%`` with ``w > 0`` marks the
      right ones, are a ``multiple`` item whose answer is the list of those keys (weights
      are not kept: the exam scores them as the program says). ``{T}``/``{F}`` is ``truefalse``
      with answer ``True``/``False`` and feedback keys ``"true"``/``"false"``.
    - Options get the keys a, b, c... in the order written; ``#feedback`` goes to
      ``feedback[key]``; ``####general feedback`` is the ``rationale``.
    - Missing word: ``Grant is {~buried =entombed} in the tomb.`` has the stem ``Grant is _____
      in the tomb.``
    - The id is the ``::title::`` when it is a valid id that no earlier question in the file
      claimed; otherwise ``{module}-gift-{n:03}``, n counting those questions in order and
      skipping any id a title claims. Every question gets an id, so fixing one question and
      importing again does not renumber the others.
    - The domain comes from the last ``$CATEGORY:`` whose last path segment is in ``domains``;
      after a category that names none, and before any, it is ``default_domain``.
    - ``use`` and ``competencies`` are the arguments, unless a ``// trainer: use=...
      competencies=a,b`` comment right above the question (as ``export_gift`` writes) says
      otherwise.

    A question with any problem is not returned as an item; each problem is
    ``Problem(path, line, message)`` with the line where the question starts (after its
    comments). Question kinds our bank cannot hold are reported as ``unsupported ...``:
    matching, numerical, short answer, essay, description, several ``=`` answers, partial
    credit in a single-answer question, images and HTML left in a text. Also reported: fewer
    than 3 or more than 6 options, no right or no wrong option, an empty question or answer,
    two options with the same text, no general feedback (``NO_RATIONALE``, only without
    ``drafts``), unbalanced braces, an unclosed ``::title``, an unreadable ``// trainer:``
    comment, and a question with no domain.

    Raises ``ValueError`` when an argument is unusable: ``module``, ``default_domain`` or a
    competency that is not an id, ``default_domain`` not in ``domains``, ``use`` not one of
    quiz/exam/both, or no competencies.
    """
    _check_arguments(module, default_domain, use, competencies, domains)
    questions = _questions(text, default_domain, domains)
    ids = _assign_ids(questions, module)
    items: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for question, iid in zip(questions, ids, strict=True):
        _read_question(question, drafts)
        if question.domain is None:
            question.problems.append(
                f"no domain: put a '$CATEGORY: .../DOMAIN' line before the question or give a "
                f"default domain (domains: {', '.join(sorted(domains))})"
            )
        problems += [Problem(path, question.line, m) for m in question.problems]
        if question.problems or question.data is None:
            continue
        items.append(_bank_item(question, question.data, iid, use, competencies))
    return items, problems


def _check_arguments(
    module: str,
    default_domain: str | None,
    use: str,
    competencies: tuple[str, ...],
    domains: Collection[str],
) -> None:
    if not ID_RE.match(module):
        raise ValueError(f"module must be an id (lowercase letters, digits, hyphens): {module!r}")
    if use not in USES:
        raise ValueError(f"use must be one of {', '.join(USES)}, not {use!r}")
    if not competencies or not all(isinstance(c, str) and ID_RE.match(c) for c in competencies):
        raise ValueError(f"competencies must be a non-empty tuple of ids: {competencies!r}")
    if default_domain is not None and default_domain not in domains:
        raise ValueError(
            f"unknown default domain {default_domain!r} (known: {', '.join(sorted(domains))})"
        )


def _bank_item(
    question: _Question, data: dict[str, Any], iid: str, use: str, competencies: tuple[str, ...]
) -> dict[str, Any]:
    """A read question as a bank item dict, keys in the bank file's order."""
    item = {
        "id": iid,
        "type": data["type"],
        "use": question.meta.get("use", use),
        "domain": question.domain,
        "competencies": question.meta.get("competencies", list(competencies)),
        "stem": data["stem"],
    }
    if "options" in data:
        item["options"] = data["options"]
    item["answer"] = data["answer"]
    if data["rationale"]:
        item["rationale"] = data["rationale"]
    else:
        item["draft"] = True
    if data["feedback"]:
        item["feedback"] = data["feedback"]
    return item


def _questions(text: str, default_domain: str | None, domains: Collection[str]) -> list[_Question]:
    """Split ``text`` into questions at blank lines, dropping comments and reading categories."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if line:
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    domain = default_domain
    questions = []
    for block in blocks:
        meta_lines = [line for _, line in block if _META_RE.match(line)]
        block = [(n, line) for n, line in block if not line.startswith("//")]
        if block and block[0][1].startswith(CATEGORY):
            segments = [s.strip() for s in block[0][1][len(CATEGORY) :].split("/")]
            last = next((s for s in reversed(segments) if s), "")
            domain = last if last in domains else default_domain
            block = block[1:]
        if block:
            question = _Question(block[0][0], [line for _, line in block], domain)
            for meta in meta_lines:
                found = _META_RE.match(meta)
                assert found is not None  # meta_lines holds only lines that matched
                _read_meta(found.group(1), question)
            questions.append(question)
    return questions


def _read_meta(text: str, question: _Question) -> None:
    """``use=exam competencies=support,crisis`` from a ``// trainer:`` comment."""
    for word in text.split():
        key, _, value = word.partition("=")
        if key == "use" and value in USES:
            question.meta["use"] = value
        elif key == "competencies" and value and all(ID_RE.match(c) for c in value.split(",")):
            question.meta["competencies"] = value.split(",")
        else:
            question.problems.append(
                f"cannot read {word!r} in the '// trainer:' comment (write "
                f"use={'|'.join(USES)} competencies=ID,ID)"
            )


def _assign_ids(questions: list[_Question], module: str) -> list[str]:
    """Item ids: valid first-come titles, then ``{module}-gift-NNN`` for the rest."""
    for question in questions:
        text = hide_escapes("\n".join(question.lines))
        end = text.find("::", 2) if text.startswith("::") else -1
        if end != -1:
            question.title = show_escapes(text[2:end]).strip()
    claimed: set[str] = set()
    titled: list[str | None] = []
    for question in questions:
        title = question.title
        if title and ID_RE.match(title) and title not in claimed:
            claimed.add(title)
            titled.append(title)
        else:
            titled.append(None)
    ids, n = [], 0
    for title in titled:
        if title is None:
            n += 1
            while f"{module}-gift-{n:03}" in claimed:
                n += 1
            title = f"{module}-gift-{n:03}"
            claimed.add(title)
        ids.append(title)
    return ids


def _read_question(q: _Question, drafts: bool) -> None:
    """Fill ``q.data`` (type, stem, options, answer, rationale, feedback) or ``q.problems``;
    the rationale is ``""`` when ``drafts`` lets a question come in without one."""
    joined = "\n".join(q.lines)
    hidden = HIDDEN_RANGE.search(joined)
    if hidden:
        q.problems.append(f"unsupported character U+{ord(hidden.group()):X} (private use)")
        return
    text = hide_escapes(joined)
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            q.problems.append("the question title is not closed by '::'")
            return
        text = text[end + 2 :].strip()
    depth, trouble = 0, ""
    for char in text:
        if char == "{":
            if depth:
                trouble = "a '{' inside an answer block (write \\{ for a brace in text)"
                break
            depth = 1
        elif char == "}":
            if not depth:
                trouble = "a '}' without a '{' before it (write \\} for a brace in text)"
                break
            depth = 0
    if not trouble and depth:
        trouble = "a '{' that is never closed by '}'"
    if trouble:
        q.problems.append(f"unbalanced braces: {trouble}")
        return
    start = text.find("{")
    if start == -1:
        q.problems.append("unsupported description: text without an answer block {...}")
        return
    end = text.index("}", start)
    answer, after = text[start + 1 : end].strip(), text[end + 1 :].strip()
    if "{" in after:
        q.problems.append("unsupported: more than one answer block {...} in a question")
        return
    # Text after the block makes a missing-word question: the block is a blank in the stem.
    question = f"{text[:start]}_____{text[end + 1 :]}" if after else text[:start]
    general = None
    cut = answer.rfind("####")
    if cut != -1:
        answer, general = answer[:cut].strip(), answer[cut + 4 :]
    kind = _kind(answer)
    if kind not in ("choice", "truefalse"):
        q.problems.append(kind)
        return
    fmt, stem_text = split_format(question, "moodle")
    stem = gift_text(stem_text, fmt, q.problems)
    if not stem:
        q.problems.append("the question has no text")
    rationale = ""
    if general is not None:
        gfmt, general_text = split_format(general, fmt)
        rationale = gift_text(general_text, gfmt, q.problems)
    if not rationale and not drafts:
        q.problems.append(NO_RATIONALE)
    data = (
        _truefalse(answer, fmt, q.problems)
        if kind == "truefalse"
        else _choice(answer, fmt, q.problems)
    )
    if data is not None and not q.problems:
        q.data = {"stem": stem, "rationale": rationale, **data}


def _kind(answer: str) -> str:
    """``choice``, ``truefalse``, or the ``unsupported ...`` message (Moodle's order of tests)."""
    if not answer:
        return "unsupported essay question: an answer block without answers {}"
    if answer.startswith("#"):
        return "unsupported numerical question: an answer block starting {#"
    if "~" in answer:
        return "choice"
    if "=" in answer and "->" in answer:
        return "unsupported matching question: answers with ->"
    head = answer.split("#", 1)[0].strip()
    if head in _TF_WORDS:
        return "truefalse"
    hint = (
        " (true/false is written {T}, {TRUE}, {F} or {FALSE})" if head.upper() in _TF_WORDS else ""
    )
    return f"unsupported short-answer question: only = answers and no ~{hint}"


def _choice(answer: str, fmt: str, problems: list[str]) -> dict[str, Any] | None:
    """Options, answer and feedback of a choice question (``answer`` holds ``~``/``=`` parts)."""
    chunks = re.split(r"(?=[~=])", answer)
    if chunks[0].strip():
        problems.append(
            f"text before the first answer (~ or =): {show_escapes(chunks[0]).strip()!r}"
        )
    parsed: list[tuple[str, float, str, str]] = []  # marker, weight, text, feedback
    for chunk in chunks[1:]:
        marker, body = chunk[0], chunk[1:].strip()
        weight = 100.0 if marker == "=" else 0.0
        match = _WEIGHT_RE.match(body) if marker == "~" else None
        if match:
            weight, body = float(match.group(1)), body[match.end() :]
        raw_text, hash_, raw_feedback = body.partition("#")
        tfmt, option_text = split_format(raw_text, fmt)
        text = gift_text(option_text, tfmt, problems)
        if not text:
            problems.append("an answer has no text")
        feedback = ""
        if hash_:
            ffmt, feedback_text = split_format(raw_feedback, fmt)
            feedback = gift_text(feedback_text, ffmt, problems)
        parsed.append((marker, weight, text, feedback))
    if not MIN_OPTIONS <= len(parsed) <= MAX_OPTIONS:
        problems.append(
            f"a choice question needs {MIN_OPTIONS} to {MAX_OPTIONS} options, not {len(parsed)}"
        )
        return None
    texts = [p[2].lower() for p in parsed]
    if len(set(texts)) != len(texts):
        problems.append("two options have the same text")
    keys = OPTION_KEYS[: len(parsed)]
    options = {k: p[2] for k, p in zip(keys, parsed, strict=True)}
    feedbacks = {k: p[3] for k, p in zip(keys, parsed, strict=True) if p[3]}
    equals = [k for k, p in zip(keys, parsed, strict=True) if p[0] == "="]
    positive = [k for k, p in zip(keys, parsed, strict=True) if p[1] > 0]
    if equals:
        if len(equals) > 1:
            problems.append(
                "unsupported: several = answers; mark each right option of a "
                "select-all question with ~%weight% instead"
            )
            return None
        if len(positive) > 1:
            problems.append(
                "unsupported partial credit (~%weight% above 0) in a single-answer question"
            )
            return None
        return {"type": "single", "options": options, "answer": equals[0], "feedback": feedbacks}
    if not positive:
        problems.append("no right answer: mark it with = or give it a positive weight ~%100%")
        return None
    if len(positive) == len(parsed):
        problems.append(
            "every option has a positive weight; a multiple-response item needs a wrong option too"
        )
        return None
    return {"type": "multiple", "options": options, "answer": positive, "feedback": feedbacks}


def _truefalse(answer: str, fmt: str, problems: list[str]) -> dict[str, Any]:
    """Answer and feedback of ``{T#feedback if wrong#feedback if right}``."""
    bits = answer.split("#", 2)
    value = _TF_WORDS[bits[0].strip()]
    right, wrong = ("true", "false") if value else ("false", "true")
    feedback = {}
    for key, index in ((wrong, 1), (right, 2)):
        if len(bits) > index:
            ffmt, feedback_text = split_format(bits[index], fmt)
            text = gift_text(feedback_text, ffmt, problems)
            if text:
                feedback[key] = text
    return {
        "type": "truefalse",
        "answer": value,
        "feedback": {k: feedback[k] for k, _ in TRUEFALSE_OPTIONS if k in feedback},
    }
