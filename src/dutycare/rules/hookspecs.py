"""The plug-in hooks of dutycare's rules; every rule pack, built-in or third-party, comes in through them."""

from __future__ import annotations

from collections.abc import Sequence

import pluggy

from dutycare.rules.model import RulePack

PROJECT = "dutycare"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def dutycare_rule_packs() -> Sequence[RulePack]:  # type: ignore[empty-body]
    """Return the rule packs this plug-in contributes."""
