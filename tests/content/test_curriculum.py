"""The real curriculum in content/: enough of it, and sound enough to run a cohort."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest


@pytest.fixture
def tree(curriculum: Any) -> Any:
    return curriculum


def test_at_least_ten_modules_of_1500_words(tree: Any) -> None:
    assert len(tree.modules) >= 10
    short = {m.id: m.words for m in tree.modules.values() if m.words < 1500}
    assert not short, short


def test_every_module_has_scenarios_reflection_summary_and_references(tree: Any) -> None:
    for module in tree.modules.values():
        titles = " | ".join(s.title.lower() for s in module.sections)
        assert "scenario" in titles, module.id
        assert "reflection" in titles, module.id
        assert "summary" in titles, module.id
        assert len(module.references) >= 3, module.id
        assert len(module.objectives) >= 3, module.id


def test_item_bank_size_and_spread(tree: Any) -> None:
    assert len(tree.items) >= 300
    per_module: dict[str, int] = {}
    for item in tree.items.values():
        per_module[item.module] = per_module.get(item.module, 0) + 1
        assert item.rationale and len(item.rationale) > 20, item.id
    assert min(per_module.values()) >= 25, per_module
    assert set(per_module) == set(tree.modules)
    assert {i.domain for i in tree.items.values()} == set(tree.taxonomy.domains)
    assert len({i.scenario for i in tree.items.values() if i.scenario}) >= 10


def test_no_two_items_share_a_stem(tree: Any) -> None:
    seen: dict[str, str] = {}
    for item in tree.items.values():
        key = re.sub(r"\s+", " ", f"{item.vignette or ''} {item.stem}").strip().lower()
        assert key not in seen, (item.id, seen.get(key))
        seen[key] = item.id


def test_no_all_or_none_of_the_above(tree: Any) -> None:
    for item in tree.items.values():
        for option in item.options:
            assert "of the above" not in option.text.lower(), item.id


def test_answer_keys_are_spread_over_the_letters(tree: Any) -> None:
    """Test-wise candidates should not be able to guess 'always b'."""
    keys: dict[str, int] = {}
    for item in tree.items.values():
        if item.type == "single":
            keys[item.answer[0]] = keys.get(item.answer[0], 0) + 1
    total = sum(keys.values())
    assert max(keys.values()) / total < 0.35, keys


def test_every_blueprint_is_satisfiable_twice_over(tree: Any) -> None:
    """Two attempts can get completely different forms: the pool holds each blueprint twice."""
    assert len(tree.programs) == 3
    for program in tree.programs.values():
        pool: dict[str, int] = {}
        for item in tree.items.values():
            if item.in_exam:
                pool[item.domain] = pool.get(item.domain, 0) + 1
        for domain, count in program.exam.blueprint.items():
            assert pool.get(domain, 0) >= 2 * count, (program.id, domain, count, pool)


def test_programs_required_modules_cover_their_education_hours(tree: Any) -> None:
    for program in tree.programs.values():
        credit: dict[str, int] = {}
        for mid in program.modules:
            for topic, minutes in tree.modules[mid].credit.items():
                credit[topic] = credit.get(topic, 0) + minutes
        assert sum(credit.values()) / 60 >= program.education_hours, program.id
        for topic, hours in program.education_topics.items():
            assert credit.get(topic, 0) / 60 >= hours, (program.id, topic)


def test_programs_model_the_published_numbers(tree: Any) -> None:
    pr = tree.programs["icrc-pr"]
    assert pr.education_hours == 46
    assert pr.education_topics == {
        "advocacy": 10,
        "mentoring-education": 10,
        "recovery-wellness": 10,
        "ethical-responsibility": 16,
    }
    assert (pr.supervised_hours, pr.supervision_hours) == (500, 25)
    assert pr.validity_months == 24 and pr.renewal_ce_hours == 20
    assert pr.renewal_topics == {"ethical-responsibility": 6}
    assert any(a.id == "code-of-ethics" for a in pr.attestations)
    radpss = tree.programs["ky-radpss"]
    assert radpss.jurisdiction == "KY"
    assert radpss.education_topics["ethical-responsibility"] == 16
    assert radpss.education_topics["domestic-violence"] == 3
    assert radpss.education_topics["hiv"] == 2
    assert (radpss.supervised_hours, radpss.supervision_hours) == (500, 25)
    assert any(d.id == "reference-letter" and d.count == 2 for d in radpss.documents)
    assert any("twelve" in a.text and "recovery" in a.text.lower() for a in radpss.attestations)
    apss = tree.programs["ky-apss"]
    assert apss.jurisdiction == "KY" and apss.education_hours == 30


def test_a_random_form_per_seed_is_possible(tree: Any) -> None:
    """Sanity check of the pool: sampling each blueprint never runs short."""
    rng = random.Random(7)
    for program in tree.programs.values():
        for domain, count in program.exam.blueprint.items():
            pool = [i.id for i in tree.items.values() if i.in_exam and i.domain == domain]
            assert len(rng.sample(pool, count)) == count
