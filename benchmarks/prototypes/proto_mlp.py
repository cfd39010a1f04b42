"""Prototype (exploratory, kept for the record): filter candidate rows by an MLP on rank /
one-hot features (the design tabgan.refine ships), at several epochs and thresholds.

    python benchmarks/prototypes/proto_mlp.py MODEL.tabgan
"""
import sys, time
import numpy as np, pandas as pd, torch
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from common import load_dataset, TSTRScorer, FidelityScorer
from tabgan import TabGAN
from tabgan.encoding.convert import numeric_values
from tabgan.encoding.numeric import NumericCodec
from tabgan.encoding.discrete import CategoricalCodec
from sklearn.metrics import roc_auc_score
torch.set_num_threads(1)
train, test, target = load_dataset("adult")
n = len(train)
scorer = TSTRScorer(train, test, target)
fid = FidelityScorer(train)
m = TabGAN.load(sys.argv[1], device="cpu")
enc = m.encoder_
t = time.time()
fake_fit = m.sample(n, seed=7)
cand = m.sample(4 * n, seed=123)
print("sample", time.time() - t)
base = cand.iloc[:n]
print("baseline F1 %.4f" % scorer.score(base), flush=True)

class Feat:
    def __init__(self, real):
        self.parts = []
        for spec, codec in zip(enc.schema_, enc.codecs_):
            if isinstance(codec, NumericCodec):
                v = numeric_values(real[spec.name], spec); v = v[np.isfinite(v)]
                self.parts.append((spec, codec, np.quantile(v, np.linspace(0, 1, 129))))
            elif isinstance(codec, CategoricalCodec):
                self.parts.append((spec, codec, None))
    def __call__(self, df):
        cols = []
        for spec, codec, q in self.parts:
            if q is not None:
                v = numeric_values(df[spec.name], spec)
                fin = np.isfinite(v)
                u = np.interp(np.where(fin, v, q[0]), q, np.linspace(0, 1, len(q)))
                cols.append(u[:, None]); 
                if codec.states: cols.append((~fin)[:, None].astype(float))
            else:
                idx = codec.indices(df[spec.name], spec.name)
                oh = np.zeros((len(df), codec.width)); oh[np.arange(len(df)), idx] = 1
                cols.append(oh)
        return np.hstack(cols).astype(np.float32)

feat = Feat(train)
t = time.time()
Xr, Xf = feat(train), feat(fake_fit)
Xc = feat(cand)
print("feat", time.time() - t, Xr.shape)
def train_mlp(epochs, hidden, wd, drop, lr=1e-3):
    torch.manual_seed(0)
    X = torch.from_numpy(np.vstack([Xr, Xf])); y = torch.cat([torch.ones(len(Xr)), torch.zeros(len(Xf))])
    d = X.shape[1]
    net = torch.nn.Sequential(torch.nn.Linear(d, hidden), torch.nn.ReLU(), torch.nn.Dropout(drop),
                              torch.nn.Linear(hidden, hidden), torch.nn.ReLU(), torch.nn.Dropout(drop),
                              torch.nn.Linear(hidden, 1))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=wd)
    perm = torch.randperm(len(X)); va = perm[: len(X)//5]; tr = perm[len(X)//5:]
    for ep in range(epochs):
        net.train()
        for idx in tr[torch.randperm(len(tr))].split(256):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(X[idx]).squeeze(1), y[idx])
            opt.zero_grad(); loss.backward(); opt.step()
    net.eval()
    with torch.no_grad():
        auc = roc_auc_score(y[va].numpy(), net(X[va]).squeeze(1).numpy())
        logit = net(torch.from_numpy(Xc)).squeeze(1).numpy()
    return auc, np.exp(np.clip(logit, -20, 20))

for epochs, hidden, wd, drop in [(5, 256, 1e-2, 0.1), (15, 256, 1e-2, 0.1), (30, 256, 1e-2, 0.2)]:
    t = time.time()
    auc, w = train_mlp(epochs, hidden, wd, drop)
    print(f"mlp ep={epochs} h={hidden} auc {auc:.4f} time {time.time()-t:.1f}", np.round(np.quantile(w, [0.01, 0.1, 0.5, 0.9, 0.99]), 3), flush=True)
    for q in (0.5, 0.75, 0.9):
        c = np.quantile(w, q)
        acc = np.random.default_rng(5).random(len(w)) < np.minimum(1, w / c)
        idx = np.flatnonzero(acc)
        if len(idx) < n: print("  ", q, "too few", len(idx)); continue
        syn = cand.iloc[idx[:n]]
        f = fid.score(syn)
        print(f"  q={q} accept {acc.mean():.3f} F1 {scorer.score(syn):.4f}", {k: round(v, 4) for k, v in f.items() if 'mean' in k or 'assoc' in k}, flush=True)
