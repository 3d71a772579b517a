"""Read content/ into a ContentTree, reporting every mistake as ``path:line: message``.

``parse_tree`` never stops at the first mistake: it keeps going so an author sees them all in
one run. A tree with any problem is not returned (``None``), so nothing half-checked can load.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from trainer.domain.content import yamlsrc
from trainer.domain.content.model import (
    Attestation,
    ContentTree,
    DocumentSpec,
    ExamSpec,
    Item,
    Module,
    Option,
    Problem,
    Program,
    Reference,
    Section,
    Taxonomy,
)
from trainer.domain.questions import TRUEFALSE_OPTIONS, TYPES

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_FILE_RE = re.compile(r"^(\d+)-([a-z0-9-]+)\.md$")
OPTION_KEYS = "abcdef"
USES = ("quiz", "exam", "both")
RAW_HTML_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")
LINK_RE = re.compile(r"\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?(?:\s+\"[^\"]*\")?\s*\)")
WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
BANNED_OPTIONS = ("all of the above", "none of the above")

MODULE_KEYS = {
    "id",
    "title",
    "order",
    "summary",
    "objectives",
    "competencies",
    "credit",
    "references",
}
MODULE_OPTIONAL = {"quiz"}
REFERENCE_KEYS = {"title", "publisher"}
REFERENCE_OPTIONAL = {"year", "url", "note"}
ITEM_KEYS = {"id", "type", "stem", "answer", "rationale", "competencies"}
ITEM_OPTIONAL = {"options", "feedback"}
SCENARIO_KEYS = {"id", "domain", "use", "vignette", "items"}


def slugify(heading: str) -> str:
    """A section's anchor: ``## Harm reduction`` -> ``harm-reduction``."""
    text = re.sub(r"[`*_\[\]()]", "", heading).strip().lower()
    text = re.sub(r"[^a-z0-9\s-]", "", text)
    return re.sub(r"[\s-]+", "-", text).strip("-")


def content_files(root: Path) -> list[Path]:
    """The files that make up a release (README.md and other notes are not content)."""
    files = [root / "taxonomy.yaml"] if (root / "taxonomy.yaml").exists() else []
    for sub in ("modules", "items", "programs"):
        if (root / sub).is_dir():
            files += sorted(
                p
                for p in (root / sub).iterdir()
                if p.is_file() and not p.name.startswith(".") and p.name != "README.md"
            )
    return files


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in content_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


class _Doc:
    """One file being checked: its display path and located YAML."""

    def __init__(self, rel: str, located: yamlsrc.Located) -> None:
        self.rel = rel
        self.loc = located

    def line(self, *path: Any) -> int:
        return self.loc.line(*path)


