"""Spatial structure: weights, Moran's I, local clusters, and spatial error / lag models beside OLS."""

from __future__ import annotations

import contextlib
import io
import warnings
import zipfile

import numpy as np
import pandas as pd

from ..core.atomic import write_atomic
from ..core.errors import ArgumentError, WijkstudieWarning
from ..core.optional import optional
from .categorical_codes import fits_with_codes

SEED = 20240601


def _geometry_key(gdf, kind: str) -> str:
    import hashlib

    import shapely

    digest = hashlib.sha1(kind.encode())
    digest.update(_builder_code().encode())  # weights built by other code (or another libpysal) are other weights
    for blob in shapely.to_wkb(gdf.geometry.to_numpy()):
        digest.update(blob)
    return digest.hexdigest()[:20]


def _builder_code() -> str:
    """The code that builds weights: the hash of ``_contiguity`` (comments aside) and libpysal's version."""
    from importlib.metadata import PackageNotFoundError, version

    from ..core.code_trace import units

    try:
        libpysal = version("libpysal")
    except PackageNotFoundError:
        libpysal = ""
    return f"{units(__file__).hash_of('_contiguity')} {libpysal}"


_WEIGHTS: dict = {}


def spatial_weights(gdf, kind: str = "queen", cache: bool = True):
    """Row-standardised contiguity weights.

    Areas without neighbours (islands) are joined to their nearest area so that every area has at least one neighbour.

    Contiguity of thousands of polygons takes seconds, so the weights are kept, keyed by the geometries (in this
    session, and as a file in the cache folder): the same areas never cost twice. The file holds data only
    (``weights-<key>.npz``: the neighbour lists as a sparse matrix, read with ``allow_pickle=False``) and is checked
    for shape, type and areas when it is read; anything else is built again, with one warning. Each call returns
    its own ``W`` (``_own_copy``: setting its ``transform`` leaves the kept one alone) sharing the kept neighbour and
    weight lists, which libpysal never changes in place.

    Parameters
    ----------
    gdf : GeoDataFrame
        the areas
    kind : str
        ``"queen"`` or ``"rook"``
    cache : bool
        keep and reuse the weights

    Returns
    -------
    libpysal.weights.W

    Raises
    ------
    ArgumentError
        for fewer than 3 areas.

    Examples
    --------
    >>> from wijkstudie import models
    >>> w = models.spatial_weights(wijken)  # doctest: +SKIP
    >>> models.morans_i(wijken["pct_volunteering"], w)  # doctest: +SKIP
    """
    from ..core.paths import processed_dir

    if len(gdf) < 3:
        raise ArgumentError("spatial_weights: needs at least 3 areas")
    key = _geometry_key(gdf, kind) if cache else None
    if key in _WEIGHTS:
        return _own_copy(_WEIGHTS[key])
    path = processed_dir() / f"weights-{key}.npz" if key else None
    if path is not None and path.exists():
        try:
            _WEIGHTS[key] = _read_weights(path, len(gdf), kind)
            return _own_copy(_WEIGHTS[key])
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:  # rebuilt
            reason = " ".join(str(exc).split())[:120] or type(exc).__name__
            warnings.warn(
                f"spatial_weights: the cached weights {path.name} are not what they should be ({reason}): rebuilt",
                WijkstudieWarning,
                stacklevel=2,
            )
    w = _contiguity(gdf, kind)
    if key:
        _WEIGHTS[key] = _own_copy(w)
        with contextlib.suppress(OSError):  # an unwritable cache only costs time
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, lambda tmp: _write_weights(tmp, w, kind))
    return w


def _own_copy(w):
    """A ``W`` of its own over the same lists.

    Libpysal replaces (never edits) its weight lists when the transform changes and stores a new transform's lists in
    ``transformations``, so a shallow copy with its own ``transformations`` and cache is as independent as a deep one,
    without copying every list (about 0.2 s per copy for the 13,000 wijken).
    """
    import copy

    own = copy.copy(w)
    own.transformations = dict(w.transformations)
    own._cache = dict(getattr(w, "_cache", {}))  # what it derives (sparse matrix, sums) kept in its own dict
    return own


WEIGHTS_FIELDS = {"indptr", "indices", "weights", "ids", "kind"}


