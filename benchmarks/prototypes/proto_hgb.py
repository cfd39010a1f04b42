"""Prototype (exploratory, kept for the record): on a saved model, (a) rewrite education-num
from education and score TSTR, (b) filter candidate rows by a HistGradientBoosting
real-vs-synthetic classifier at several thresholds and score TSTR and fidelity.

    python benchmarks/prototypes/proto_hgb.py MODEL.tabgan 100 300
"""
import sys, time
import numpy as np, pandas as pd, torch
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from common import load_dataset, TSTRScorer, FidelityScorer
from tabgan import TabGAN
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.preprocessing import OrdinalEncoder
from sklearn.metrics import roc_auc_score
torch.set_num_threads(1)
train, test, target = load_dataset("adult")
n = len(train)
scorer = TSTRScorer(train, test, target)
fid = FidelityScorer(train)
m = TabGAN.load(sys.argv[1], device="cpu")
fake_fit = m.sample(n, seed=7)
cand = m.sample(4 * n, seed=123)
base = cand.iloc[:n]
print("baseline F1 %.4f" % scorer.score(base), {k: round(v, 4) for k, v in fid.score(base).items() if "mean" in k or "assoc" in k}, flush=True)
mp = train.groupby("education")["education-num"].first()
rep = base.copy(); rep["education-num"] = rep["education"].map(mp).astype(base["education-num"].dtype)
print("consistency", (base["education"].map(mp) == base["education-num"]).mean())
print("repaired F1 %.4f" % scorer.score(rep), flush=True)
rep2 = base.copy(); rep2["education"] = rep2["education-num"].map(dict(zip(mp.values, mp.index)))
print("repaired-other-way F1 %.4f" % scorer.score(rep2), flush=True)
cat = [c for c in train.columns if not pd.api.types.is_numeric_dtype(train[c]) or pd.api.types.is_bool_dtype(train[c])]
num = [c for c in train.columns if c not in cat]
oe = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2).fit(train[cat].astype(str))
def X(df): return np.hstack([df[num].to_numpy(float), oe.transform(df[cat].astype(str))])
Xa = np.vstack([X(train), X(fake_fit)]); ya = np.r_[np.ones(n), np.zeros(n)]
is_cat = [False] * len(num) + [True] * len(cat)
perm = np.random.default_rng(0).permutation(len(Xa)); va, tr = perm[: len(Xa)//5], perm[len(Xa)//5:]
for iters in (int(a) for a in sys.argv[2:]):
    clf = HistGradientBoostingClassifier(max_iter=iters, categorical_features=is_cat, early_stopping=False, random_state=0)
    clf.fit(Xa[tr], ya[tr])
    print(f"iters {iters} val auc {roc_auc_score(ya[va], clf.predict_proba(Xa[va])[:,1]):.4f}", flush=True)
    clf.fit(Xa, ya)
    p = clf.predict_proba(X(cand))[:, 1].clip(1e-6, 1 - 1e-6)
    w = p / (1 - p)
    print("  w quantiles", np.round(np.quantile(w, [0.01, 0.1, 0.5, 0.9, 0.99]), 3))
    for q in (0.5, 0.75, 0.9):
        c = np.quantile(w, q)
        acc = np.random.default_rng(5).random(len(w)) < np.minimum(1, w / c)
        idx = np.flatnonzero(acc)
        if len(idx) < n: print("  ", q, "too few", len(idx)); continue
        syn = cand.iloc[idx[:n]]
        f = fid.score(syn)
        print(f"  q={q} accept {acc.mean():.3f} F1 {scorer.score(syn):.4f}", {k: round(v, 4) for k, v in f.items() if 'mean' in k or 'assoc' in k}, flush=True)
