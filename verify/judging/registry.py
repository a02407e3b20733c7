"""The judges, registered once: name -> how to build it, what kind of judgement it gives, when it runs by default.

A judge module of this package declares `JUDGE = JudgeSpec(...)` and is found here by itself; a judge from
elsewhere (a plugin, a test) calls `register(JudgeSpec(...))`. Nothing else names judges: the pipeline, CI,
the eval harness and the aggregation read this registry and each judgement's kind.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from verify.models import JudgeKind


@dataclass(frozen=True)
class JudgeContext:
    """What a judge may be built from: the settings, the retrieval encoder, the corpus's organisation names."""

    settings: Any  # verify.config.Settings
    encoder: Any = None  # verify.protocols.Encoder
    organisations: Sequence[str] = ()


@dataclass(frozen=True)
class JudgeSpec:
    name: str
    kind: JudgeKind  # VALUES: named matches and mismatches; READING: a model's probabilities
    build: Callable[[JudgeContext], Any]
    default: Callable[[Any], bool] = field(default=lambda settings: False)  # runs when no judges are named
    identity: Callable[[Any], str] = field(default=lambda settings: "")  # what its judgements depend on


_REGISTRY: dict[str, JudgeSpec] = {}
_SCANNED = False


def register(spec: JudgeSpec) -> JudgeSpec:
    """Add (or replace) a judge; returns the spec, so a module can write `JUDGE = register(JudgeSpec(...))`."""
    _REGISTRY[spec.name] = spec
    return spec


def _scan() -> None:
    global _SCANNED
    if _SCANNED:
        return
    _SCANNED = True
    import verify.judging as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        spec = getattr(module, "JUDGE", None)
        if isinstance(spec, JudgeSpec) and spec.name not in _REGISTRY:
            _REGISTRY[spec.name] = spec


def specs() -> dict[str, JudgeSpec]:
    _scan()
    return dict(_REGISTRY)


def spec(name: str) -> JudgeSpec:
    known = specs()
    if name not in known:
        raise ValueError(f"unknown judge '{name}' ({', '.join(sorted(known))})")
    return known[name]


def default_names(settings: Any) -> tuple[str, ...]:
    """The judges a run uses: the settings' own list, else every registered judge whose default holds
    (the rule judge always; the NLI judge when its model ships or is given)."""
    if settings.judges is not None:
        for name in settings.judges:
            spec(name)
        return tuple(settings.judges)
    return tuple(name for name, s in sorted(specs().items(), key=lambda kv: _ORDER.get(kv[0], 99))
                 if s.default(settings))


_ORDER = {"rules": 0, "nli": 1}  # the cheap judge first: its results decide what the costly one reads


def make_judges(settings: Any, encoder: Any = None, organisations: Sequence[str] = (),
                names: Sequence[str] | None = None) -> list[Any]:
    """The judges of `names` (default: `default_names(settings)`), built for this corpus and encoder."""
    ctx = JudgeContext(settings, encoder, tuple(organisations))
    return [spec(n).build(ctx) for n in (default_names(settings) if names is None else names)]


def identity(name: str, settings: Any) -> str:
    """`name`'s identity under `settings` (model, backend, focus...), for caches of its judgements."""
    return f"{name}:{spec(name).identity(settings)}"


def kind_of(judge: Any) -> JudgeKind:
    """A judge object's kind: its own `kind`, else its registered one (a wrapper forwards `name`)."""
    kind = getattr(judge, "kind", None)
    if isinstance(kind, JudgeKind):
        return kind
    known = specs().get(judge.name)
    return known.kind if known else JudgeKind.READING
