"""Spatial structure: weights, Moran's I, local clusters, and spatial error / lag models beside OLS."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd

from ..errors import WijkstudieError

SEED = 20240601


def spatial_weights(gdf, kind: str = "queen"):
    """Row-standardised contiguity weights (``queen`` or ``rook``); areas without neighbours (islands) are
    joined to their nearest area so that every area has at least one neighbour."""
    from libpysal import weights

    if len(gdf) < 3:
        raise WijkstudieError("spatial_weights: needs at least 3 areas")
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


def morans_i(values, w, permutations: int = 999, seed: int = SEED) -> dict:
    """Global Moran's I with a permutation p-value (seeded, so results repeat)."""
    from esda.moran import Moran

    np.random.seed(seed)
    m = Moran(np.asarray(values, dtype=float), w, permutations=permutations)
    return {"I": float(m.I), "expected": float(m.EI), "z": float(m.z_sim), "p_value": float(m.p_sim)}


def lisa(values, w, permutations: int = 999, seed: int = SEED, alpha: float = 0.05) -> pd.Series:
    """Local Moran clusters: 'high-high', 'low-low', 'high-low', 'low-high' or 'not significant'."""
    from esda.moran import Moran_Local

    local = Moran_Local(np.asarray(values, dtype=float), w, permutations=permutations, seed=seed)
    names = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
    labels = [names[q] if p < alpha else "not significant" for q, p in zip(local.q, local.p_sim)]
    return pd.Series(labels, dtype="string")


def spatial_models(formula: str, gdf, w=None, alpha: float = 0.05) -> dict:
    """OLS next to a spatial error and a spatial lag model (both GMM, so they scale to thousands of areas).

    Returns {"moran_outcome", "moran_residuals", "coefficients" (DataFrame: term x model with estimate and
    CI), "spatially_autocorrelated" (residual Moran p < alpha)}.
    """
    import patsy
    import spreg

    gdf = gdf.reset_index(drop=True)
    y, X = patsy.dmatrices(formula, gdf, return_type="dataframe", NA_action="drop")
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
    rows = []
    for label, model, zstats in (("OLS", ols, ols.t_stat), ("spatial error", err, err.z_stat),
                                 ("spatial lag", lag, lag.z_stat)):
        betas = np.asarray(model.betas).ravel()
        se = np.asarray(model.std_err).ravel()
        terms = ["Intercept"] + names + (["lambda"] if label == "spatial error" else ["rho"] if label == "spatial lag" else [])
        for term, b, s, (_, p) in zip(terms, betas, se, zstats):
            rows.append({"model": label, "term": term, "estimate": b, "ci_low": b - 1.96 * s, "ci_high": b + 1.96 * s,
                         "p_value": p})
    moran_residuals = morans_i(np.asarray(ols.u).ravel(), w)
    return {"n": len(used), "moran_outcome": morans_i(yv.ravel(), w), "moran_residuals": moran_residuals,
            "coefficients": pd.DataFrame(rows), "spatially_autocorrelated": moran_residuals["p_value"] < alpha}
