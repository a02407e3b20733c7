"""The judge registry: one entry per judge, defaults and identities from it, and a third judge in one file."""

from __future__ import annotations

import pytest

from verify.config import Settings
from verify.judging import registry
from verify.models import JudgeKind, Judgement, Passage

from ..conftest import FIXTURES


def test_the_builtin_judges_are_found_by_themselves():
    specs = registry.specs()
    assert specs["rules"].kind is JudgeKind.VALUES and specs["nli"].kind is JudgeKind.READING
    assert registry.default_names(Settings(judges=("rules",))) == ("rules",)
    with pytest.raises(ValueError, match="unknown judge 'oracle'"):
        registry.default_names(Settings(judges=("oracle",)))
    assert registry.identity("nli", Settings(nli_backend="torch")) != registry.identity("nli", Settings())


class NeverJudge:
    """A third judge, written as a user would: 'never' in a claim reads as a contradiction."""

    name = "never"
    kind = JudgeKind.READING

    def judge(self, pairs):
        return [Judgement(passage_id=p.id, judge=self.name, kind=self.kind,
                          contradiction=0.99 if "never" in c.text.lower() else 0.0,
                          neutral=0.01 if "never" in c.text.lower() else 1.0)
                for c, p in pairs]


def test_a_third_judge_is_one_registration_and_counts_in_the_verdict(tmp_path, monkeypatch):
    from verify.pipeline import Verifier
    from verify.retrieval.build import ensure_index
    from verify.retrieval.store import HybridRetriever

    from ..conftest import FakeEncoder, fake_thresholds

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry.specs()))  # leave the real registry as it was
    registry.register(registry.JudgeSpec(name="never", kind=JudgeKind.READING, build=lambda ctx: NeverJudge()))

    settings = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "index", judges=("rules", "never"))
    encoder = FakeEncoder()
    store, _, _ = ensure_index(settings, encoder)
    judges = registry.make_judges(settings, encoder)
    assert [j.name for j in judges] == ["rules", "never"]
    verifier = Verifier(HybridRetriever(store, encoder), judges, fake_thresholds())
    from verify.claims.extract import claims_from_lines

    [plain, never] = verifier.verify_claims(claims_from_lines(
        "Acme Robotics was founded in Berlin.\nAcme Robotics was never founded in Berlin.\n", language="en"))
    assert never.label.value == "contradicted" and plain.label.value != "contradicted"


def test_two_readings_are_averaged_and_values_take_the_strongest():
    from verify.verdicts.aggregate import _reading, _values

    a = Judgement(passage_id="p", judge="nli", entailment=0.8, neutral=0.2)
    b = Judgement(passage_id="p", judge="other", entailment=0.2, neutral=0.8)
    r = _reading([a, b])
    assert r is not None and abs(r.entailment - 0.5) < 1e-9 and r.judge == "nli+other"
    match = Judgement(passage_id="p", judge="rules", entailment=0.6, neutral=0.4)
    mismatch = Judgement(passage_id="p", judge="units", kind=JudgeKind.VALUES, contradiction=0.9, neutral=0.1)
    assert _values([match, mismatch]) is mismatch
    assert _values([a]) is None


def test_passage_for_tests_is_importable():
    assert Passage  # the models a judge module needs come from verify.models only
