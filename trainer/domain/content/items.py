"""Question banks (``content/items/MODULE-ID.yaml``): lone items and scenario sets, each
item's options and answer checked against its type."""

from __future__ import annotations

import re
from typing import Any

from trainer.domain.content.checker import OPTION_KEYS, USES, Checker, Doc, as_list, opt_text
from trainer.domain.content.model import Item, Module, Option
from trainer.domain.questions import TRUEFALSE_OPTIONS, TYPES

BANNED_OPTIONS = ("all of the above", "none of the above")
ITEM_KEYS = {"id", "type", "stem", "answer", "rationale", "competencies"}
ITEM_OPTIONAL = {"options", "feedback"}
SCENARIO_KEYS = {"id", "domain", "use", "vignette", "items"}


class ItemChecker(Checker):
    def parse_items(self, modules: dict[str, Module]) -> dict[str, Item]:
        folder = self.root / "items"
        items: dict[str, Item] = {}
        self.seen_ids: dict[str, str] = {}
        self.stems: dict[str, str] = {}
        if not folder.is_dir():
            self.add(self.rel(folder), 1, "the items/ folder is missing")
            return items
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.is_dir() or path.name == "README.md":
                continue
            if path.suffix != ".yaml":
                self.add(self.rel(path), 1, "question banks are named MODULE-ID.yaml")
                continue
            doc = self.load_yaml(path)
            if doc is None:
                continue
            data = doc.loc.data
            if not self.keys(doc, (), data, {"module"}, {"items", "scenarios"}, "a question bank"):
                continue
            module = data.get("module")
            if module not in modules:
                self.add(doc.rel, doc.line("module"), f"unknown module {module!r}")
                continue
            if path.stem != module:
                self.add(
                    doc.rel,
                    doc.line("module"),
                    f"the bank of module '{module}' must be named {module}.yaml",
                )
            for i, raw in enumerate(as_list(self, doc, ("items",), data.get("items"))):
                item = self.item(doc, ("items", i), raw, module, None)
                if item:
                    items[item.id] = item
            for s, scenario in enumerate(as_list(self, doc, ("scenarios",), data.get("scenarios"))):
                for item in self.scenario(doc, ("scenarios", s), scenario, module):
                    items[item.id] = item
        return items

    def claim_id(self, doc: Doc, path: tuple[Any, ...], value: Any) -> str | None:
        iid = self.ident(doc, path, value)
        if iid is None:
            return None
        if iid in self.seen_ids:
            self.add(
                doc.rel,
                doc.line(*path),
                f"duplicate id '{iid}' (first used at {self.seen_ids[iid]})",
            )
            return None
        self.seen_ids[iid] = f"{doc.rel}:{doc.line(*path)}"
        return iid

    def scenario(self, doc: Doc, path: tuple[Any, ...], raw: Any, module: str) -> list[Item]:
        if not self.keys(doc, path, raw, SCENARIO_KEYS, set(), "a scenario"):
            return []
        sid = self.claim_id(doc, (*path, "id"), raw.get("id"))
        domain, use = self.domain_and_use(doc, path, raw)
        vignette = self.text(doc, (*path, "vignette"), raw.get("vignette"), "vignette")
        members = as_list(self, doc, (*path, "items"), raw.get("items"))
        if len(members) < 2:
            self.add(doc.rel, doc.line(*path, "items"), "a scenario needs at least two items")
        out = []
        for i, member in enumerate(members):
            item = self.item(doc, (*path, "items", i), member, module, (sid, domain, use, vignette))
            if item:
                out.append(item)
        return out if sid and domain and use and vignette else []

    def item(
        self,
        doc: Doc,
        path: tuple[Any, ...],
        raw: Any,
        module: str,
        scenario: tuple[Any, Any, Any, Any] | None,
    ) -> Item | None:
        lone = scenario is None
        required = ITEM_KEYS | ({"use", "domain"} if lone else set())
        optional = ITEM_OPTIONAL | ({"draft"} if lone else set())  # a scenario publishes whole
        draft = lone and isinstance(raw, dict) and raw.get("draft") is True
        if draft:  # a draft may wait for its rationale
            required, optional = required - {"rationale"}, optional | {"rationale"}
        if not self.keys(doc, path, raw, required, optional, "an item"):
            return None
        if "draft" in raw and not isinstance(raw["draft"], bool):
            self.add(doc.rel, doc.line(*path, "draft"), "'draft' must be true or false")
        iid = self.claim_id(doc, (*path, "id"), raw.get("id"))
        qtype = raw.get("type")
        if qtype not in TYPES:
            self.add(
                doc.rel,
                doc.line(*path, "type"),
                f"unknown item type {qtype!r} (known: {', '.join(TYPES)})",
            )
            qtype = None
        # a scenario's items take its domain and use; a lone item states its own
        sid, domain, use, vignette = scenario or (None, *self.domain_and_use(doc, path, raw), None)
        competencies = self.vocab_list(
            doc,
            (*path, "competencies"),
            raw.get("competencies"),
            self.taxonomy.competencies,
            "competency",
            "competencies",
        )
        stem = self.text(doc, (*path, "stem"), raw.get("stem"), "stem")
        rationale = (
            ""
            if draft and raw.get("rationale") in (None, "")
            else self.text(doc, (*path, "rationale"), raw.get("rationale"), "rationale")
        )
        options, answer = self.options_and_answer(doc, path, raw, qtype)
        if stem:
            self.unique_stem(doc, path, f"{vignette or ''} {stem}", iid)
        if rationale is None or not (  # a draft's rationale may be "" but is never None
            iid and qtype and domain and use and stem and options and answer
        ):
            return None
        return Item(
            iid,
            module,
            qtype,
            use,
            domain,
            competencies,
            stem,
            options,
            answer,
            rationale,
            sid,
            vignette,
            doc.rel,
            doc.line(*path),
            draft,
        )

    def domain_and_use(
        self, doc: Doc, path: tuple[Any, ...], raw: dict[str, Any]
    ) -> tuple[Any, Any]:
        """The exam domain and use of a scenario or a lone item (None where it is wrong)."""
        domain = self.vocabulary(
            doc, (*path, "domain"), raw.get("domain"), self.taxonomy.domains, "exam domain"
        )
        use = raw.get("use")
        if use not in USES:
            self.add(doc.rel, doc.line(*path, "use"), f"'use' must be one of {', '.join(USES)}")
            use = None
        return domain, use

    def unique_stem(self, doc: Doc, path: tuple[Any, ...], question: str, iid: Any) -> None:
        """Scenario items may share a short question ("What should she do first?") when
        their vignettes differ: the question a person reads is vignette plus stem."""
        norm = re.sub(r"\s+", " ", question).lower()
        if norm in self.stems:
            self.add(
                doc.rel,
                doc.line(*path, "stem"),
                f"this stem repeats the stem of item {self.stems[norm]}",
            )
        else:
            self.stems[norm] = iid or "?"

    def options_and_answer(
        self, doc: Doc, path: tuple[Any, ...], raw: dict[str, Any], qtype: str | None
    ) -> tuple[tuple[Option, ...], tuple[str, ...]]:
        """The item's options (feedback attached) and its correct keys, checked for its type;
        ``()`` for the answer when it is wrong (the problem is reported)."""
        feedback = raw.get("feedback") or {}
        if not isinstance(feedback, dict):
            self.add(
                doc.rel, doc.line(*path, "feedback"), "'feedback' must map option keys to text"
            )
            feedback = {}
        if qtype == "truefalse":
            return self._true_false(doc, path, raw, feedback)
        if qtype is None:
            return (), ()
        options = self._choice_options(doc, path, raw, feedback)
        if options is None:
            return (), ()
        keys = [o.key for o in options]
        answer = raw.get("answer")
        if qtype == "single":
            return tuple(options), self._single_answer(doc, path, answer, keys)
        return tuple(options), self._multiple_answer(doc, path, answer, keys)

    def _true_false(
        self, doc: Doc, path: tuple[Any, ...], raw: dict[str, Any], feedback: dict[Any, Any]
    ) -> tuple[tuple[Option, ...], tuple[str, ...]]:
        answer = raw.get("answer")
        if "options" in raw:
            self.add(
                doc.rel,
                doc.line(*path, "options"),
                "a true/false item has no options; its answer is true or false",
            )
        if not isinstance(answer, bool):
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                "the answer of a true/false item must be true or false",
            )
            return (), ()
        for key in feedback:
            if str(key).lower() not in ("true", "false"):
                self.add(
                    doc.rel,
                    doc.line(*path, "feedback", key),
                    f"feedback for '{key}': a true/false item has options true and false",
                )
        opts = tuple(
            Option(k, label, opt_text(feedback.get(k, feedback.get(k == "true"))))
            for k, label in TRUEFALSE_OPTIONS
        )
        return opts, ("true" if answer else "false",)

    def _choice_options(
        self, doc: Doc, path: tuple[Any, ...], raw: dict[str, Any], feedback: dict[Any, Any]
    ) -> list[Option] | None:
        """Options a-f of a choice item: 3 to 6, distinct, no 'all/none of the above'."""
        raw_options = raw.get("options")
        if not isinstance(raw_options, dict):
            self.add(
                doc.rel,
                doc.line(*path, "options" if "options" in raw else "id"),
                "'options' must map keys a-f to the option text",
            )
            return None
        options = []
        for key, text in raw_options.items():
            if not isinstance(key, str) or key not in OPTION_KEYS:
                self.add(
                    doc.rel,
                    doc.line(*path, "options", key),
                    f"option key {key!r} must be one of the letters a-f",
                )
                continue
            text_value = self.text(doc, (*path, "options", key), text, f"option {key}")
            if text_value is None:
                continue
            if any(b in text_value.lower() for b in BANNED_OPTIONS):
                self.add(
                    doc.rel,
                    doc.line(*path, "options", key),
                    "'all/none of the above' options are not allowed",
                )
            options.append(Option(key, text_value, opt_text(feedback.get(key))))
        keys = [o.key for o in options]
        if not 3 <= len(raw_options) <= 6:
            self.add(
                doc.rel,
                doc.line(*path, "options"),
                f"an item needs 3 to 6 options, not {len(raw_options)}",
            )
        if len({o.text.lower() for o in options}) != len(options):
            self.add(doc.rel, doc.line(*path, "options"), "two options have the same text")
        for key in feedback:
            if key not in keys:
                self.add(
                    doc.rel,
                    doc.line(*path, "feedback", key),
                    f"feedback for '{key}', which is not an option",
                )
        return options

    def _single_answer(
        self, doc: Doc, path: tuple[Any, ...], answer: Any, keys: list[str]
    ) -> tuple[str, ...]:
        if isinstance(answer, list):
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                "a single-choice item has one answer; use type: multiple for several",
            )
            return ()
        if answer not in keys:
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                f"the answer {answer!r} is not among the options ({', '.join(keys)})",
            )
            return ()
        return (answer,)

    def _multiple_answer(
        self, doc: Doc, path: tuple[Any, ...], answer: Any, keys: list[str]
    ) -> tuple[str, ...]:
        if not isinstance(answer, list) or not answer:
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                "a multiple-response item needs a list of correct options, e.g. [a, c]",
            )
            return ()
        missing = [a for a in answer if a not in keys]
        if missing:
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                f"the answer {missing!r} is not among the options ({', '.join(keys)})",
            )
            return ()
        if len(set(answer)) == len(keys):
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                "every option is correct; a multiple-response item needs a wrong option too",
            )
            return ()
        return tuple(sorted(set(answer)))
