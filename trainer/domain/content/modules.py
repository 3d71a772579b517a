"""Module files (``content/modules/NN-ID.md``): YAML front matter, then ``## `` sections of
Markdown; links between modules are checked once every module is read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from trainer.domain.content.checker import RAW_HTML_RE, Checker, Doc
from trainer.domain.content.model import Module, Section

MODULE_FILE_RE = re.compile(r"^(\d+)-([a-z0-9-]+)\.md$")
LINK_RE = re.compile(r"\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?(?:\s+\"[^\"]*\")?\s*\)")
WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
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


def slugify(heading: str) -> str:
    """A section's anchor: ``## Harm reduction`` -> ``harm-reduction``."""
    text = re.sub(r"[`*_\[\]()]", "", heading).strip().lower()
    text = re.sub(r"[^a-z0-9\s-]", "", text)
    return re.sub(r"[\s-]+", "-", text).strip("-")


class ModuleChecker(Checker):
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

    def _front_matter(self, path: Path) -> tuple[Doc, list[str], int] | None:
        """The file's YAML front matter, its lines, and the index of the closing '---'."""
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
        return None if doc is None else (doc, lines, end)

    def parse_module(self, path: Path, file_id: str) -> Module | None:
        rel = self.rel(path)
        found = self._front_matter(path)
        if found is None:
            return None
        doc, lines, end = found
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
        quiz_items, quiz_pass = self._quiz_settings(doc, meta)
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

    def _quiz_settings(self, doc: Doc, meta: dict[str, Any]) -> tuple[int, int]:
        """How many items the module quiz draws and its pass mark (5 and 80 % unless set)."""
        if "quiz" not in meta or not self.keys(
            doc, ("quiz",), meta["quiz"], set(), {"items", "pass_percent"}, "quiz"
        ):
            return 5, 80
        items = self.integer(
            doc, ("quiz", "items"), meta["quiz"].get("items", 5), "quiz.items", 1, 50
        )
        passing = self.integer(
            doc,
            ("quiz", "pass_percent"),
            meta["quiz"].get("pass_percent", 80),
            "quiz.pass_percent",
            1,
            100,
        )
        return items or 5, passing or 80

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