class _Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.taxonomy = Taxonomy({}, {}, {}, {})

    # -- reporting and small validators -------------------------------------------------------
    def add(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(rel, line, message))

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def keys(
        self,
        doc: _Doc,
        path: tuple[Any, ...],
        value: Any,
        required: set[str],
        optional: set[str] | frozenset[str] = frozenset(),
        what: str = "",
    ) -> bool:
        """Check ``value`` is a mapping with exactly the allowed keys; report each wrong one."""
        if not isinstance(value, dict):
            self.add(doc.rel, doc.line(*path), f"{what or 'this'} must be a mapping of keys")
            return False
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join(sorted(required | set(optional)))
                self.add(
                    doc.rel,
                    doc.line(*path, key),
                    f"unknown key '{key}'{' in ' + what if what else ''} (allowed: {allowed})",
                )
        for key in sorted(required - set(value)):
            self.add(
                doc.rel, doc.line(*path), f"missing key '{key}'{' in ' + what if what else ''}"
            )
        return True

    def text(self, doc: _Doc, path: tuple[Any, ...], value: Any, name: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(doc.rel, doc.line(*path), f"'{name}' must be non-empty text")
            return None
        return value.strip()

    def integer(
        self,
        doc: _Doc,
        path: tuple[Any, ...],
        value: Any,
        name: str,
        low: int = 0,
        high: int | None = None,
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(doc.rel, doc.line(*path), f"'{name}' must be a whole number")
            return None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.add(doc.rel, doc.line(*path), f"'{name}' must be {bound}, not {value}")
            return None
        return value

    def number(self, doc: _Doc, path: tuple[Any, ...], value: Any, name: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.add(doc.rel, doc.line(*path), f"'{name}' must be a number of at least 0")
            return None
        return float(value)

    def ident(self, doc: _Doc, path: tuple[Any, ...], value: Any, name: str = "id") -> str | None:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.add(
                doc.rel,
                doc.line(*path),
                f"'{name}' must be lowercase letters, digits and hyphens, not {value!r}",
            )
            return None
        return value

    def vocabulary(
        self, doc: _Doc, path: tuple[Any, ...], value: Any, vocab: dict[str, str], kind: str
    ) -> str | None:
        if not isinstance(value, str) or value not in vocab:
            self.add(
                doc.rel,
                doc.line(*path),
                f"unknown {kind} {value!r} (known: {', '.join(sorted(vocab))})",
            )
            return None
        return value

    def vocab_list(
        self,
        doc: _Doc,
        path: tuple[Any, ...],
        value: Any,
        vocab: dict[str, str],
        kind: str,
        name: str,
    ) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.add(doc.rel, doc.line(*path), f"'{name}' must be a non-empty list")
            return ()
        out = [self.vocabulary(doc, (*path, i), v, vocab, kind) for i, v in enumerate(value)]
        return tuple(v for v in out if v)

    def hours_map(
        self,
        doc: _Doc,
        path: tuple[Any, ...],
        value: Any,
        vocab: dict[str, str],
        kind: str,
        name: str,
        whole: bool = False,
    ) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(doc.rel, doc.line(*path), f"'{name}' must map {kind} ids to numbers")
            return {}
        out: dict[str, Any] = {}
        for key, amount in value.items():
            if self.vocabulary(doc, (*path, key), key, vocab, kind) is None:
                continue
            n = (
                self.integer(doc, (*path, key), amount, f"{name}.{key}", low=1)
                if whole
                else self.number(doc, (*path, key), amount, f"{name}.{key}")
            )
            if n is not None:
                out[key] = n
        return out

    def load_yaml(self, path: Path, text: str | None = None, offset: int = 0) -> _Doc | None:
        rel = self.rel(path)
        try:
            raw = path.read_text(encoding="utf-8") if text is None else text
        except UnicodeDecodeError:
            self.add(rel, 1, "file is not UTF-8 text")
            return None
        try:
            return _Doc(rel, yamlsrc.load(raw, offset))
        except yamlsrc.YamlError as error:
            self.add(rel, error.line, error.message)
            return None

    def references(
        self, doc: _Doc, path: tuple[Any, ...], value: Any, name: str
    ) -> tuple[Reference, ...]:
        if not isinstance(value, list) or not value:
            self.add(doc.rel, doc.line(*path), f"'{name}' must be a non-empty list")
            return ()
        refs = []
        for i, ref in enumerate(value):
            p = (*path, i)
            if not self.keys(doc, p, ref, REFERENCE_KEYS, REFERENCE_OPTIONAL, "a reference"):
                continue
            title = self.text(doc, (*p, "title"), ref.get("title"), "title")
            publisher = self.text(doc, (*p, "publisher"), ref.get("publisher"), "publisher")
            year = ref.get("year")
            if year is not None:
                year = self.integer(doc, (*p, "year"), year, "year", 1900, 2100)
            url = ref.get("url")
            if url is not None and (
                not isinstance(url, str) or not re.match(r"^https?://\S+$", url)
            ):
                self.add(doc.rel, doc.line(*p, "url"), "'url' must be an http(s) address")
                url = None
            note = ref.get("note")
            if note is not None:
                note = self.text(doc, (*p, "note"), note, "note")
            if title and publisher:
                refs.append(Reference(title, publisher, year, url, note))
        return tuple(refs)

    # -- taxonomy -------------------------------------------------------------------------------
    def parse_taxonomy(self) -> None:
        path = self.root / "taxonomy.yaml"
        if not path.exists():
            self.add(self.rel(path), 1, "taxonomy.yaml is missing")
            return
        doc = self.load_yaml(path)
        if doc is None:
            return
        parts = {"domains", "topics", "competencies", "settings"}
        if not self.keys(doc, (), doc.loc.data, parts, what="taxonomy"):
            return
        found: dict[str, dict[str, str]] = {}
        for part in sorted(parts):
            mapping = doc.loc.data.get(part)
            if not isinstance(mapping, dict) or not mapping:
                self.add(doc.rel, doc.line(part), f"'{part}' must map ids to labels")
                found[part] = {}
                continue
            found[part] = {}
            for key, label in mapping.items():
                if self.ident(doc, (part, key), key) and self.text(doc, (part, key), label, key):
                    found[part][key] = label
        self.taxonomy = Taxonomy(
            found["domains"], found["topics"], found["competencies"], found["settings"]
        )

    # -- modules -------------------------------------------------------------------------------
    def parse_modules(self) -> dict[str, Module]:
        folder = self.root / "modules"
        modules: dict[str, Module] = {}
        orders: dict[int, str] = {}
        self.links: list[tuple[str, int, str]] = []
        if not folder.is_dir():
            self.add(self.rel(folder), 1, "the modules/ folder is missing")
            return modules
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.is_dir() or path.name == "README.md":
                continue
            match = MODULE_FILE_RE.match(path.name)
            if not match:
                self.add(self.rel(path), 1, "module files are named NN-ID.md, e.g. 01-recovery.md")
                continue
            module = self.parse_module(path, match.group(2))
            if module is None:
                continue
            if module.id in modules:
                self.add(
                    self.rel(path),
                    module.line,
                    f"duplicate module id '{module.id}' (also in {modules[module.id].path})",
                )
                continue
            if module.order and module.order in orders:
                self.add(
                    self.rel(path),
                    module.line,
                    f"order {module.order} is already used by module '{orders[module.order]}'",
                )
            orders[module.order] = module.id
            modules[module.id] = module
        return modules

    def parse_module(self, path: Path, file_id: str) -> Module | None:
        rel = self.rel(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.add(rel, 1, "file is not UTF-8 text")
            return None
        lines = text.split("\n")
        if not lines or lines[0].strip() != "---":
            self.add(rel, 1, "a module starts with YAML front matter between two '---' lines")
            return None
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            self.add(rel, 1, "the front matter is not closed by a '---' line")
            return None
        doc = self.load_yaml(path, "\n".join(lines[1:end]), offset=1)
        if doc is None:
            return None
        meta = doc.loc.data
        if not self.keys(doc, (), meta, MODULE_KEYS, MODULE_OPTIONAL, "front matter"):
            return None
        mid = self.ident(doc, ("id",), meta.get("id"))
        if mid and mid != file_id:
            self.add(rel, doc.line("id"), f"id '{mid}' does not match the file name ('{file_id}')")
        title = self.text(doc, ("title",), meta.get("title"), "title")
        order = self.integer(doc, ("order",), meta.get("order"), "order", low=1)
        summary = self.text(doc, ("summary",), meta.get("summary"), "summary")
        objectives = meta.get("objectives")
        if (
            not isinstance(objectives, list)
            or not objectives
            or not all(isinstance(o, str) and o.strip() for o in objectives)
        ):
            self.add(rel, doc.line("objectives"), "'objectives' must be a non-empty list of text")
            objectives = []
        competencies = self.vocab_list(
            doc,
            ("competencies",),
            meta.get("competencies"),
            self.taxonomy.competencies,
            "competency",
            "competencies",
        )
        credit = self.hours_map(
            doc,
            ("credit",),
            meta.get("credit"),
            self.taxonomy.topics,
            "topic",
            "credit",
            whole=True,
        )
        if not credit and "credit" in meta:
            self.add(rel, doc.line("credit"), "'credit' must give minutes for at least one topic")
        references = self.references(doc, ("references",), meta.get("references"), "references")
        quiz_items, quiz_pass = 5, 80
        if "quiz" in meta and self.keys(
            doc, ("quiz",), meta["quiz"], set(), {"items", "pass_percent"}, "quiz"
        ):
            quiz_items = (
                self.integer(
                    doc, ("quiz", "items"), meta["quiz"].get("items", 5), "quiz.items", 1, 50
                )
                or 5
            )
            quiz_pass = (
                self.integer(
                    doc,
                    ("quiz", "pass_percent"),
                    meta["quiz"].get("pass_percent", 80),
                    "quiz.pass_percent",
                    1,
                    100,
                )
                or 80
            )
        sections = self.sections(rel, lines, end + 1)
        if not mid:
            return None
        # A module with other mistakes is still registered (they are reported already), so
        # its question bank and links are checked too instead of failing as "unknown module".
        return Module(
            mid,
            title or mid,
            order or 0,
            summary or "",
            tuple(o.strip() for o in objectives),
            competencies,
            credit,
            references,
            tuple(sections),
            quiz_items,
            quiz_pass,
            rel,
            1,
        )

    def sections(self, rel: str, lines: list[str], start: int) -> list[Section]:
        """Split the body at ``## `` headings; check HTML, headings and links on the way."""
        sections: list[Section] = []
        current: tuple[str, int] | None = None
        buffer: list[str] = []
        fence: str | None = None
        anchors: dict[str, int] = {}

        def close() -> None:
            if current is None:
                return
            title, line = current
            body = "\n".join(buffer).strip("\n")
            anchor = slugify(title)
            if not anchor:
                self.add(rel, line, "a section heading needs words")
            elif anchor in anchors:
                self.add(
                    rel,
                    line,
                    f"section '{title}' repeats the heading on line "
                    f"{anchors[anchor]}; headings must be unique",
                )
            elif not body.strip():
                self.add(rel, line, f"section '{title}' is empty")
            else:
                anchors[anchor] = line
                words = len(WORD_RE.findall(re.sub(r"\]\([^)]*\)", "]", body)))
                sections.append(Section(anchor, title, body, line, words))

        for index in range(start, len(lines)):
            raw = lines[index]
            number = index + 1
            stripped = raw.strip()
            if fence:
                if stripped.startswith(fence):
                    fence = None
                buffer.append(raw)
                continue
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                buffer.append(raw)
                continue
            if raw.startswith("## "):
                close()
                current = (raw[3:].strip(), number)
                buffer = []
                continue
            if raw.startswith("# "):
                self.add(
                    rel,
                    number,
                    "use '## ' for section headings; the title comes from the front matter",
                )
                continue
            if current is None:
                if stripped:
                    self.add(
                        rel, number, "text before the first '## ' heading belongs in a section"
                    )
                continue
            without_code = re.sub(r"`[^`]*`", "", raw)
            if RAW_HTML_RE.search(without_code):
                self.add(rel, number, "raw HTML is not allowed in a module; use Markdown")
            for target in LINK_RE.findall(without_code):
                if target.lower().startswith(("javascript:", "data:", "vbscript:")):
                    self.add(rel, number, f"link to '{target}' is not allowed")
                elif target.startswith("module:"):
                    self.links.append((rel, number, target))
            buffer.append(raw)
        close()
        if not sections:
            self.add(rel, max(1, start), "a module needs at least one '## ' section")
        return sections

    def check_links(self, modules: dict[str, Module]) -> None:
        for rel, line, target in self.links:
            ref = target.removeprefix("module:")
            mid, _, anchor = ref.partition("#")
            module = modules.get(mid)
            if module is None:
                self.add(rel, line, f"link to unknown module '{mid}'")
            elif anchor and anchor not in {s.anchor for s in module.sections}:
                self.add(
                    rel,
                    line,
                    f"link to '{target}': module '{mid}' has no section "
                    f"'{anchor}' (sections: "
                    f"{', '.join(s.anchor for s in module.sections)})",
                )

    # -- question banks ---------------------------------------------------------------------------
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
            for i, raw in enumerate(_as_list(self, doc, ("items",), data.get("items"))):
                item = self.item(doc, ("items", i), raw, module, None)
                if item:
                    items[item.id] = item
            for s, scenario in enumerate(
                _as_list(self, doc, ("scenarios",), data.get("scenarios"))
            ):
                for item in self.scenario(doc, ("scenarios", s), scenario, module):
                    items[item.id] = item
        return items

    def claim_id(self, doc: _Doc, path: tuple[Any, ...], value: Any) -> str | None:
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

    def scenario(self, doc: _Doc, path: tuple[Any, ...], raw: Any, module: str) -> list[Item]:
        if not self.keys(doc, path, raw, SCENARIO_KEYS, set(), "a scenario"):
            return []
        sid = self.claim_id(doc, (*path, "id"), raw.get("id"))
        domain = self.vocabulary(
            doc, (*path, "domain"), raw.get("domain"), self.taxonomy.domains, "exam domain"
        )
        use = raw.get("use")
        if use not in USES:
            self.add(doc.rel, doc.line(*path, "use"), f"'use' must be one of {', '.join(USES)}")
            use = None
        vignette = self.text(doc, (*path, "vignette"), raw.get("vignette"), "vignette")
        members = _as_list(self, doc, (*path, "items"), raw.get("items"))
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
        doc: _Doc,
        path: tuple[Any, ...],
        raw: Any,
        module: str,
        scenario: tuple[Any, Any, Any, Any] | None,
    ) -> Item | None:
        required = set(ITEM_KEYS) if scenario else ITEM_KEYS | {"use", "domain"}
        if not self.keys(doc, path, raw, required, ITEM_OPTIONAL, "an item"):
            return None
        iid = self.claim_id(doc, (*path, "id"), raw.get("id"))
        qtype = raw.get("type")
        if qtype not in TYPES:
            self.add(
                doc.rel,
                doc.line(*path, "type"),
                f"unknown item type {qtype!r} (known: {', '.join(TYPES)})",
            )
            qtype = None
        if scenario:
            sid, domain, use, vignette = scenario
        else:
            sid = vignette = None
            domain = self.vocabulary(
                doc, (*path, "domain"), raw.get("domain"), self.taxonomy.domains, "exam domain"
            )
            use = raw.get("use")
            if use not in USES:
                self.add(doc.rel, doc.line(*path, "use"), f"'use' must be one of {', '.join(USES)}")
                use = None
        competencies = self.vocab_list(
            doc,
            (*path, "competencies"),
            raw.get("competencies"),
            self.taxonomy.competencies,
            "competency",
            "competencies",
        )
        stem = self.text(doc, (*path, "stem"), raw.get("stem"), "stem")
        rationale = self.text(doc, (*path, "rationale"), raw.get("rationale"), "rationale")
        options, answer = self.options_and_answer(doc, path, raw, qtype)
        if stem:
            # Scenario items may share a short question ("What should she do first?") when
            # their vignettes differ: the question a person reads is vignette plus stem.
            norm = re.sub(r"\s+", " ", f"{scenario[3] if scenario else ''} {stem}").lower()
            if norm in self.stems:
                self.add(
                    doc.rel,
                    doc.line(*path, "stem"),
                    f"this stem repeats the stem of item {self.stems[norm]}",
                )
            else:
                self.stems[norm] = iid or "?"
        if not (iid and qtype and domain and use and stem and rationale and options and answer):
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
        )

    def options_and_answer(
        self, doc: _Doc, path: tuple[Any, ...], raw: dict[str, Any], qtype: str | None
    ) -> tuple[tuple[Option, ...], tuple[str, ...]]:
        answer = raw.get("answer")
        feedback = raw.get("feedback") or {}
        if not isinstance(feedback, dict):
            self.add(
                doc.rel, doc.line(*path, "feedback"), "'feedback' must map option keys to text"
            )
            feedback = {}
        if qtype == "truefalse":
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
                Option(k, label, _opt_text(feedback.get(k, feedback.get(k == "true"))))
                for k, label in TRUEFALSE_OPTIONS
            )
            return opts, ("true" if answer else "false",)
        if qtype is None:
            return (), ()
        raw_options = raw.get("options")
        if not isinstance(raw_options, dict):
            self.add(
                doc.rel,
                doc.line(*path, "options" if "options" in raw else "id"),
                "'options' must map keys a-f to the option text",
            )
            return (), ()
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
            options.append(Option(key, text_value, _opt_text(feedback.get(key))))
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
        if qtype == "single":
            if isinstance(answer, list):
                self.add(
                    doc.rel,
                    doc.line(*path, "answer"),
                    "a single-choice item has one answer; use type: multiple for several",
                )
                return tuple(options), ()
            if answer not in keys:
                self.add(
                    doc.rel,
                    doc.line(*path, "answer"),
                    f"the answer {answer!r} is not among the options ({', '.join(keys)})",
                )
                return tuple(options), ()
            return tuple(options), (answer,)
        # multiple response
        if not isinstance(answer, list) or not answer:
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                "a multiple-response item needs a list of correct options, e.g. [a, c]",
            )
            return tuple(options), ()
        missing = [a for a in answer if a not in keys]
        if missing:
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                f"the answer {missing!r} is not among the options ({', '.join(keys)})",
            )
            return tuple(options), ()
        if len(set(answer)) == len(keys):
            self.add(
                doc.rel,
                doc.line(*path, "answer"),
                "every option is correct; a multiple-response item needs a wrong option too",
            )
            return tuple(options), ()
        return tuple(options), tuple(sorted(set(answer)))

    # -- programs ----------------------------------------------------------------------------------
    def parse_programs(
        self, modules: dict[str, Module], items: dict[str, Item]
    ) -> dict[str, Program]:
        folder = self.root / "programs"
        programs: dict[str, Program] = {}
        if not folder.is_dir():
            self.add(self.rel(folder), 1, "the programs/ folder is missing")
            return programs
        pool: dict[str, int] = {}
        for item in items.values():
            if item.in_exam:
                pool[item.domain] = pool.get(item.domain, 0) + 1
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.is_dir() or path.name == "README.md":
                continue
            if path.suffix != ".yaml":
                self.add(self.rel(path), 1, "programs are named PROGRAM-ID.yaml")
                continue
            doc = self.load_yaml(path)
            if doc is None:
                continue
            program = self.program(doc, path.stem, modules, pool)
            if program is None:
                continue
            if program.id in programs:
                self.add(doc.rel, doc.line("id"), f"duplicate program id '{program.id}'")
                continue
            programs[program.id] = program
        return programs

    def program(
        self, doc: _Doc, stem: str, modules: dict[str, Module], pool: dict[str, int]
    ) -> Program | None:
        p = doc.loc.data
        required = {
            "id",
            "title",
            "credential",
            "abbreviation",
            "number_prefix",
            "jurisdiction",
            "issuing_authority",
            "issuance",
            "summary",
            "modules",
            "education",
            "exam",
            "supervised_hours",
            "validity_months",
            "sources",
        }
        if not self.keys(
            doc, (), p, required, {"attestations", "documents", "renewal"}, "a program"
        ):
            return None
        pid = self.ident(doc, ("id",), p.get("id"))
        if pid and pid != stem:
            self.add(doc.rel, doc.line("id"), f"id '{pid}' does not match the file name ('{stem}')")
        title = self.text(doc, ("title",), p.get("title"), "title")
        credential = self.text(doc, ("credential",), p.get("credential"), "credential")
        abbreviation = self.text(doc, ("abbreviation",), p.get("abbreviation"), "abbreviation")
        prefix = p.get("number_prefix")
        if not isinstance(prefix, str) or not re.match(r"^[A-Z0-9]+(-[A-Z0-9]+)*$", prefix):
            self.add(
                doc.rel,
                doc.line("number_prefix"),
                "'number_prefix' must be capital letters, digits and hyphens, e.g. KY-PSS",
            )
            prefix = None
        jurisdiction = p.get("jurisdiction")
        code = name = None
        if self.keys(doc, ("jurisdiction",), jurisdiction, {"code", "name"}, set(), "jurisdiction"):
            code = jurisdiction.get("code")
            if not isinstance(code, str) or not re.match(r"^[A-Z][A-Z0-9-]{1,7}$", code):
                self.add(
                    doc.rel,
                    doc.line("jurisdiction", "code"),
                    "the jurisdiction code is a short capitalised code such as KY",
                )
                code = None
            name = self.text(doc, ("jurisdiction", "name"), jurisdiction.get("name"), "name")
        authority = self.text(
            doc, ("issuing_authority",), p.get("issuing_authority"), "issuing_authority"
        )
        issuance = p.get("issuance")
        if issuance not in ("automatic", "review"):
            self.add(doc.rel, doc.line("issuance"), "'issuance' must be automatic or review")
            issuance = None
        summary = self.text(doc, ("summary",), p.get("summary"), "summary")
        module_ids: list[str] = []
        raw_modules = p.get("modules")
        if not isinstance(raw_modules, list) or not raw_modules:
            self.add(doc.rel, doc.line("modules"), "'modules' must list at least one module id")
        else:
            for i, mid in enumerate(raw_modules):
                if mid not in modules:
                    self.add(doc.rel, doc.line("modules", i), f"unknown module {mid!r}")
                elif mid in module_ids:
                    self.add(doc.rel, doc.line("modules", i), f"module '{mid}' is listed twice")
                else:
                    module_ids.append(mid)
        topics = self.taxonomy.topics
        domains = self.taxonomy.domains
        education = p.get("education")
        edu_total, edu_topics = None, {}
        if self.keys(doc, ("education",), education, {"total_hours"}, {"topics"}, "education"):
            edu_total = self.number(
                doc,
                ("education", "total_hours"),
                education.get("total_hours"),
                "education.total_hours",
            )
            edu_topics = self.hours_map(
                doc,
                ("education", "topics"),
                education.get("topics"),
                topics,
                "topic",
                "education.topics",
            )
            if raw_modules and edu_total is not None and len(module_ids) == len(raw_modules):
                self.education_covered(doc, modules, module_ids, edu_total, edu_topics)
        exam = self.exam(doc, p.get("exam"), pool)
        supervised = p.get("supervised_hours")
        sup_total = sup_supervision = None
        sup_categories: dict[str, Any] = {}
        if self.keys(
            doc,
            ("supervised_hours",),
            supervised,
            {"total", "categories", "supervision"},
            set(),
            "supervised_hours",
        ):
            sup_total = self.number(
                doc,
                ("supervised_hours", "total"),
                supervised.get("total"),
                "supervised_hours.total",
            )
            sup_categories = self.hours_map(
                doc,
                ("supervised_hours", "categories"),
                supervised.get("categories"),
                domains,
                "domain",
                "supervised_hours.categories",
            )
            if not sup_categories:
                self.add(
                    doc.rel,
                    doc.line("supervised_hours", "categories"),
                    "'categories' must name at least one hours category",
                )
            sup_supervision = self.number(
                doc,
                ("supervised_hours", "supervision"),
                supervised.get("supervision"),
                "supervised_hours.supervision",
            )
        attestations = []
        for i, a in enumerate(_as_list(self, doc, ("attestations",), p.get("attestations"))):
            if self.keys(doc, ("attestations", i), a, {"id", "text"}, set(), "an attestation"):
                aid = self.ident(doc, ("attestations", i, "id"), a.get("id"))
                text = self.text(doc, ("attestations", i, "text"), a.get("text"), "text")
                if aid and text:
                    attestations.append(Attestation(aid, text))
        documents = []
        for i, d in enumerate(_as_list(self, doc, ("documents",), p.get("documents"))):
            if self.keys(doc, ("documents", i), d, {"id", "title"}, {"count"}, "a document"):
                did = self.ident(doc, ("documents", i, "id"), d.get("id"))
                dtitle = self.text(doc, ("documents", i, "title"), d.get("title"), "title")
                count = self.integer(doc, ("documents", i, "count"), d.get("count", 1), "count", 1)
                if did and dtitle and count:
                    documents.append(DocumentSpec(did, dtitle, count))
        validity = self.integer(
            doc, ("validity_months",), p.get("validity_months"), "validity_months", low=1
        )
        renewal = p.get("renewal") or {}
        ce_hours, ce_topics = 0.0, {}
        if renewal and self.keys(doc, ("renewal",), renewal, {"ce_hours"}, {"topics"}, "renewal"):
            ce_hours = (
                self.number(
                    doc, ("renewal", "ce_hours"), renewal.get("ce_hours"), "renewal.ce_hours"
                )
                or 0.0
            )
            ce_topics = self.hours_map(
                doc, ("renewal", "topics"), renewal.get("topics"), topics, "topic", "renewal.topics"
            )
        sources = self.references(doc, ("sources",), p.get("sources"), "sources")
        values = (
            pid,
            title,
            credential,
            abbreviation,
            prefix,
            code,
            name,
            authority,
            issuance,
            summary,
            module_ids,
            edu_total,
            exam,
            sup_total,
            sup_supervision,
            validity,
            sources,
        )
        if any(v is None or v == [] for v in values):
            return None
        # every value was checked just above; the asserts tell the type checker so
        assert pid is not None and title is not None and credential is not None
        assert abbreviation is not None and prefix is not None and code is not None
        assert name is not None and authority is not None and summary is not None
        assert edu_total is not None and exam is not None and sup_total is not None
        assert sup_supervision is not None and validity is not None
        return Program(
            pid,
            title,
            credential,
            abbreviation,
            prefix,
            code,
            name,
            authority,
            issuance,
            summary,
            tuple(module_ids),
            edu_total,
            edu_topics,
            exam,
            sup_total,
            sup_categories,
            sup_supervision,
            tuple(attestations),
            tuple(documents),
            validity,
            ce_hours,
            ce_topics,
            sources,
            doc.rel,
        )

    def education_covered(
        self,
        doc: _Doc,
        modules: dict[str, Module],
        module_ids: list[str],
        total: float,
        topics: dict[str, float],
    ) -> None:
        credit: dict[str, int] = {}
        for mid in module_ids:
            for topic, minutes in modules[mid].credit.items():
                credit[topic] = credit.get(topic, 0) + minutes
        have = sum(credit.values()) / 60
        if have + 1e-9 < total:
            self.add(
                doc.rel,
                doc.line("education", "total_hours"),
                f"the required modules credit {have:g} hours; the program requires {total:g}",
            )
        for topic, hours in topics.items():
            got = credit.get(topic, 0) / 60
            if got + 1e-9 < hours:
                self.add(
                    doc.rel,
                    doc.line("education", "topics", topic),
                    f"the required modules credit {got:g} hours of '{topic}'; the program "
                    f"requires {hours:g}",
                )

    def exam(self, doc: _Doc, raw: Any, pool: dict[str, int]) -> ExamSpec | None:
        keys = {
            "blueprint",
            "passing_percent",
            "time_limit_minutes",
            "attempts_allowed",
            "wait_days",
        }
        if not self.keys(doc, ("exam",), raw, keys, {"multiple_response"}, "exam"):
            return None
        blueprint = self.hours_map(
            doc,
            ("exam", "blueprint"),
            raw.get("blueprint"),
            self.taxonomy.domains,
            "domain",
            "exam.blueprint",
            whole=True,
        )
        if not blueprint:
            self.add(
                doc.rel,
                doc.line("exam", "blueprint"),
                "the blueprint must ask for items of at least one domain",
            )
        for domain, count in blueprint.items():
            if count > pool.get(domain, 0):
                self.add(
                    doc.rel,
                    doc.line("exam", "blueprint", domain),
                    f"the blueprint asks for {count} items of '{domain}' but the bank holds "
                    f"only {pool.get(domain, 0)} exam items of that domain",
                )
        passing = self.integer(
            doc,
            ("exam", "passing_percent"),
            raw.get("passing_percent"),
            "exam.passing_percent",
            1,
            100,
        )
        limit = self.integer(
            doc,
            ("exam", "time_limit_minutes"),
            raw.get("time_limit_minutes"),
            "exam.time_limit_minutes",
            1,
            24 * 60,
        )
        attempts = self.integer(
            doc,
            ("exam", "attempts_allowed"),
            raw.get("attempts_allowed"),
            "exam.attempts_allowed",
            0,
            100,
        )
        wait = self.integer(
            doc, ("exam", "wait_days"), raw.get("wait_days"), "exam.wait_days", 0, 3650
        )
        scoring = raw.get("multiple_response", "all-or-nothing")
        if scoring not in ("all-or-nothing", "partial"):
            self.add(
                doc.rel,
                doc.line("exam", "multiple_response"),
                "'multiple_response' must be all-or-nothing or partial",
            )
            return None
        if passing is None or limit is None or attempts is None or wait is None or not blueprint:
            return None
        return ExamSpec(blueprint, passing, limit, attempts, wait, scoring)


