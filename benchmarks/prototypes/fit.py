"""Prototype helper: fit and save a TabGAN on Adult (the saved models the prototypes read).

    python benchmarks/prototypes/fit.py EPOCHS SEED OUT.tabgan
"""
import sys, time, torch
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from common import load_dataset
from tabgan import TabGAN
torch.set_num_threads(1)
epochs, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
train, test, target = load_dataset("adult")
t = time.time()
m = TabGAN(epochs=epochs, seed=seed).fit(train)
print("fit", time.time() - t, flush=True)
m.save(out)
