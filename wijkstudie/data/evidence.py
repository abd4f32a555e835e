"""How a source measured its variables.

(catalogue.yaml ``measurement`` and ``measurement_models``, variables.yaml ``concept``), as the records a table's
provenance carries (``Source.measured``, ``concepts``, ``model``): stamped when a file is read, so that a model fitted
on the table knows whether its outcome is a model-based small-area estimate and which concepts that model uses
(``wijkstudie.core.evidence.judge`` decides the kind of evidence).
"""

from __future__ import annotations

from ..core.errors import DataFormatError
from ..core.evidence import MEASUREMENT_KINDS
from ..core.provenance import Source
from . import variables as vardict
from .catalogue import datasets


def measurement(source: Source, variable: str) -> tuple[str, dict | None]:
    """How ``source`` measured ``variable``: (kind, the model entry for model-based figures, else None).

    Parameters
    ----------
    source : Source
        a source of a table's provenance (its dataset and the file chosen among the year's, ``Source.variant``)
    variable : str
        the variable's canonical name

    Returns
    -------
    tuple
        (kind: one of ``MEASUREMENT_KINDS`` by the dataset's ``measurement`` in catalogue.yaml, its file's or the
        variable's own, or "" for a dataset the catalogue does not hold; the ``measurement_models`` entry of a
        model-based figure, else None)

    Raises
    ------
    DataFormatError
        for a measurement kind catalogue.yaml should not hold.
    """
    return _measured(datasets().get(source.dataset), source.variant, variable)


def _measured(dataset, choice: str | None, variable: str) -> tuple[str, dict | None]:
    """``measurement`` for the catalogue entry in hand (None: a dataset the catalogue does not hold)."""
    if dataset is None:
        return "", None
    spec = dataset.measurement
    kind = spec.get("kind", "")
    kind = spec.get(dataset.parameter, {}).get(choice, kind) if dataset.parameter else kind  # e.g. sheet: {...}
    kind = spec.get("variables", {}).get(variable, kind)
    if kind not in MEASUREMENT_KINDS:
        raise DataFormatError(
            f"catalogue.yaml: {dataset.name}: measurement kind {kind!r} is not one of {', '.join(MEASUREMENT_KINDS)}"
        )
    return kind, (dataset.model or None) if kind == "model-based" else None


def measurement_record(dataset, choice: str | None, variables, known: dict | None = None) -> dict:
    """What a file's provenance records about how it measured its variables.

    Parameters
    ----------
    dataset : Dataset or None
        the catalogue entry of the file's dataset (None for a dataset the catalogue does not hold)
    choice : str or None
        the file's value of the dataset's parameter (``age_group`` 18+, ``sheet`` context, ...)
    variables : iterable of str
        the canonical variables the file gives the table
    known : dict, optional
        the variable dictionary (``variables.variables()``), when the caller has it in hand

    Returns
    -------
    dict
        ``measured`` (variable -> kind), ``concepts`` (variable -> concept) and ``model`` (key, name, label and
        predictors of the measurement model of its model-based variables; empty when it has none): the keyword
        arguments of ``core.provenance.from_file``
    """
    measured, model = {}, {}
    for name in variables:
        kind, entry = _measured(dataset, choice, name)
        if kind:
            measured[name] = kind
        if entry is not None:
            model = {
                "key": dataset.measurement["model"],
                "name": entry["name"],
                "label": entry.get("label", entry["name"]),
                "predictors": list(entry["predictors"]),
            }
    known = vardict.variables() if known is None else known
    concepts = {n: known[n]["concept"] for n in variables if n in known and known[n].get("concept")}
    return {"measured": measured, "concepts": concepts, "model": model}


def measurement_note(record: dict) -> str:
    """The load report's note on a file's model-based variables.

    Parameters
    ----------
    record : dict
        the file's ``measurement_record``

    Returns
    -------
    str
        e.g. ``"model-based: pct_volunteering is a RIVM/CBS small-area estimate (RIVM's small-area estimation model
        SMAP ...), predicted from its model's predictors (age, ..., home ownership, ...), not measured in the area"``;
        empty for a file without model-based variables
    """
    variables, model = [n for n, kind in record["measured"].items() if kind == "model-based"], record["model"]
    if not variables:
        return ""
    return (
        f"model-based: {', '.join(variables)} "
        + (f"is a {model['label']} " if len(variables) == 1 else f"are {model['label']}s ")
        + f"({model['name']}), predicted from its model's predictors ({', '.join(model['predictors'])}), not measured "
        "in the area itself"
    )
