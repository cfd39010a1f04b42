"""Sampling noise of a small table's TSTR: one fitted model, 10 draws, with and without the
refinement filter.

    python benchmarks/prototypes/noise.py diabetes 1 70
"""
import sys, numpy as np, torch
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from common import load_dataset, TSTRScorer
from tabgan import TabGAN
torch.set_num_threads(1)
ds, s, bs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
train, test, target = load_dataset(ds)
sc = TSTRScorer(train, test, target)
m = TabGAN(epochs=300, batch_size=bs, seed=s).fit(train)
r = m.refiner_
print("z", r and r.evidence)
ref = [sc.score(m.sample(len(train), seed=k)) for k in range(10)]
m.refiner_ = None
pl = [sc.score(m.sample(len(train), seed=k)) for k in range(10)]
print("refined", np.round(ref, 3), np.mean(ref), np.std(ref))
print("plain  ", np.round(pl, 3), np.mean(pl), np.std(pl))
