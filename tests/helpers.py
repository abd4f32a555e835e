"""Helpers the tests share (not fixtures): hand-made finding tests."""

from scipy import stats

from wijkstudie.study import evidence as ev
from wijkstudie.study import findings as fd


def finding_test(
    finding="F3",
    label="a",
    ci=(0.1, 0.5),
    *,
    sample="rotterdam-wijkprofiel 2014 · Rotterdam (GM0599)",
    evidence=ev.DIRECT,
    kind="real",
    scope="Rotterdam (GM0599)",
    estimator="weighted regression",
    outcome="pct_active_for_neighbourhood",
    term="pct_owner_occupied",
    areas="all areas",
    spec="",
    sign=1,
    se=None,
    p=None,
    **kw,
):
    """A FindingTest on the standardised scale with a normal interval ``ci`` (its standard error and p-value
    follow from it unless given); a Rotterdam direct-survey test of F3 unless told otherwise."""
    estimate = sum(ci) / 2
    se = (ci[1] - ci[0]) / (2 * 1.96) if se is None else se
    if p is None:
        p = float(2 * stats.norm.sf(abs(estimate / se)))
    return fd.FindingTest(
        finding=finding,
        label=label,
        estimate=estimate,
        ci_low=ci[0],
        ci_high=ci[1],
        expected_sign=sign,
        measure="standardised coefficient",
        std_error=se,
        p_value=p,
        outcome=outcome,
        term=term,
        estimator=estimator,
        areas=areas,
        spec=spec,
        evidence=evidence,
        sample=sample,
        data_kind=kind,
        scope=scope,
        level="wijk",
        n=71,
        **kw,
    )
