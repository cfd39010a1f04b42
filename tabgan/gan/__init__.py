"""The conditional GAN (torch only): span layout, sampler, networks and training loop."""

from tabgan.gan.layout import TorchLayout
from tabgan.gan.networks import Discriminator, Generator
from tabgan.gan.sampler import ConditionalSampler, ConditionBatch
from tabgan.gan.train import EpochInfo, TrainConfig, Trainer

__all__ = [
    "ConditionBatch",
    "ConditionalSampler",
    "Discriminator",
    "EpochInfo",
    "Generator",
    "TorchLayout",
    "TrainConfig",
    "Trainer",
]
