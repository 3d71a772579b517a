"""Moodle GIFT import and export for the question banks (``content/items/ID.yaml``).

GIFT is Moodle's plain-text question format. This module reads the part of it that our bank can
hold and says, as a ``Problem``, why it cannot take anything else; it never drops a question
silently. Everything here is pure: text in, dicts / text out.

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
- ``// trainer: use=exam competencies=support,crisis`` right above a question (no blank line
  between) sets that question's ``use`` and ``competencies``; ``export_gift`` writes it, Moodle
  ignores it like any comment.
- Escapes: ``\\~ \\= \\# \\{ \\} \\:`` give the character itself, ``\\\\`` a backslash, ``\\n`` a
  line break. A question written over several lines keeps its line breaks (each line trimmed,
  as Moodle does); in ``[html]`` text line breaks are spaces, as in a browser.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml

from trainer.domain.content.model import Item, Option, Problem
from trainer.domain.content.parse import ID_RE, OPTION_KEYS, RAW_HTML_RE, USES
from trainer.domain.questions import TRUEFALSE_OPTIONS

# The exam domains of content/taxonomy.yaml. Callers holding a parsed tree should pass
# ``domains=tree.taxonomy.domains``; a test keeps this default equal to the taxonomy.
DOMAINS: tuple[str, ...] = (
    "advocacy",
    "mentoring-education",
    "recovery-wellness",
    "ethical-responsibility",
)
FORMATS = ("html", "moodle", "plain", "markdown")
EXPORT_FORMAT = "markdown"  # our stems, options and rationales are Markdown
CATEGORY_PREFIX = "trainer"
MIN_OPTIONS, MAX_OPTIONS = 3, len(OPTION_KEYS)
NO_RATIONALE = "no general feedback (####) to use as the rationale"

_TF_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_ESCAPABLE = ":#={}~"
_HIDE = 0xF0000  # an escaped special character c is carried as chr(_HIDE + ord(c))
_HIDDEN = {_HIDE + ord(c): c for c in _ESCAPABLE}
_HIDDEN_RANGE = re.compile("[\U000f0000-\U000f00ff]")
_FORMAT_RE = re.compile(rf"^\[({'|'.join(FORMATS)})\]")
_WEIGHT_RE = re.compile(r"^%\s*(-?\d+(?:\.\d+)?)\s*%")
_CATEGORY = "$CATEGORY:"
_META_RE = re.compile(r"^//\s*trainer:(.*)$")
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}


# -- reading ----------------------------------------------------------------------------------


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
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read GIFT ``text`` into question-bank item dicts for ``module``, plus its problems.

    Each dict has the keys of an item in ``content/items/ID.yaml``, in that order: ``id``,
    ``type``, ``use``, ``domain``, ``competencies``, ``stem``, ``options`` (not for true/false),
    ``answer``, ``rationale`` and ``feedback`` when any answer has feedback.

    - One ``=`` answer among ``~`` answers is a ``single`` item (``~`` answers with a negative
      weight are simply wrong). Answers without ``=``, where ``~%w%`` with ``w > 0`` marks the
      right ones, are a ``multiple`` item whose answer is the list of those keys (weights
      are not kept: the exam scores them as the program says). ``{T}``/``{F}`` is ``truefalse``
      with answer ``True``/``False`` and feedback keys ``"true"``/``"false"``.
    - Options get the keys a, b, c... in the order written; ``#feedback`` goes to
      ``feedback[key]``; ``####general feedback`` is the ``rationale``.
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
    matching, numerical, short answer, essay, description, missing word (text after the
    answer block), several ``=`` answers, partial credit in a single-answer question,
    images and HTML left in a text. Also reported: fewer than 3 or more than 6 options, no
    right or no wrong option, an empty question or answer, two options with the same text,
    no general feedback (``NO_RATIONALE``), unbalanced braces, an unclosed ``::title``, an
    unreadable ``// trainer:`` comment, and a question with no domain.

    Raises ``ValueError`` when an argument is unusable: ``module``, ``default_domain`` or a
    competency that is not an id, ``default_domain`` not in ``domains``, ``use`` not one of
    quiz/exam/both, or no competencies.
    """
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
    questions = _questions(text, default_domain, domains)
    ids = _assign_ids(questions, module)
    items: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for question, iid in zip(questions, ids, strict=True):
        _read_question(question)
        if question.domain is None:
            question.problems.append(
                f"no domain: put a '$CATEGORY: .../DOMAIN' line before the question or give a "
                f"default domain (domains: {', '.join(sorted(domains))})"
            )
        problems += [Problem(path, question.line, m) for m in question.problems]
        if question.problems or question.data is None:
            continue
        data = question.data
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
        item["rationale"] = data["rationale"]
        if data["feedback"]:
            item["feedback"] = data["feedback"]
        items.append(item)
    return items, problems


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
        if block and block[0][1].startswith(_CATEGORY):
            segments = [s.strip() for s in block[0][1][len(_CATEGORY) :].split("/")]
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
        text = _hide_escapes("\n".join(question.lines))
        end = text.find("::", 2) if text.startswith("::") else -1
        if end != -1:
            question.title = _show_escapes(text[2:end]).strip()
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


