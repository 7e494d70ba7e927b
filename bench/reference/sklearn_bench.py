"""Reference timings for `npm run bench`: scikit-learn's IsolationForest and pandas' feature functions on the
same float32 data the JavaScript cases use. Run with Debian's /usr/bin/python3 (python3-sklearn, python3-pandas).

Usage: sklearn_bench.py forest DATA.f32 ROWS COLS SCORE_ROWS   -> {"fit_s": .., "score_points_per_s": ..}
       sklearn_bench.py features DATA.f64 ROWS COLS WINDOW    -> {"rows_per_s_per_column": ..}
"""
import json
import statistics
import sys
import time

import numpy as np


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def forest(path, rows, cols, score_rows):
    from sklearn.ensemble import IsolationForest

    x = np.fromfile(path, dtype=np.float32).reshape(rows, cols)
    model = IsolationForest(n_estimators=100, max_samples=256, random_state=0)
    fit_s = median_seconds(lambda: model.fit(x), 5)
    subset = x[:score_rows]
    score_s = median_seconds(lambda: model.score_samples(subset), 3)
    return {"fit_s": fit_s, "score_points_per_s": score_rows / score_s}


def features(path, rows, cols, window):
    import pandas as pd

    frame = pd.DataFrame(np.fromfile(path, dtype=np.float64).reshape(rows, cols))

    def build():
        parts = [frame, frame.shift(1), frame.diff(1)]
        rolling = frame.rolling(window)
        parts += [rolling.mean(), rolling.std(), rolling.min(), rolling.max()]
        return np.column_stack([p.to_numpy(dtype=np.float32) for p in parts])

    seconds = median_seconds(build, 3)
    return {"rows_per_s_per_column": rows * cols / seconds}


if __name__ == "__main__":
    kind = sys.argv[1]
    args = [sys.argv[2]] + [int(a) for a in sys.argv[3:]]
    result = forest(*args) if kind == "forest" else features(*args)
    print(json.dumps(result))
