"""Writes pkg/engine/test/fixtures/features.json: pandas results the engine's feature functions must match.

Run with the Python that has pandas 1.5.3:  /usr/bin/python3 scripts/reference/make_feature_fixtures.py

Series (seeded, so the fixture is reproducible):
  offset  1e6 + slow sine + gaussian noise: the large offset tests the numerics of the rolling mean/std
  plain   random walk around 0 with negative values and a run of identical values (pandas' exact-0 std rule)
Both have isolated NaNs and a run of NaNs. For each: shift(1), shift(3), diff(1), diff(2) and
rolling(w).mean/std/min/max for w in (12, 5), pandas defaults (min_periods = w, std with ddof = 1).
Also the exact rolling std (rational arithmetic) as a tighter reference than pandas' own rounding.
Also calendar fields of timestamps, from pandas' UTC datetime: fractional hour of day and weekday (0 = Sunday).
NaN is written as null (JSON has no NaN); floats with repr, so they read back bit-exactly.
"""
import json
import math
import os
from fractions import Fraction

import numpy as np
import pandas as pd

N = 160
WINDOWS = (12, 5)
rng = np.random.default_rng(20240601)


def with_gaps(values):
    values = values.copy()
    values[[7, 40, 41, 42, 95, 130]] = np.nan
    return values


t = np.arange(N)
offset = 1e6 + 50 * np.sin(t / 9.0) + rng.normal(0, 3, N)
plain = np.cumsum(rng.normal(0, 1, N))
plain[60:80] = plain[60]  # 20 identical values: a window inside them has std exactly 0 in pandas
series = {"offset": with_gaps(offset), "plain": with_gaps(plain)}


def exact_rolling_std(values, w):
    """Sample std of every full NaN-free window in exact rational arithmetic, rounded once at the end.

    pandas' unshifted Welford update loses up to ~2e-8 relative on the offset series, so the engine is held to
    1e-9 against this exact value and to pandas within pandas' own error (see rollingStd.test.ts).
    """
    out = []
    for i in range(len(values)):
        window = values[i - w + 1 : i + 1] if i + 1 >= w else []
        if len(window) < w or any(math.isnan(v) for v in window):
            out.append(math.nan)
            continue
        exact = [Fraction(float(v)) for v in window]
        mean = sum(exact) / w
        out.append(math.sqrt(sum((v - mean) ** 2 for v in exact) / (w - 1)))
    return out


def encode(values):
    return [None if math.isnan(v) else float(v) for v in np.asarray(values, dtype=np.float64)]


out = {"generator": "scripts/reference/make_feature_fixtures.py", "pandas": pd.__version__, "series": {}}
for name, values in series.items():
    s = pd.Series(values)
    entry = {
        "values": encode(s),
        "shift": {str(k): encode(s.shift(k)) for k in (1, 3)},
        "diff": {str(k): encode(s.diff(k)) for k in (1, 2)},
        "rolling": {},
    }
    for w in WINDOWS:
        r = s.rolling(w)
        entry["rolling"][str(w)] = {
            "mean": encode(r.mean()),
            "std": encode(r.std()),
            "stdExact": encode(exact_rolling_std(values, w)),
            "min": encode(r.min()),
            "max": encode(r.max()),
        }
    out["series"][name] = entry

# Timestamps across a DST-free UTC range, at odd seconds, over more than a week.
timestamps_ms = (1_700_000_000_000 + np.cumsum(rng.integers(1, 7_200_000, 120))).astype(np.int64)
dt = pd.to_datetime(timestamps_ms, unit="ms", utc=True)
hour = dt.hour + dt.minute / 60 + dt.second / 3600 + dt.microsecond / 3.6e9
out["time"] = {
    "timestampsMs": [int(v) for v in timestamps_ms],
    "hour": [float(v) for v in hour],
    "weekdaySundayZero": [int((d + 1) % 7) for d in dt.dayofweek],  # pandas: Monday = 0
}

path = os.path.join(os.path.dirname(__file__), "..", "..", "pkg", "engine", "test", "fixtures", "features.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {os.path.normpath(path)}")