def _read_question(q: _Question) -> None:
    """Fill ``q.data`` (type, stem, options, answer, rationale, feedback) or ``q.problems``."""
    joined = "\n".join(q.lines)
    hidden = _HIDDEN_RANGE.search(joined)
    if hidden:
        q.problems.append(f"unsupported character U+{ord(hidden.group()):X} (private use)")
        return
    text = _hide_escapes(joined)
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
    before, answer, after = text[:start].strip(), text[start + 1 : end].strip(), text[end + 1 :]
    general = None
    cut = answer.rfind("####")
    if cut != -1:
        answer, general = answer[:cut].strip(), answer[cut + 4 :]
    kind = _kind(answer)
    if kind not in ("choice", "truefalse"):
        q.problems.append(kind)
        return
    if after.strip():
        q.problems.append("unsupported missing-word question: text after the closing brace")
        return
    fmt, stem_text = _split_format(before, "moodle")
    stem = _text(stem_text, fmt, q.problems)
    if not stem:
        q.problems.append("the question has no text")
    rationale = ""
    if general is not None:
        gfmt, general_text = _split_format(general, fmt)
        rationale = _text(general_text, gfmt, q.problems)
    if not rationale:
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
            f"text before the first answer (~ or =): {_show_escapes(chunks[0]).strip()!r}"
        )
    parsed: list[tuple[str, float, str, str]] = []  # marker, weight, text, feedback
    for chunk in chunks[1:]:
        marker, body = chunk[0], chunk[1:].strip()
        weight = 100.0 if marker == "=" else 0.0
        match = _WEIGHT_RE.match(body) if marker == "~" else None
        if match:
            weight, body = float(match.group(1)), body[match.end() :]
        raw_text, hash_, raw_feedback = body.partition("#")
        tfmt, option_text = _split_format(raw_text, fmt)
        text = _text(option_text, tfmt, problems)
        if not text:
            problems.append("an answer has no text")
        feedback = ""
        if hash_:
            ffmt, feedback_text = _split_format(raw_feedback, fmt)
            feedback = _text(feedback_text, ffmt, problems)
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
            ffmt, feedback_text = _split_format(bits[index], fmt)
            text = _text(feedback_text, ffmt, problems)
            if text:
                feedback[key] = text
    return {
        "type": "truefalse",
        "answer": value,
        "feedback": {k: feedback[k] for k, _ in TRUEFALSE_OPTIONS if k in feedback},
    }


