"""Writing question banks: GIFT text Moodle imports (``export_gift``), and the YAML bank file
(``bank_yaml``) that ``trainer content import-gift`` writes. The inverse of ``gift``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from trainer.domain.content.checker import ID_RE
from trainer.domain.content.gift_syntax import CATEGORY, ESCAPABLE, FORMAT_RE
from trainer.domain.content.model import Item, Option
from trainer.domain.questions import TRUEFALSE_OPTIONS

EXPORT_FORMAT = "markdown"  # our stems, options and rationales are Markdown
CATEGORY_PREFIX = "trainer"


def item_to_dict(item: Item) -> dict[str, Any]:
    """An item in its bank form: the dict ``parse_gift`` returns and ``bank_yaml`` writes.

    A scenario item becomes a standalone item whose stem is ``vignette + "\\n\\n" + stem``;
    its scenario id is not kept (GIFT has no scenario sets). True/false items have no
    ``options`` and a ``True``/``False`` answer; ``feedback`` is present only when an option has
    feedback. A draft has ``draft: True`` after its rationale, or in its place when it has none.
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
    if item.rationale or not item.draft:
        data["rationale"] = item.rationale
    if item.draft:
        data["draft"] = True
    feedback = {o.key: o.feedback for o in item.options if o.feedback}
    if feedback:
        data["feedback"] = feedback
    return data


def item_from_dict(data: dict[str, Any], module: str) -> Item:
    """The ``Item`` of one bank dict (as ``parse_gift`` returns) in ``module``.

    Does not check the dict (``parse_tree`` does that for a bank file); raises ``KeyError``
    when a key that every item has is missing. A draft's missing rationale is ``""``.
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
        data.get("rationale", ""),
        draft=bool(data.get("draft")),
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
    line above each question, which Moodle ignores and ``parse_gift`` reads back. A draft
    without a rationale has no general feedback, so it reads back as a draft.
    Raises nothing for well-formed items.
    """
    groups: dict[str, dict[str, list[Item]]] = {}
    for item in items:
        groups.setdefault(item.module, {}).setdefault(item.domain, []).append(item)
    out = ["// Question bank exported by trainer in Moodle GIFT format.", ""]
    for module, by_domain in groups.items():
        for domain, group in by_domain.items():
            out += [f"{CATEGORY} {CATEGORY_PREFIX}/{module}/{domain}", ""]
            for item in group:
                out += [_question_gift(item_to_dict(item)), ""]
    return "\n".join(out)


def _question_gift(data: dict[str, Any]) -> str:
    meta = f"// trainer: use={data['use']} competencies={','.join(data['competencies'])}"
    head = f"{meta}\n::{data['id']}::[{EXPORT_FORMAT}]{_escape(data['stem'])}"
    feedback = data.get("feedback") or {}
    rationale = data.get("rationale")
    general = f"####{_escape_text(rationale)}" if rationale else ""
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
    lines += [f"\t{general}", "}"] if general else ["}"]
    return "\n".join(lines)


def _share(count: int) -> str:
    """Each right option's weight, as Moodle writes it: 100, 50, 33.33333, 25, 20, ..."""
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def _escape(text: str) -> str:
    """GIFT-escape ``text``: backslash, ``~ = # { } :`` and line breaks."""
    text = text.replace("\\", "\\\\").replace("\r", "")
    for char in ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _escape_text(text: str) -> str:
    """An answer, feedback or rationale: escaped, with our format marker when it starts with
    one of its own (Moodle would take ``[html]...`` as a marker)."""
    escaped = _escape(text)
    return f"[{EXPORT_FORMAT}]{escaped}" if FORMAT_RE.match(escaped) else escaped


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
