"""Credential programs (``content/programs/ID.yaml``): the requirements as data, checked
against the modules (education credit) and the item bank (the exam blueprint)."""

from __future__ import annotations

import re
from typing import Any

from trainer.domain.content.checker import Doc, as_list
from trainer.domain.content.model import (
    Attestation,
    DocumentSpec,
    ExamSpec,
    Item,
    Module,
    Program,
)
from trainer.domain.content.supervision import SupervisionChecker

PROGRAM_KEYS = {
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
PROGRAM_OPTIONAL = {
    "attestations",
    "documents",
    "renewal",
    "supervisors",
    "supervision_cadence",
    "evaluations",
}


class ProgramChecker(SupervisionChecker):
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
        self, doc: Doc, stem: str, modules: dict[str, Module], pool: dict[str, int]
    ) -> Program | None:
        p = doc.loc.data
        if not self.keys(doc, (), p, PROGRAM_KEYS, PROGRAM_OPTIONAL, "a program"):
            return None
        pid = self.ident(doc, ("id",), p.get("id"))
        if pid and pid != stem:
            self.add(doc.rel, doc.line("id"), f"id '{pid}' does not match the file name ('{stem}')")
        code, name = self._jurisdiction(doc, p.get("jurisdiction"))
        module_ids = self._program_modules(doc, p.get("modules"), modules)
        edu_total, edu_topics = self._education(doc, p, modules, module_ids)
        exam = self.exam(doc, p.get("exam"), pool)
        sup_total, sup_categories, sup_supervision = self._supervised(
            doc, p.get("supervised_hours")
        )
        attestations = self._attestations(doc, p.get("attestations"))
        documents = self._documents(doc, p.get("documents"))
        ce_hours, ce_topics = self._renewal(doc, p.get("renewal") or {})
        prior_days, reading_share = self._limits(doc, p)
        found: dict[str, Any] = {
            "id": pid,
            "title": self.text(doc, ("title",), p.get("title"), "title"),
            "credential": self.text(doc, ("credential",), p.get("credential"), "credential"),
            "abbreviation": self.text(
                doc, ("abbreviation",), p.get("abbreviation"), "abbreviation"
            ),
            "number_prefix": self._number_prefix(doc, p.get("number_prefix")),
            "jurisdiction": code,
            "jurisdiction_name": name,
            "issuing_authority": self.text(
                doc, ("issuing_authority",), p.get("issuing_authority"), "issuing_authority"
            ),
            "issuance": self._issuance(doc, p.get("issuance")),
            "summary": self.text(doc, ("summary",), p.get("summary"), "summary"),
            "modules": module_ids,
            "education_hours": edu_total,
            "exam": exam,
            "supervised_hours": sup_total,
            "supervision_hours": sup_supervision,
            "validity_months": self.integer(
                doc, ("validity_months",), p.get("validity_months"), "validity_months", low=1
            ),
            "sources": self.references(doc, ("sources",), p.get("sources"), "sources"),
        }
        if any(v is None or v == [] for v in found.values()):
            return None
        return Program(
            **{**found, "modules": tuple(module_ids)},
            education_topics=edu_topics,
            supervised_categories=sup_categories,
            attestations=tuple(attestations),
            documents=tuple(documents),
            renewal_ce_hours=ce_hours,
            renewal_topics=ce_topics,
            prior_work_days=prior_days,
            min_reading_share=reading_share,
            supervisors=self._supervisors(doc, p.get("supervisors")),
            supervision_cadence=self._cadence(doc, p.get("supervision_cadence")),
            evaluations=self._evaluations(doc, p.get("evaluations")),
            path=doc.rel,
        )

    def _limits(self, doc: Doc, p: dict[str, Any]) -> tuple[int, float]:
        """The optional limits: days before enrolment that work may be logged, and the share
        of a section's reading time to spend before it counts (both 0 when not given)."""
        days, share = 0, 0.0
        supervised, education = p.get("supervised_hours"), p.get("education")
        if isinstance(supervised, dict) and "prior_work_days" in supervised:
            days = (
                self.integer(
                    doc,
                    ("supervised_hours", "prior_work_days"),
                    supervised["prior_work_days"],
                    "supervised_hours.prior_work_days",
                    low=0,
                    high=3660,
                )
                or 0
            )
        if isinstance(education, dict) and "min_reading_share" in education:
            raw = education["min_reading_share"]
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
                self.add(
                    doc.rel,
                    doc.line("education", "min_reading_share"),
                    "'education.min_reading_share' must be a number from 0 to 1, e.g. 0.5",
                )
            else:
                share = float(raw)
        return days, share

    def _issuance(self, doc: Doc, issuance: Any) -> str | None:
        if issuance in ("automatic", "review"):
            return str(issuance)
        self.add(doc.rel, doc.line("issuance"), "'issuance' must be automatic or review")
        return None

    def _number_prefix(self, doc: Doc, prefix: Any) -> str | None:
        if isinstance(prefix, str) and re.match(r"^[A-Z0-9]+(-[A-Z0-9]+)*$", prefix):
            return prefix
        self.add(
            doc.rel,
            doc.line("number_prefix"),
            "'number_prefix' must be capital letters, digits and hyphens, e.g. KY-PSS",
        )
        return None

    def _jurisdiction(self, doc: Doc, jurisdiction: Any) -> tuple[str | None, str | None]:
        """The jurisdiction's code (KY) and name."""
        if not self.keys(
            doc, ("jurisdiction",), jurisdiction, {"code", "name"}, set(), "jurisdiction"
        ):
            return None, None
        code = jurisdiction.get("code")
        if not isinstance(code, str) or not re.match(r"^[A-Z][A-Z0-9-]{1,7}$", code):
            self.add(
                doc.rel,
                doc.line("jurisdiction", "code"),
                "the jurisdiction code is a short capitalised code such as KY",
            )
            code = None
        return code, self.text(doc, ("jurisdiction", "name"), jurisdiction.get("name"), "name")

    def _program_modules(self, doc: Doc, raw: Any, modules: dict[str, Module]) -> list[str]:
        """The required modules, in order; unknown and repeated ones are reported."""
        module_ids: list[str] = []
        if not isinstance(raw, list) or not raw:
            self.add(doc.rel, doc.line("modules"), "'modules' must list at least one module id")
            return module_ids
        for i, mid in enumerate(raw):
            if mid not in modules:
                self.add(doc.rel, doc.line("modules", i), f"unknown module {mid!r}")
            elif mid in module_ids:
                self.add(doc.rel, doc.line("modules", i), f"module '{mid}' is listed twice")
            else:
                module_ids.append(mid)
        return module_ids

    def _education(
        self, doc: Doc, p: dict[str, Any], modules: dict[str, Module], module_ids: list[str]
    ) -> tuple[float | None, dict[str, Any]]:
        """Education hours, in total and per topic, which the required modules must credit."""
        education: Any = p.get("education")
        if not self.keys(
            doc,
            ("education",),
            education,
            {"total_hours"},
            {"topics", "min_reading_share"},
            "education",
        ):
            return None, {}
        total = self.number(
            doc, ("education", "total_hours"), education.get("total_hours"), "education.total_hours"
        )
        topics = self.hours_map(
            doc,
            ("education", "topics"),
            education.get("topics"),
            self.taxonomy.topics,
            "topic",
            "education.topics",
        )
        raw_modules = p.get("modules")
        if raw_modules and total is not None and len(module_ids) == len(raw_modules):
            self.education_covered(doc, modules, module_ids, total, topics)
        return total, topics

    def _supervised(
        self, doc: Doc, supervised: Any
    ) -> tuple[float | None, dict[str, Any], float | None]:
        """Supervised work: total hours, the minimum per category, supervision received."""
        if not self.keys(
            doc,
            ("supervised_hours",),
            supervised,
            {"total", "categories", "supervision"},
            {"prior_work_days"},
            "supervised_hours",
        ):
            return None, {}, None
        total = self.number(
            doc, ("supervised_hours", "total"), supervised.get("total"), "supervised_hours.total"
        )
        categories = self.hours_map(
            doc,
            ("supervised_hours", "categories"),
            supervised.get("categories"),
            self.taxonomy.domains,
            "domain",
            "supervised_hours.categories",
        )
        if not categories:
            self.add(
                doc.rel,
                doc.line("supervised_hours", "categories"),
                "'categories' must name at least one hours category",
            )
        supervision = self.number(
            doc,
            ("supervised_hours", "supervision"),
            supervised.get("supervision"),
            "supervised_hours.supervision",
        )
        return total, categories, supervision

    def _attestations(self, doc: Doc, raw: Any) -> list[Attestation]:
        attestations = []
        for i, a in enumerate(as_list(self, doc, ("attestations",), raw)):
            if self.keys(doc, ("attestations", i), a, {"id", "text"}, set(), "an attestation"):
                aid = self.ident(doc, ("attestations", i, "id"), a.get("id"))
                text = self.text(doc, ("attestations", i, "text"), a.get("text"), "text")
                if aid and text:
                    attestations.append(Attestation(aid, text))
        return attestations

    def _documents(self, doc: Doc, raw: Any) -> list[DocumentSpec]:
        documents = []
        for i, d in enumerate(as_list(self, doc, ("documents",), raw)):
            if self.keys(doc, ("documents", i), d, {"id", "title"}, {"count"}, "a document"):
                did = self.ident(doc, ("documents", i, "id"), d.get("id"))
                dtitle = self.text(doc, ("documents", i, "title"), d.get("title"), "title")
                count = self.integer(doc, ("documents", i, "count"), d.get("count", 1), "count", 1)
                if did and dtitle and count:
                    documents.append(DocumentSpec(did, dtitle, count))
        return documents

    def _renewal(self, doc: Doc, renewal: Any) -> tuple[float, dict[str, Any]]:
        """Continuing education to renew: hours, and per topic (none when not given)."""
        if not renewal or not self.keys(
            doc, ("renewal",), renewal, {"ce_hours"}, {"topics"}, "renewal"
        ):
            return 0.0, {}
        hours = self.number(
            doc, ("renewal", "ce_hours"), renewal.get("ce_hours"), "renewal.ce_hours"
        )
        topics = self.hours_map(
            doc,
            ("renewal", "topics"),
            renewal.get("topics"),
            self.taxonomy.topics,
            "topic",
            "renewal.topics",
        )
        return hours or 0.0, topics

    def education_covered(
        self,
        doc: Doc,
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

    def exam(self, doc: Doc, raw: Any, pool: dict[str, int]) -> ExamSpec | None:
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