def _hide_escapes(text: str) -> str:
    """Replace ``\\~``-style escapes by private characters, ``\\\\`` and ``\\n`` by their values."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        following = text[i + 1] if i + 1 < len(text) else ""
        if char == "\\" and following in _ESCAPABLE and following:
            out.append(chr(_HIDE + ord(following)))
            i += 2
        elif char == "\\" and following in ("\\", "n") and following:
            out.append("\\" if following == "\\" else "\n")
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _show_escapes(text: str) -> str:
    return text.translate(_HIDDEN)


def _split_format(text: str, default: str) -> tuple[str, str]:
    """``([html]x, ...)`` -> ``("html", "x")``; text without a known marker keeps ``default``."""
    text = text.strip()
    match = _FORMAT_RE.match(text)
    return (match.group(1), text[match.end() :]) if match else (default, text)


def _text(text: str, fmt: str, problems: list[str]) -> str:
    """One text of a question as bank text: HTML reduced, escapes restored, trimmed."""
    if fmt == "html" or (fmt in ("moodle", "markdown") and RAW_HTML_RE.search(text)):
        text, images = _html_to_text(text, collapse=fmt == "html")
        if images:
            problems.append("unsupported image (<img>) in the text: the bank holds text only")
    text = _show_escapes(text).strip()
    tag = RAW_HTML_RE.search(text)
    if tag:
        problems.append(
            f"unsupported HTML in the text: {tag.group()!r} (the bank is Markdown without HTML)"
        )
    return text


class _HtmlText(HTMLParser):
    """Collect the text of an HTML fragment: tags dropped, entities decoded."""

    def __init__(self, collapse: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.collapse = collapse
        self.parts: list[str] = []
        self.skipping = 0
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "img":
            self.images += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data) if self.collapse else data)


def _html_to_text(fragment: str, collapse: bool) -> tuple[str, int]:
    """Text of an HTML fragment and its number of images. ``collapse``: HTML whitespace rules."""
    parser = _HtmlText(collapse)
    parser.feed(fragment)
    parser.close()
    lines = [
        re.sub(r"[ \t]+", " ", line).strip() if collapse else line.strip()
        for line in "".join(parser.parts).split("\n")
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.images


# -- writing ----------------------------------------------------------------------------------


def item_to_dict(item: Item) -> dict[str, Any]:
    """An item in its bank form: the dict ``parse_gift`` returns and ``bank_yaml`` writes.

    A scenario item becomes a standalone item whose stem is ``vignette + "\\n\\n" + stem``;
    its scenario id is not kept (GIFT has no scenario sets). True/false items have no
    ``options`` and a ``True``/``False`` answer; ``feedback`` is present only when an option has
    feedback.
    """
    stem = f"{item.vignette}\n\n{item.stem}" if item.vignette else item.stem
    data: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "use": item.use,
        "domain": item.domain,
        "competencies": list(item.competencies),
        "stem": stem,
    }
    if item.type == "truefalse":
        data["answer"] = item.answer == ("true",)
    else:
        data["options"] = {o.key: o.text for o in item.options}
        data["answer"] = item.answer[0] if item.type == "single" else list(item.answer)
    data["rationale"] = item.rationale
    feedback = {o.key: o.feedback for o in item.options if o.feedback}
    if feedback:
        data["feedback"] = feedback
    return data


def item_from_dict(data: dict[str, Any], module: str) -> Item:
    """The ``Item`` of one bank dict (as ``parse_gift`` returns) in ``module``.

    Does not check the dict (``parse_tree`` does that for a bank file); raises ``KeyError``
    when a key that every item has is missing.
    """
    feedback = data.get("feedback") or {}
    if data["type"] == "truefalse":
        options = tuple(Option(k, label, feedback.get(k)) for k, label in TRUEFALSE_OPTIONS)
        answer: tuple[str, ...] = ("true" if data["answer"] else "false",)
    else:
        options = tuple(Option(k, t, feedback.get(k)) for k, t in data["options"].items())
        raw = data["answer"]
        answer = tuple(sorted(raw)) if isinstance(raw, list) else (raw,)
    return Item(
        data["id"],
        module,
        data["type"],
        data["use"],
        data["domain"],
        tuple(data["competencies"]),
        data["stem"],
        options,
        answer,
        data["rationale"],
    )


def export_gift(items: Iterable[Item]) -> str:
    """Write ``items`` as Moodle GIFT text that ``parse_gift`` (and Moodle) read back.

    Items are grouped by module, then by domain, each group in order of first appearance and
    the items of a group in the order given. Each group starts with a
    ``$CATEGORY: trainer/MODULE/DOMAIN`` line. Each item is ``::id::[markdown]stem{...}``: single
    choice as ``=right`` / ``~wrong``; multiple response as ``~%w%`` with the right options
    sharing 100 and the wrong ones ``~%-100%``; true/false as ``{TRUE}``/``{FALSE}`` with its
    feedback in Moodle's ``#if wrong#if right`` places; ``#feedback`` after an option and the
    rationale as ``####general feedback``. Special characters are escaped and line breaks
    written as ``\\n``. Scenario items are written as standalone questions whose stem is
    ``vignette + "\\n\\n" + stem`` (see ``item_to_dict``): scenario grouping is not kept in
    GIFT. ``use`` and ``competencies`` go in a ``// trainer: use=... competencies=...`` comment
    line above each question, which Moodle ignores and ``parse_gift`` reads back.
    Raises nothing for well-formed items.
    """
    groups: dict[str, dict[str, list[Item]]] = {}
    for item in items:
        groups.setdefault(item.module, {}).setdefault(item.domain, []).append(item)
    out = ["// Question bank exported by trainer in Moodle GIFT format.", ""]
    for module, by_domain in groups.items():
        for domain, group in by_domain.items():
            out += [f"{_CATEGORY} {CATEGORY_PREFIX}/{module}/{domain}", ""]
            for item in group:
                out += [_question_gift(item_to_dict(item)), ""]
    return "\n".join(out)


def _question_gift(data: dict[str, Any]) -> str:
    meta = f"// trainer: use={data['use']} competencies={','.join(data['competencies'])}"
    head = f"{meta}\n::{data['id']}::[{EXPORT_FORMAT}]{_escape(data['stem'])}"
    feedback = data.get("feedback") or {}
    general = f"####{_escape_text(data['rationale'])}"
    if data["type"] == "truefalse":
        right, wrong = ("true", "false") if data["answer"] else ("false", "true")
        answer = "TRUE" if data["answer"] else "FALSE"
        if feedback.get(wrong) or feedback.get(right):
            answer += f"#{_escape_text(feedback.get(wrong, ''))}"
        if feedback.get(right):
            answer += f"#{_escape_text(feedback[right])}"
        return f"{head}{{{answer}{general}}}"
    correct = data["answer"] if isinstance(data["answer"], list) else [data["answer"]]
    lines = [head + "{"]
    for key, text in data["options"].items():
        if data["type"] == "single":
            marker = "=" if key == data["answer"] else "~%0%" if text.startswith("%") else "~"
        else:
            marker = f"~%{_share(len(correct))}%" if key in correct else "~%-100%"
        fb = f"#{_escape_text(feedback[key])}" if feedback.get(key) else ""
        lines.append(f"\t{marker}{_escape_text(text)}{fb}")
    lines += [f"\t{general}", "}"]
    return "\n".join(lines)


def _share(count: int) -> str:
    """Each right option's weight, as Moodle writes it: 100, 50, 33.33333, 25, 20, ..."""
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def _escape(text: str) -> str:
    """GIFT-escape ``text``: backslash, ``~ = # { } :`` and line breaks."""
    text = text.replace("\\", "\\\\").replace("\r", "")
    for char in _ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _escape_text(text: str) -> str:
    """An answer, feedback or rationale: escaped, with our format marker when it starts with
    one of its own (Moodle would take ``[html]...`` as a marker)."""
    escaped = _escape(text)
    return f"[{EXPORT_FORMAT}]{escaped}" if _FORMAT_RE.match(escaped) else escaped


