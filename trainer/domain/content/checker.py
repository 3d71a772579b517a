"""What every content file's check shares: the located YAML of one file (``Doc``), the
problem list with ``path:line`` places, and the small validators (keys, text, numbers, ids,
taxonomy words, references). ``Checker`` is the base of one checker class per file kind:
``modules.ModuleChecker``, ``items.ItemChecker``, ``programs.ProgramChecker``."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from trainer.domain.content import yamlsrc
from trainer.domain.content.model import Problem, Reference, Taxonomy

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
OPTION_KEYS = "abcdef"
USES = ("quiz", "exam", "both", "practice")
RAW_HTML_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")
REFERENCE_KEYS = {"title", "publisher"}
REFERENCE_OPTIONAL = {"year", "url", "note"}


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


class Doc:
    """One file being checked: its display path and located YAML."""

    def __init__(self, rel: str, located: yamlsrc.Located) -> None:
        self.rel = rel
        self.loc = located

    def line(self, *path: Any) -> int:
        return self.loc.line(*path)


class Checker:
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
        doc: Doc,
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

    def text(self, doc: Doc, path: tuple[Any, ...], value: Any, name: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(doc.rel, doc.line(*path), f"'{name}' must be non-empty text")
            return None
        return value.strip()

    def integer(
        self,
        doc: Doc,
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

    def number(self, doc: Doc, path: tuple[Any, ...], value: Any, name: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.add(doc.rel, doc.line(*path), f"'{name}' must be a number of at least 0")
            return None
        return float(value)

    def ident(self, doc: Doc, path: tuple[Any, ...], value: Any, name: str = "id") -> str | None:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.add(
                doc.rel,
                doc.line(*path),
                f"'{name}' must be lowercase letters, digits and hyphens, not {value!r}",
            )
            return None
        return value

    def vocabulary(
        self, doc: Doc, path: tuple[Any, ...], value: Any, vocab: dict[str, str], kind: str
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
        doc: Doc,
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
        doc: Doc,
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

    def load_yaml(self, path: Path, text: str | None = None, offset: int = 0) -> Doc | None:
        rel = self.rel(path)
        try:
            raw = path.read_text(encoding="utf-8") if text is None else text
        except UnicodeDecodeError:
            self.add(rel, 1, "file is not UTF-8 text")
            return None
        try:
            return Doc(rel, yamlsrc.load(raw, offset))
        except yamlsrc.YamlError as error:
            self.add(rel, error.line, error.message)
            return None

    def references(
        self, doc: Doc, path: tuple[Any, ...], value: Any, name: str
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
        if not self.keys(doc, (), doc.loc.data, parts, {"credentials"}, what="taxonomy"):
            return
        found: dict[str, dict[str, str]] = {}
        for part in sorted(parts | {"credentials"}):
            if part == "credentials" and part not in doc.loc.data:
                found[part] = {}  # optional: only programs with supervisor rules need it
                continue
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
            found["domains"],
            found["topics"],
            found["competencies"],
            found["settings"],
            found["credentials"],
        )


def opt_text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def as_list(checker: Checker, doc: Doc, path: tuple[Any, ...], value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        checker.add(doc.rel, doc.line(*path), f"'{path[-1]}' must be a list")
        return []
    return value
