"""A program's supervision rules in content/programs/ID.yaml: who may supervise
(``supervisors``), how often supervision happens (``supervision_cadence``) and the competency
evaluation forms (``evaluations``). Part of the program checker."""

from __future__ import annotations

from typing import Any

from trainer.domain.content.checker import Checker, Doc, as_list
from trainer.domain.content.model import (
    Cadence,
    EvaluationForm,
    EvaluationSpec,
    Qualifying,
    SupervisorRule,
)


class SupervisionChecker(Checker):
    def _supervisors(self, doc: Doc, raw: Any) -> SupervisorRule | None:
        """Who may sign off hours: ``source`` (the rule's citation, in words) and
        ``options``, each a credential type with ``min_months`` held and whether
        ``supervision_training`` is required. Absent: any linked supervisor may."""
        if raw is None:
            return None
        if not self.keys(doc, ("supervisors",), raw, {"source", "options"}, what="supervisors"):
            return None
        source = self.text(doc, ("supervisors", "source"), raw.get("source"), "source")
        options = []
        for i, o in enumerate(as_list(self, doc, ("supervisors", "options"), raw.get("options"))):
            at = ("supervisors", "options", i)
            if not self.keys(
                doc, at, o, {"credential"}, {"min_months", "supervision_training"}, "an option"
            ):
                continue
            credential = self.vocabulary(
                doc,
                (*at, "credential"),
                o.get("credential"),
                self.taxonomy.credentials,
                "supervisor credential",
            )
            months = self.integer(doc, (*at, "min_months"), o.get("min_months", 0), "min_months", 0)
            training = o.get("supervision_training", False)
            if not isinstance(training, bool):
                self.add(doc.rel, doc.line(*at, "supervision_training"), "must be true or false")
                continue
            if credential and months is not None:
                options.append(Qualifying(credential, months, training))
        if not source or not options:
            return None
        return SupervisorRule(source, tuple(options))

    def _cadence(self, doc: Doc, raw: Any) -> Cadence | None:
        """How often supervision sessions must happen: ``sessions_per_month``, whether they
        must be ``in_person``, and ``one_at_least_minutes`` long; ``source`` cites it."""
        if raw is None:
            return None
        at = ("supervision_cadence",)
        optional = {"in_person", "one_at_least_minutes"}
        if not self.keys(doc, at, raw, {"source", "sessions_per_month"}, optional, "a cadence"):
            return None
        source = self.text(doc, (*at, "source"), raw.get("source"), "source")
        per_month = self.integer(
            doc, (*at, "sessions_per_month"), raw.get("sessions_per_month"), "sessions_per_month", 1
        )
        minutes = self.integer(
            doc,
            (*at, "one_at_least_minutes"),
            raw.get("one_at_least_minutes", 0),
            "one_at_least_minutes",
            0,
            480,
        )
        in_person = raw.get("in_person", False)
        if not isinstance(in_person, bool):
            self.add(doc.rel, doc.line(*at, "in_person"), "'in_person' must be true or false")
            return None
        if not source or per_month is None or minutes is None:
            return None
        return Cadence(source, per_month, in_person, minutes)

    def _evaluations(self, doc: Doc, raw: Any) -> EvaluationSpec | None:
        """Competency evaluation forms: ``source``, ``scale`` (level: words, from 1 up),
        ``competencies`` (taxonomy ids) and ``forms`` (id, title, due_share, required_level)."""
        if raw is None:
            return None
        at = ("evaluations",)
        keys = {"source", "scale", "competencies", "forms"}
        if not self.keys(doc, at, raw, keys, what="evaluations"):
            return None
        source = self.text(doc, (*at, "source"), raw.get("source"), "source")
        scale = raw.get("scale")
        if (
            not isinstance(scale, dict)
            or not scale
            or any(
                isinstance(k, bool) or not isinstance(k, int) or not isinstance(v, str)
                for k, v in scale.items()
            )
        ):
            self.add(doc.rel, doc.line(*at, "scale"), "'scale' must map levels 1, 2, ... to words")
            scale = {}
        competencies = self.vocab_list(
            doc,
            (*at, "competencies"),
            raw.get("competencies"),
            self.taxonomy.competencies,
            "competency",
            "competencies",
        )
        forms = [
            self._evaluation_form(doc, (*at, "forms", i), f, max(scale, default=0))
            for i, f in enumerate(as_list(self, doc, (*at, "forms"), raw.get("forms")))
        ]
        if not source or not scale or not competencies or None in forms or not forms:
            return None
        ordered = tuple(sorted(scale.items()))
        return EvaluationSpec(source, ordered, tuple(competencies), tuple(f for f in forms if f))

    def _evaluation_form(
        self, doc: Doc, at: tuple[Any, ...], raw: Any, top: int
    ) -> EvaluationForm | None:
        if not self.keys(doc, at, raw, {"id", "title"}, {"due_share", "required_level"}, "a form"):
            return None
        fid = self.ident(doc, (*at, "id"), raw.get("id"))
        title = self.text(doc, (*at, "title"), raw.get("title"), "title")
        share = raw.get("due_share", 1.0)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            self.add(doc.rel, doc.line(*at, "due_share"), "'due_share' must be from 0 to 1")
            return None
        level = self.integer(
            doc, (*at, "required_level"), raw.get("required_level", 0), "required_level", 0, top
        )
        if not fid or not title or level is None:
            return None
        return EvaluationForm(fid, title, float(share), level)
