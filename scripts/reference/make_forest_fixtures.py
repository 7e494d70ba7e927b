#!/usr/bin/python3
"""Reference values from scikit-learn 1.2.1 for the engine's Isolation Forest tests.

Run with the system Python that has scikit-learn 1.2.1 and numpy:
    /usr/bin/python3 scripts/reference/make_forest_fixtures.py
Writes small JSON files into pkg/engine/test/fixtures/. Every random draw uses a fixed seed, so re-running
reproduces the files exactly. Matrices are stored as float32 values (sklearn casts X to float32; the shortest
repr of a float32 parsed as a double is that float32 exactly), row-major, like the engine's FeatureMatrix.
"""
import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length
from sklearn.metrics import roc_auc_score

OUT = Path(__file__).resolve().parents[2] / "pkg" / "engine" / "test" / "fixtures"


def matrix(x):
    x = np.asarray(x, dtype=np.float32)
    return {"rows": int(x.shape[0]), "cols": int(x.shape[1]), "values": [float(v) for v in x.ravel()]}


def write(name, payload):
    payload = {"generatedBy": "scripts/reference/make_forest_fixtures.py", "sklearnVersion": sklearn.__version__,
               "numpyVersion": np.__version__, **payload}
    path = OUT / name
    path.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def average_path_length():
    n = np.arange(1, 10001)
    write("average-path-length.json", {"n": "1..10000", "values": [float(v) for v in _average_path_length(n)]})


def clustered_data():
    """Two Gaussian clusters plus uniform background noise: scores have a wide, non-trivial ranking."""
    rng = np.random.default_rng(7)
    x = np.vstack([rng.normal(0, 1, (300, 4)), rng.normal(4, 0.5, (200, 4)), rng.uniform(-6, 10, (100, 4))])
    return x.astype(np.float32)


def score_ranking():
    x = clustered_data()
    cases = []
    for params in [
        {"n_estimators": 2000, "max_samples": 256},
        {"n_estimators": 2000, "max_samples": 0.5, "max_features": 0.5, "bootstrap": True},
    ]:
        forest = IsolationForest(random_state=0, **params).fit(x)
        # The engine's anomaly score is -score_samples.
        cases.append({"params": params, "maxSamplesUsed": int(forest.max_samples_),
                      "scores": [float(-s) for s in forest.score_samples(x)]})
    write("score-ranking.json", {"x": matrix(x), "cases": cases})


def labelled_outliers():
    """1000 inliers (a correlated pair plus 3 noise columns) and 50 outliers that break the correlation."""
    rng = np.random.default_rng(11)
    inliers = np.hstack([rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], 1000), rng.normal(0, 1, (1000, 3))])
    outliers = np.hstack([rng.uniform(-3.5, 3.5, (50, 2)), rng.normal(0, 1, (50, 3))])
    x = np.vstack([inliers, outliers]).astype(np.float32)
    labels = np.r_[np.zeros(1000), np.ones(50)]
    # One forest's AUC varies with its seed (std ~0.0075 here), so the reference is the mean over 20 seeds.
    aucs = [float(roc_auc_score(labels, -IsolationForest(random_state=s).fit(x).score_samples(x))) for s in range(20)]
    write("labelled-outliers.json", {"x": matrix(x), "labels": [int(v) for v in labels],
                                     "sklearnAucPerSeed": aucs, "sklearnMeanAuc": float(np.mean(aucs))})


def percentiles():
    """numpy.percentile (default linear method), to check the test helper that recomputes thresholds."""
    rng = np.random.default_rng(3)
    values = rng.normal(0, 1, 257)
    percents = [0.1, 1, 2.5, 5, 10, 12.5, 25, 33.3, 50, 99.9, 100]
    write("percentiles.json", {"values": [float(v) for v in values], "percents": percents,
                               "expected": [float(np.percentile(values, p)) for p in percents]})


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    average_path_length()
    score_ranking()
    labelled_outliers()
    percentiles()
