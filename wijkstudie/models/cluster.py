"""Cluster-robust standard errors for least squares with few clusters: CR2 with Bell-McCaffrey degrees of freedom.

With few clusters the usual cluster-robust covariance (CR1, statsmodels' ``cov_type="cluster"``: the sandwich times
G/(G - 1) x (N - 1)/(N - k)) is biased downwards and t(G - 1) intervals built on it cover less than they say, the more
so when clusters differ in size or a predictor varies mainly between clusters. CR2 (Bell & McCaffrey 2002) adjusts
each cluster's residuals by the inverse symmetric square root of (I - H_jj), which makes the covariance exactly
unbiased when the errors are independent with the variance the fit's weights assume (the "working model"); the
degrees of freedom of each test come from a Satterthwaite approximation of the distribution of that contrast's
variance under the same working model (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018, JBES 36(4), 672-683,
whose R package clubSandwich computes the same for ``lm`` fits with ``type = "CR2"`` and ``test = "Satterthwaite"``).

For weighted least squares (weights w, working model Var(e) proportional to 1/w) this is CR2 of the ordinary least
squares fit of the whitened data sqrt(w) y on sqrt(w) X, which is how it is computed here. Fixed effects absorbed by
demeaning within clusters (the areas of ``within_estimate``) need not enter the hat matrix (Pustejovsky & Tipton 2018,
Theorem 2); other absorbed effects (year effects) are passed as ``nuisance`` columns.

``cluster_correction="auto"`` (the models' default) uses CR2 with fewer than ``CR2_BELOW`` (30) clusters and CR1 with
t(G - 1) from there on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.errors import ArgumentError

CORRECTIONS = ("auto", "CR2", "CR1")
CR2_BELOW = 30  # "auto": CR2 with Bell-McCaffrey degrees of freedom with fewer clusters than this, else CR1


@dataclass(frozen=True)
class ClusterCovariance:
    """A cluster-robust covariance, the correction that made it and the degrees of freedom of each term's t test.

    ``df_of(vector)`` gives the degrees of freedom of any linear combination (a contrast): Bell-McCaffrey's for CR2,
    G - 1 for CR1.
    """

    cov: pd.DataFrame
    df: pd.Series  # by term
    correction: str  # "CR2" or "CR1"
    clusters: int
    _bread: np.ndarray = field(default=None, repr=False)  # (Z'Z)^-1 of the whitened design with nuisance columns
    _omega: np.ndarray = field(default=None, repr=False)  # per cluster K_j'K_j, shape (G, p, p)
    _cross: np.ndarray = field(default=None, repr=False)  # per cluster Z_j'K_j, shape (G, p, p)

    def df_of(self, vector) -> float:
        """The degrees of freedom of the t test of ``vector`` x coefficients.

        Parameters
        ----------
        vector : array-like or dict
            weights of the terms (in the order of ``cov``), or term -> weight

        Returns
        -------
        float
            Bell-McCaffrey's Satterthwaite degrees of freedom for CR2; G - 1 for CR1
        """
        if self.correction == "CR1":
            return float(self.clusters - 1)
        if isinstance(vector, dict):
            vector = pd.Series(vector).reindex(self.cov.index).fillna(0.0).to_numpy()
        c = np.zeros(self._bread.shape[0])
        c[: len(self.cov)] = np.asarray(vector, dtype=float)
        return _satterthwaite(c, self._bread, self._omega, self._cross)

    def distribution(self, term: str) -> str:
        """The reference distribution of a term's test, as a result table writes it.

        Parameters
        ----------
        term : str
            a term

        Returns
        -------
        str
            ``"t(df)"``: the Bell-McCaffrey degrees of freedom to two decimals for CR2, ``t(G - 1)`` for CR1
        """
        return t_distribution(self.df[term])


def t_distribution(df: float) -> str:
    """A t distribution's name as result tables write it: whole degrees of freedom as an integer, else to two decimals.

    Parameters
    ----------
    df : float
        degrees of freedom

    Returns
    -------
    str
        e.g. ``"t(11)"`` or ``"t(7.38)"``
    """
    df = float(df)
    return f"t({int(round(df))})" if abs(df - round(df)) < 1e-9 else f"t({df:.2f})"


def resolve_correction(correction: str, clusters: int, *, caller: str) -> str:
    """The correction a fit uses: ``"CR2"`` or ``"CR1"`` (``"auto"``: CR2 below ``CR2_BELOW`` clusters).

    Parameters
    ----------
    correction : str
        ``"auto"``, ``"CR2"`` or ``"CR1"``
    clusters : int
        the number of clusters
    caller : str
        the model, for the error message

    Returns
    -------
    str

    Raises
    ------
    ArgumentError
        for another name.
    """
    if correction not in CORRECTIONS:
        raise ArgumentError(f"{caller}: cluster_correction must be one of {', '.join(CORRECTIONS)}, not {correction!r}")
    if correction == "auto":
        return "CR2" if clusters < CR2_BELOW else "CR1"
    return correction


def description(correction: str, clusters: int) -> str:
    """What a clustered fit's intervals rest on, for a model's description.

    Parameters
    ----------
    correction : str
        ``"CR2"`` or ``"CR1"``
    clusters : int
        G

    Returns
    -------
    str
    """
    if correction == "CR2":
        return f"CR2 errors, Bell-McCaffrey df, {clusters} clusters"
    return f"CR1 errors, t({clusters - 1}), {clusters} clusters"


def cr2(exog, resid, groups, *, weights=None, nuisance=None, names=None) -> ClusterCovariance:
    """CR2 cluster-robust covariance of least-squares estimates with Bell-McCaffrey degrees of freedom per term.

    Parameters
    ----------
    exog : array-like
        the design (n x k), unweighted
    resid : array-like
        the fit's residuals y - X b, unweighted
    groups : array-like
        the cluster of each row
    weights : array-like, optional
        the weights of a weighted least-squares fit (the working model: Var(e_i) proportional to 1 / w_i)
    nuisance : array-like, optional
        further columns the fit absorbed (n x m; e.g. year dummies demeaned within areas), in the hat matrix but not
        reported
    names : list of str, optional
        the terms (the columns of ``exog``); by default ``x0``, ``x1``, ...

    Returns
    -------
    ClusterCovariance
        ``cov`` (k x k), ``df`` (Bell-McCaffrey, per term), ``correction`` ``"CR2"``, ``clusters``
    """
    X = np.asarray(exog, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    k = X.shape[1]
    if nuisance is not None:
        X = np.column_stack([X, np.asarray(nuisance, dtype=float)])
    e = np.asarray(resid, dtype=float)
    if weights is not None:
        root = np.sqrt(np.asarray(weights, dtype=float))
        X, e = X * root[:, None], e * root
    codes, uniques = pd.factorize(pd.Series(np.asarray(groups)), sort=False)
    bread = np.linalg.pinv(X.T @ X)
    evals, evecs = np.linalg.eigh(bread)
    root_bread = (evecs * np.sqrt(np.clip(evals, 0, None))) @ evecs.T
    p = X.shape[1]
    clusters = len(uniques)
    omega, cross, scores = np.empty((clusters, p, p)), np.empty((clusters, p, p)), np.empty((clusters, p))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(clusters + 1))
    for j in range(clusters):
        rows = order[bounds[j] : bounds[j + 1]]
        Zj, ej = X[rows], e[rows]
        K = _adjust(Zj, root_bread) @ bread  # A_j Z_j M (A_j symmetric)
        omega[j], cross[j], scores[j] = K.T @ K, Zj.T @ K, K.T @ ej
    cov_full = scores.T @ scores
    names = list(names) if names is not None else [f"x{i}" for i in range(k)]
    cov = pd.DataFrame(cov_full[:k, :k], index=names, columns=names)
    df = pd.Series([_satterthwaite(np.eye(p)[i], bread, omega, cross) for i in range(k)], index=names)
    return ClusterCovariance(cov, df, "CR2", clusters, bread, omega, cross)


def _adjust(Zj: np.ndarray, root_bread: np.ndarray) -> np.ndarray:
    """A_j Z_j with A_j = (I - Z_j M Z_j')^(+1/2) (the Moore-Penrose inverse square root).

    Computed in the (at most p-dimensional) column space of Z_j M^(1/2), so a cluster of thousands of rows costs n_j
    p^2, not n_j^3.
    """
    Y = Zj @ root_bread
    lam, V = np.linalg.eigh(Y.T @ Y)
    keep = lam > 1e-12 * max(1.0, lam.max(initial=0.0))
    lam, V = lam[keep], V[:, keep]
    Q = (Y @ V) / np.sqrt(lam)  # orthonormal: the eigenvectors of Z_j M Z_j' with eigenvalues lam
    gap = 1.0 - lam
    scale = np.where(gap > 1e-10, 1.0 / np.sqrt(np.clip(gap, 1e-300, None)), 0.0) - 1.0
    return Zj + Q @ (scale[:, None] * (Q.T @ Zj))


def _satterthwaite(c: np.ndarray, bread: np.ndarray, omega: np.ndarray, cross: np.ndarray) -> float:
    """Bell-McCaffrey degrees of freedom of contrast c.

    With p_j = (I - H)' A_j Z_j M c (the part of c'Vc that cluster j contributes, as a linear form in the working-model
    errors), df = (sum_j p_j'p_j)^2 / sum_ij (p_i'p_j)^2, and p_i'p_j = [i == j] c'K_i'K_i c - c'L_i' M L_j c with K_j =
    A_j Z_j M and L_j = Z_j'K_j.
    """
    a = cross @ c  # (G, p): L_j c
    gram = -(a @ bread @ a.T)
    gram[np.diag_indices_from(gram)] += np.einsum("i,gij,j->g", c, omega, c)
    denominator = float(np.sum(gram**2))
    return float(np.trace(gram) ** 2 / denominator) if denominator > 0 else np.nan


def cr1(fit, groups, names=None) -> ClusterCovariance:
    """Statsmodels' cluster-robust covariance (CR1: the sandwich x G/(G - 1) x (N - 1)/(N - k)) with t(G - 1).

    Parameters
    ----------
    fit : statsmodels regression result
        fitted with ``cov_type="cluster"``
    groups : array-like
        the cluster of each row
    names : list of str, optional
        the terms

    Returns
    -------
    ClusterCovariance
    """
    clusters = int(pd.Series(np.asarray(groups)).nunique())
    cov = pd.DataFrame(np.asarray(fit.cov_params()))
    names = list(names) if names is not None else list(fit.model.exog_names)
    cov.index, cov.columns = names, names
    return ClusterCovariance(cov, pd.Series(float(clusters - 1), index=names), "CR1", clusters)


WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def wild_cluster_bootstrap(
    exog, endog, groups, term: int, *, weights=None, reps: int = 9999, kind: str = "webb", seed: int = 0
) -> dict:
    """Restricted wild cluster bootstrap (WCR) p-value of H0.

    Coefficient ``term`` = 0 (Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2018): the outcome is rebuilt from the
    fit without the term, its residuals multiplied per cluster by Rademacher or Webb weights, and the CR1 t statistic of
    each bootstrap sample compared with the observed one (symmetric p-value). Computed in closed form: each bootstrap t
    statistic is a ratio of linear and quadratic forms in the G cluster weights. With Rademacher weights and 2^G <=
    reps, every sign pattern is used (the exact randomisation distribution).

    Parameters
    ----------
    exog : array-like
        the design (n x k), unweighted
    endog : array-like
        the outcome
    groups : array-like
        the cluster of each row
    term : int
        the column of ``exog`` tested
    weights : array-like, optional
        weighted least squares weights
    reps : int
        bootstrap samples
    kind : str
        ``"webb"`` (six-point, the default; better with few clusters) or ``"rademacher"``
    seed : int
        random seed

    Returns
    -------
    dict
        ``p_value``, ``t`` (the observed CR1 t statistic), ``reps`` (samples used), ``kind``, ``clusters``

    Raises
    ------
    ArgumentError
        for another kind of weights.
    """
    if kind not in ("webb", "rademacher"):
        raise ArgumentError(f"wild_cluster_bootstrap: kind must be 'webb' or 'rademacher', not {kind!r}")
    X, y = np.asarray(exog, dtype=float), np.asarray(endog, dtype=float)
    if weights is not None:
        root = np.sqrt(np.asarray(weights, dtype=float))
        X, y = X * root[:, None], y * root
    codes = pd.factorize(pd.Series(np.asarray(groups)))[0]
    G, (n, k) = codes.max() + 1, X.shape
    A = np.linalg.pinv(X)  # (k x n): the estimates are A y
    a = A[term]
    scale = G / (G - 1) * (n - 1) / (n - k)  # CR1, as statsmodels and Stata

    def t_stat(resid):  # CR1 t statistic of the term from residuals (n x m)
        scores = np.zeros((G,) + resid.shape[1:])
        np.add.at(scores, codes, a[:, None] * resid if resid.ndim > 1 else a * resid)
        return scores

    beta = A @ y
    observed_scores = t_stat(y - X @ beta)
    t_observed = beta[term] / np.sqrt(scale * np.sum(observed_scores**2))
    keep = np.delete(np.arange(k), term)
    restricted = X[:, keep] @ (np.linalg.pinv(X[:, keep]) @ y)
    u = y - restricted  # restricted residuals
    U = np.zeros((n, G))
    U[np.arange(n), codes] = u  # y* = restricted + U v
    MU = U - X @ (A @ U)  # residuals of the unrestricted fit of U v
    numerator = a @ U  # (G,): the term's estimate is numerator @ v (A restricted = 0 for the term)
    P = np.zeros((G, G))
    np.add.at(P, codes, a[:, None] * MU)  # the cluster scores are P v
    rng = np.random.default_rng(seed)
    if kind == "rademacher" and 2**G <= reps:
        V = ((np.arange(2**G)[:, None] >> np.arange(G)) & 1).T * 2.0 - 1.0
    elif kind == "rademacher":
        V = rng.choice([-1.0, 1.0], size=(G, reps))
    else:
        V = rng.choice(WEBB, size=(G, reps))
    t_boot = (numerator @ V) / np.sqrt(scale * np.sum((P @ V) ** 2, axis=0))
    p = float(np.mean(np.abs(t_boot) >= abs(t_observed)))
    return {"p_value": p, "t": float(t_observed), "reps": int(V.shape[1]), "kind": kind, "clusters": int(G)}
