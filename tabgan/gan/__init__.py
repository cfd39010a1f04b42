"""The conditional GAN (torch only): span layout, sampler, networks and training loop."""

from tabgan.gan.layout import TorchLayout
from tabgan.gan.networks import Discriminator, Generator
from tabgan.gan.sampler import ConditionalSampler, ConditionBatch
from tabgan.gan.train import (
    Callback,
    EpochCallback,
    EpochInfo,
    TrainConfig,
    Trainer,
    critic_pac,
    prefixed,
)

__all__ = [
    "Callback",
    "ConditionBatch",
    "ConditionalSampler",
    "Discriminator",
    "EpochCallback",
    "EpochInfo",
    "Generator",
    "TorchLayout",
    "TrainConfig",
    "Trainer",
    "critic_pac",
    "prefixed",
]