def _write_weights(path, w, kind: str) -> None:
    """The weights as data.

    Per area (in order) its neighbours and their untransformed weights, as a sparse matrix in compressed rows, with the
    area ids and the kind of contiguity.
    """
    original = w.transformations.get("O", w.weights) if hasattr(w, "transformations") else w.weights
    ids = list(w.id_order)
    position = {i: n for n, i in enumerate(ids)}
    indptr, indices, weights = [0], [], []
    for i in ids:
        indices += [position[j] for j in w.neighbors[i]]
        weights += list(original[i])
        indptr.append(len(indices))
    with open(path, "wb") as fh:
        np.savez(
            fh,
            indptr=np.asarray(indptr, dtype=np.int64),
            indices=np.asarray(indices, dtype=np.int64),
            weights=np.asarray(weights, dtype=np.float64),
            ids=np.asarray(ids, dtype=np.int64),
            kind=np.asarray(kind),
        )


def _read_weights(path, n: int, kind: str):
    """Weights from a file ``_write_weights`` wrote, checked.

    Its arrays, their types and shapes, the areas (``0 .. n-1``, as ``spatial_weights`` builds them) and the kind;
    anything else is a ``ValueError``.
    """
    weights_module = optional("libpysal.weights", "spatial_weights")

    with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
        if not isinstance(data, np.lib.npyio.NpzFile) or set(data.files) != WEIGHTS_FIELDS:
            raise ValueError(f"arrays {sorted(getattr(data, 'files', []))}")
        indptr, indices, values, ids = (data[k] for k in ("indptr", "indices", "weights", "ids"))
        stored_kind = str(data["kind"])
    for name, array, dtype in (("indptr", indptr, "i"), ("indices", indices, "i"), ("ids", ids, "i")):
        if array.ndim != 1 or array.dtype.kind != dtype:
            raise ValueError(f"{name} is not a list of whole numbers")
    if values.ndim != 1 or values.dtype.kind != "f" or not np.isfinite(values).all():
        raise ValueError("weights are not finite numbers")
    if stored_kind != kind:
        raise ValueError(f"{stored_kind} weights, not {kind}")
    if ids.shape != (n,) or not np.array_equal(ids, np.arange(n)):
        raise ValueError(f"weights of other areas ({len(ids)} ids for {n} areas)")
    if indptr.shape != (n + 1,) or indptr[0] != 0 or (np.diff(indptr) < 0).any() or indptr[-1] != len(indices):
        raise ValueError("neighbour lists of the wrong shape")
    if len(values) != len(indices) or (len(indices) and (indices.min() < 0 or indices.max() >= n)):
        raise ValueError("neighbours outside the areas")
    neighbors = {int(i): [int(j) for j in indices[indptr[i] : indptr[i + 1]]] for i in range(n)}
    original = {int(i): [float(v) for v in values[indptr[i] : indptr[i + 1]]] for i in range(n)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = weights_module.W(neighbors, original, id_order=list(range(n)), silence_warnings=True)
    w.transform = "r"
    return w


def _contiguity(gdf, kind: str):
    weights = optional("libpysal.weights", "spatial_weights")

    builder = {"queen": weights.Queen, "rook": weights.Rook}[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = builder.from_dataframe(gdf, use_index=False)
        if w.islands:
            projected = gdf.to_crs(28992) if gdf.crs and gdf.crs.is_geographic else gdf
            knn = weights.KNN.from_dataframe(projected.set_geometry(projected.centroid), k=1)
            w = weights.attach_islands(w, knn)
    w.transform = "r"
    return w


def morans_i(values, w, *, permutations: int = 999, seed: int = SEED) -> dict:
    """Global Moran's I with a permutation p-value (seeded, so results repeat).

    Parameters
    ----------
    values : array-like
        one value per area, in the order of the weights
    w : libpysal.weights.W
        the weights (``spatial_weights``)
    permutations : int
        for the p-value
    seed : int
        the random seed

    Returns
    -------
    dict
        ``I``, ``expected``, ``z`` and ``p_value``
    """
    Moran = optional("esda.moran", "morans_i").Moran

    np.random.seed(seed)  # noqa: NPY002 (esda's Moran permutes with numpy's global generator)
    m = Moran(np.asarray(values, dtype=float), w, permutations=permutations)
    return {"I": float(m.I), "expected": float(m.EI), "z": float(m.z_sim), "p_value": float(m.p_sim)}


def lisa(values, w, *, permutations: int = 999, seed: int = SEED, alpha: float = 0.05) -> pd.Series:
    """Local Moran clusters of every area.

    Parameters
    ----------
    values : array-like
        one value per area, in the order of the weights
    w : libpysal.weights.W
        the weights (``spatial_weights``)
    permutations : int
        for the p-values
    seed : int
        the random seed
    alpha : float
        the significance level

    Returns
    -------
    Series
        ``"high-high"``, ``"low-low"``, ``"high-low"``, ``"low-high"`` or ``"not significant"`` per area
    """
    Moran_Local = optional("esda.moran", "lisa").Moran_Local

    local = Moran_Local(np.asarray(values, dtype=float), w, permutations=permutations, seed=seed)
    names = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
    labels = [names[q] if p < alpha else "not significant" for q, p in zip(local.q, local.p_sim)]
    return pd.Series(labels, dtype="string")


@fits_with_codes
def spatial_models(formula: str, gdf, w=None, *, alpha: float = 0.05, eval_env=0) -> dict:
    """Ordinary least squares next to a spatial error and a spatial lag model.

    (both GMM, so they scale to thousands of areas), over contiguity weights.

    Parameters
    ----------
    formula : str
        e.g. ``"pct_volunteering ~ pct_owner_occupied + pct_age_65_plus"``
    gdf : GeoDataFrame
        areas with geometry; rows with a missing formula column are left out
    w : libpysal weights, optional
        for the rows of ``gdf`` (built with ``spatial_weights`` when not given, or when rows were left out)
    alpha : float
        the level below which the residuals' Moran p-value says they are spatially autocorrelated
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve: 0, the default, is the caller's namespace, as in
        statsmodels (``models.result.formula_environment``)

    Returns
    -------
    dict of ModelResult
        ``"OLS"`` (t intervals), ``"spatial error"`` (term ``lambda``), ``"spatial lag"`` (term ``rho``), normal
        intervals for the GMM models. Every result's ``extra`` holds ``moran_outcome``, ``moran_residuals`` (of
        the OLS residuals, 999 permutations), ``spatially_autocorrelated`` (residual Moran p < ``alpha``) and
        ``weights``; the spatial models also ``lambda`` or ``rho`` (estimate and interval).
    """
    import patsy

    from ..core.columns import require_columns
    from .result import (
        STD_LINEAR,
        ModelResult,
        coefficient_table,
        context,
        formula_environment,
        formula_variables,
        standardised,
    )

    env = formula_environment(eval_env)
    spreg = optional("spreg", "spatial_models")
    names = [v for v in formula_variables(formula) if v in gdf or v not in env.namespace]  # the table, then the caller
    require_columns(gdf, names, "spatial_models")
    gdf = gdf.reset_index(drop=True)
    y, X = patsy.dmatrices(formula, gdf, return_type="dataframe", NA_action="drop", eval_env=env)
    used = gdf.loc[y.index].reset_index(drop=True)
    if w is None or len(used) != len(gdf):
        w = spatial_weights(used)
    names = [c for c in X.columns if c != "Intercept"]
    yv, xv = y.to_numpy(), X[names].to_numpy()
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():  # spreg prints and warns
        warnings.simplefilter("ignore")
        ols = spreg.OLS(yv, xv, w=w, name_y=y.columns[0], name_x=names, spat_diag=False)
        err = spreg.GM_Error_Het(yv, xv, w=w, name_y=y.columns[0], name_x=names)
        lag = spreg.GM_Lag(yv, xv, w=w, name_y=y.columns[0], name_x=names)
    moran_residuals = morans_i(np.asarray(ols.u).ravel(), w)
    shared = {
        "moran_outcome": morans_i(yv.ravel(), w),
        "moran_residuals": moran_residuals,
        "spatially_autocorrelated": moran_residuals["p_value"] < alpha,
        "weights": w,
    }
    design = X.reset_index(drop=True)
    results = {}
    for label, model, extra_term, df in (
        ("OLS", ols, None, len(used) - X.shape[1]),
        ("spatial error", err, "lambda", None),
        ("spatial lag", lag, "rho", None),
    ):
        distribution = "normal" if df is None else f"t({df})"
        terms = ["Intercept"] + names + ([extra_term] if extra_term else [])
        betas = pd.Series(np.asarray(model.betas).ravel()[: len(terms)], index=terms)
        vm = np.asarray(model.vm)[: len(terms), : len(terms)]
        se = pd.Series(np.sqrt(np.diag(vm)), index=terms)
        table = coefficient_table(betas, se, distribution, standardised(betas, design, yv.ravel()))
        extra = dict(shared)
        if extra_term:
            row = table.loc[extra_term]
            extra[extra_term] = (float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]))
        results[label] = ModelResult(
            f"{label} (spreg{', GMM' if extra_term else ''})",
            formula,
            table,
            len(used),
            fitted=model,
            cov=pd.DataFrame(vm, index=terms, columns=terms),
            statistics={"r2": float(getattr(model, "r2", np.nan))} if label == "OLS" else {},
            extra=extra,
            std_definition=STD_LINEAR,
            estimator="regression" if label == "OLS" else label,
            df={} if df is None else dict.fromkeys(terms, float(df)),
            **context(gdf, used),
        )
    return results
