"""Does matching the categorical marginals of synthetic rows help train-on-synthetic?

One saved Adult model; 3x the training rows drawn; then n rows picked with raking weights
(iterative proportional fitting) that make every categorical column's shares (or only the
target's) match the real training rows, against n rows picked plainly. HGB TSTR / real.

    python -c "import pandas as pd; from tabgan import TabGAN; \
        TabGAN(seed=0).fit(pd.read_csv('../shared/data/adult/train.csv')).save('/tmp/adult-s0.tabgan')"
    python benchmarks/prototypes/rake_marginals.py /tmp/adult-s0.tabgan
"""
import sys
from pathlib import Path

import numpy as np, pandas as pd, torch

HERE = Path(__file__).resolve()
ADULT = HERE.parents[3] / "shared" / "data" / "adult"
sys.path.insert(0, str(HERE.parents[1]))
torch.set_num_threads(1)
from common import TSTRScorer
from tabgan import TabGAN
train = pd.read_csv(ADULT / "train.csv")
test = pd.read_csv(ADULT / "test.csv")
m = TabGAN.load(sys.argv[1])
n = len(train)
pool = m.sample(3 * n, seed=11)
sc = TSTRScorer(train, test, "income")
real = sc.score(train)
cats = [c for c in train.columns if train[c].dtype == object]
shares = {c: train[c].value_counts(normalize=True) for c in cats}  # the real shares, once
def tvd(df):
    return np.mean([0.5 * shares[c].sub(df[c].value_counts(normalize=True), fill_value=0).abs().sum() for c in cats])
def rake(df, cols, iters=20):
    w = np.ones(len(df))
    for _ in range(iters):
        for c in cols:
            target = shares[c]
            cur = pd.Series(w).groupby(df[c].to_numpy()).sum() / w.sum()
            ratio = (target / cur).reindex(df[c].unique()).fillna(1.0)
            w = w * df[c].map(ratio).to_numpy()
    return w
rng = np.random.default_rng(0)
base = pool.iloc[:n]
print("real", round(real,4))
print("base", round(sc.score(base)/real,4), "tvd", round(tvd(base),4))
for name, cols in [("all", cats), ("target", ["income"])]:
    w = rake(pool, cols)
    idx = rng.choice(len(pool), size=n, replace=False, p=w/w.sum())
    s = pool.iloc[idx]
    print(name, round(sc.score(s)/real,4), "tvd", round(tvd(s),4))
