"""Sensitivity of a site ranking to the weights: one-at-a-time changes and Monte-Carlo draws."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def rank_stability(
    site_scores: np.ndarray,
    weights: np.ndarray,
    *,
    delta: float = 0.2,
    n_runs: int = 1000,
    concentration: float = 100.0,
    top_k: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Per-site rank stability under weight changes.

    A site's mean suitability is linear in the weights (``site_scores @ w``), so every perturbed
    ranking is exact without recomputing rasters.

    Parameters
    ----------
    site_scores : ndarray (sites, criteria)
        Mean criterion score of each site (the ``<criterion>_score`` columns).
    weights : ndarray (criteria,)
        Base weights.
    delta : float
        One-at-a-time change: each weight is multiplied by ``1 ± delta`` and all renormalised.
    n_runs : int
        Monte-Carlo draws of weights from a Dirichlet distribution centred on the base weights.
    concentration : float
        Dirichlet concentration (``alpha = concentration * w``): larger = closer to the base.
    top_k : int
        Report the share of runs in which a site ranks in the top ``k``.
    seed : int
        Random seed (runs are reproducible).

    Returns
    -------
    DataFrame
        One row per site in input order: ``base_rank``, ``oat_best_rank``, ``oat_worst_rank``,
        ``mc_median_rank``, ``mc_rank_q25``, ``mc_rank_q75``, ``mc_rank_iqr``, ``mc_share_top_k``.
    """
    S = np.asarray(site_scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    if S.ndim != 2 or S.shape[1] != len(w):
        raise ValueError(f"rank_stability: site_scores has shape {S.shape} but there are {len(w)} weights")
    n_sites = S.shape[0]

    def ranks(W: np.ndarray) -> np.ndarray:  # W: (runs, criteria) -> (runs, sites), 1 = best
        vals = W @ S.T
        order = np.argsort(-vals, axis=1, kind="stable")
        r = np.empty_like(order)
        np.put_along_axis(r, order, np.arange(1, n_sites + 1)[None, :].repeat(len(W), 0), axis=1)
        return r

    base = ranks(w[None, :])[0]
    oat = []
    for i in range(len(w)):
        for sign in (-1, 1):
            v = w.copy()
            v[i] *= 1 + sign * delta
            oat.append(v / v.sum())
    r_oat = ranks(np.array(oat)) if oat else base[None, :]
    rng = np.random.default_rng(seed)
    alpha = np.maximum(concentration * w, 1e-3)
    r_mc = ranks(rng.dirichlet(alpha, size=n_runs))
    q25, med, q75 = np.percentile(r_mc, [25, 50, 75], axis=0)
    return pd.DataFrame(
        {
            "base_rank": base,
            "oat_best_rank": r_oat.min(axis=0),
            "oat_worst_rank": r_oat.max(axis=0),
            "mc_median_rank": med,
            "mc_rank_q25": q25,
            "mc_rank_q75": q75,
            "mc_rank_iqr": q75 - q25,
            f"mc_share_top_{top_k}": (r_mc <= top_k).mean(axis=0),
        }
    )


def site_sensitivity(sites: pd.DataFrame, weights: Mapping[str, float], **kw) -> pd.DataFrame:
    """:func:`rank_stability` of a site table, joined to ``site_id``: the one used by the CLI and the app.

    Parameters
    ----------
    sites : DataFrame
        Ranked sites with ``site_id`` and a ``<criterion>_score`` column per criterion (any site
        table of :mod:`areal.geo.sites`, whole-grid or windowed).
    weights : mapping of criterion id -> weight
        The weights the sites were ranked with (e.g. ``dict(zip(model.criteria, model.weights))``).
    **kw
        Passed to :func:`rank_stability` (``n_runs``, ``seed``, ``delta``, ...).

    Examples
    --------
    Two sites, each best on one of two equally weighted criteria:

    >>> sites = pd.DataFrame({"site_id": [1, 2], "a_score": [0.9, 0.1], "b_score": [0.2, 0.8]})
    >>> site_sensitivity(sites, {"a": 0.5, "b": 0.5}, n_runs=10)[["site_id", "base_rank"]].values.tolist()
    [[1, 1], [2, 2]]
    """
    crit = list(weights)
    out = rank_stability(
        sites[[f"{k}_score" for k in crit]].to_numpy(), np.array([weights[k] for k in crit]), **kw
    )
    out.insert(0, "site_id", sites["site_id"].to_numpy())
    return out
