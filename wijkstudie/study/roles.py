"""The role of a test in its finding's verdict, as a record.

What the scorecard, the finding cards and the site read (``Role.kind``, ``Role.reason``) and what they write
(``str(role)``, e.g. ``"not counted: model-implied"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RoleKind(StrEnum):
    """What a test does for its finding's verdict (the value is how the scorecard names it)."""

    PRIMARY = "primary (counted)"  # its sample's primary estimate: the sample's vote
    ROBUSTNESS = "robustness of a counted sample"  # another specification of a voting sample: its range, no vote
    METHOD_CHECK = "method check"  # synthetic data: does the method recover what was planted
    NOT_COUNTED = "not counted"  # shown, not counted (``Role.why`` says why)


class NotCounted(StrEnum):
    """Why a real-data test is shown but not counted."""

    NESTED = "nested"  # its sample lies inside another counted sample (``Role.detail``: that sample)
    NO_PRIMARY = "no primary"  # its sample has no primary specification it matches
    EVIDENCE = "evidence"  # its kind of evidence never counts (``Role.detail``: the kind)


@dataclass(frozen=True)
class Role:
    """The role of one test: its kind and, for a test not counted, why.

    Parameters
    ----------
    kind : RoleKind
        primary, robustness, method check or not counted
    why : NotCounted, optional
        for a test not counted: why
    detail : str
        the sample a nested sample lies in, or the kind of evidence that does not count

    Examples
    --------
    >>> from wijkstudie.study.roles import NotCounted, Role, RoleKind
    >>> role = Role(RoleKind.NOT_COUNTED, NotCounted.EVIDENCE, "model-implied")
    >>> str(role), role.reason
    ('not counted: model-implied', 'model-implied')
    """

    kind: RoleKind
    why: NotCounted | None = None
    detail: str = ""

    @property
    def reason(self) -> str:
        """Why a test is not counted, in words (``"part of the sample ..."``, ``"model-implied"``).

        "" for the other roles.
        """
        if self.why is NotCounted.NESTED:
            return f"part of the sample {self.detail}"
        if self.why is NotCounted.NO_PRIMARY:
            return "no primary specification for its sample"
        return str(self.detail) if self.why is NotCounted.EVIDENCE else ""

    @property
    def order(self) -> int:
        """Where rows of this role come in a finding's rows: primary, robustness, then the others."""
        return {RoleKind.PRIMARY: 0, RoleKind.ROBUSTNESS: 1}.get(self.kind, 2)

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}" if self.kind is RoleKind.NOT_COUNTED else str(self.kind)
