"""Old import path of the sampling lanes, kept for one release: use
:mod:`tabgan.sampling.lanes`."""

from tabgan.sampling.lanes import MAX_LANES, Lanes, lane_count

__all__ = ["MAX_LANES", "Lanes", "lane_count"]