# -- the bank file ----------------------------------------------------------------------------


class _BankDumper(yaml.SafeDumper):
    """Indented lists, flow-style lists of ids, block scalars for long or multi-line text."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if any(c in value for c in "\x85\u2028\u2029\ufeff"):
        style = '"'  # YAML reads these as line breaks unless escaped in double quotes
    elif value == value.strip() and ("\n" in value or len(value) > 80):
        style = ">"  # never "keep" chomping, so a blank line between items stays outside
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flow = all(isinstance(v, str) and ID_RE.match(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_BankDumper.add_representer(str, _str)
_BankDumper.add_representer(list, _list)


def bank_yaml(module: str, items: list[dict[str, Any]]) -> str:
    """A question bank file (``content/items/MODULE.yaml``) holding ``items``, as text.

    Keys keep the order of each dict; long text is a folded block (``>-``), text with line
    breaks a literal block (``|-``), so the file reads and diffs like a hand-written bank; a
    blank line separates items. ``yaml.safe_load`` of the result gives
    ``{"module": module, "items": items}`` back. Raises ``yaml.representer.RepresenterError``
    for values YAML cannot represent (anything but str, bool, int, float, list, dict, None).
    """
    text = yaml.dump(
        {"module": module, "items": items},
        Dumper=_BankDumper,
        sort_keys=False,
        allow_unicode=True,
        width=92,
        default_flow_style=False,
    )
    head, *entries = text.split("\n  - id: ")
    if not entries:
        return text
    return head + "\n  - id: " + "\n\n  - id: ".join(entries)
