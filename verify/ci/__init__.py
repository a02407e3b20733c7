"""`verify ci`: checking a corpus of documents, with a result cache, baselines and exit codes.

    config.py     verify.toml / [tool.verify], found upward from the working directory
    discovery.py  which documents: paths, include/exclude globs, git's changed files
    baseline.py   findings recorded once, so that CI fails only on new ones
    cache.py      verdicts per document, judgements per judge, keyed by what they depend on
    pipeline.py   the pipeline's identity and a Verifier on demand
    run.py        the run: batches through the cached pipeline, findings, exit code
    outputs.py    the report files, written as one set
"""

from verify.ci.baseline import Baseline, baseline_text, read_baseline
from verify.ci.cache import ResultCache, judge_identity
from verify.ci.config import CiConfig, CiError, load_config
from verify.ci.discovery import discover, glob_match, repo_root
from verify.ci.pipeline import PipelineHandle, pipeline_from_settings, settings_for
from verify.ci.run import exit_code, run_ci

__all__ = ["Baseline", "CiConfig", "CiError", "PipelineHandle", "ResultCache", "baseline_text", "discover",
           "exit_code", "glob_match", "judge_identity", "load_config", "pipeline_from_settings", "read_baseline",
           "repo_root", "run_ci", "settings_for"]
