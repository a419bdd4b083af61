"""Synthetic case records for tests, demos and benchmarks: realistic in shape, deterministic for a seed.

Nothing here describes real people; names, places and numbers are drawn from small built-in lists.
"""

from dutycare.adapters.importers.jsonlines import RECORDS_FORMAT, RECORDS_FORMAT_VERSION
from dutycare.synth.generator import SynthStats, generate, write_jsonl

__all__ = ["RECORDS_FORMAT", "RECORDS_FORMAT_VERSION", "SynthStats", "generate", "write_jsonl"]