def _opt_text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _as_list(checker: _Checker, doc: _Doc, path: tuple[Any, ...], value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        checker.add(doc.rel, doc.line(*path), f"'{path[-1]}' must be a list")
        return []
    return value


def parse_tree(root: Path | str) -> tuple[ContentTree | None, list[Problem]]:
    """Parse and check a content tree. Returns (tree, []) or (None, problems sorted by place)."""
    root = Path(root).resolve()
    checker = _Checker(root)
    if not root.is_dir():
        return None, [Problem(str(root), 1, "no such content folder")]
    checker.parse_taxonomy()
    modules = checker.parse_modules()
    checker.check_links(modules)
    items = checker.parse_items(modules)
    for module in modules.values():
        quiz_pool = sum(1 for i in items.values() if i.module == module.id and i.in_quiz)
        if quiz_pool < module.quiz_items:
            checker.add(
                module.path,
                1,
                f"the quiz draws {module.quiz_items} items but the bank "
                f"holds only {quiz_pool} quiz items for this module",
            )
    programs = checker.parse_programs(modules, items)
    problems = sorted(set(checker.problems), key=lambda p: (p.path, p.line, p.message))
    if problems:
        return None, problems
    files = tuple(p.relative_to(root).as_posix() for p in content_files(root))
    return ContentTree(checker.taxonomy, modules, items, programs, tree_hash(root), files), []


def check_tree(root: Path | str) -> list[Problem]:
    return parse_tree(root)[1]
