"""Resampling many outputs from one decoded image, each from the cheapest good starting point.

Mainline Pillow's Lanczos resize costs in proportion to the pixels it reads, and it is most of the
time a build spends on images. So each output starts from the smallest image already at hand that
still has at least its resolution: the decoded source, a copy box-reduced by an integer factor
(a few milliseconds; what JPEG draft decoding does in the DCT), or a larger output of the whole
frame made just before (2000 px wide serves 1600 px). Outputs are made largest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from cmbuild.images.geometry import Box

# Box-reduce by the largest integer factor that leaves at least this ratio to the Lanczos pass.
# 1.0 matches JPEG draft mode; larger values are closer to a single Lanczos pass, and slower.
REDUCE_GAP = 1.0
_SLACK = 1e-6


@dataclass(frozen=True)
class _Level:
    image: Image.Image
    sx: float  # this level's pixels per source pixel, across
    sy: float  # and down


class Pyramid:
    """The decoded image and what was made from it, for the outputs still to come."""

    def __init__(self, base: Image.Image) -> None:
        self.base = base
        self.levels: list[_Level] = [_Level(base, 1.0, 1.0)]
        self._reduced: set[int] = {1}

    def resample(self, box: Box, size: tuple[int, int]) -> Image.Image:
        """The part `box` of the source at `size` (maybe shared: draw on a copy)."""
        level = self._start(box, size)
        image = level.image
        bounds = (
            max(0.0, box.left * level.sx),
            max(0.0, box.top * level.sy),
            min(float(image.width), box.right * level.sx),
            min(float(image.height), box.bottom * level.sy),
        )
        if size == image.size and bounds == (0.0, 0.0, float(image.width), float(image.height)):
            return image
        result = image.resize(size, Image.Resampling.BICUBIC, box=bounds)
        if self._whole(box):
            self.levels.append(
                _Level(result, size[0] / self.base.width, size[1] / self.base.height)
            )
        return result

    def _start(self, box: Box, size: tuple[int, int]) -> _Level:
        def ratio(level: _Level) -> float:
            return min(box.width * level.sx / size[0], box.height * level.sy / size[1])

        base = self.levels[0]
        if ratio(base) < 1:
            return base  # enlarging: only the source has the detail
        usable = [(ratio(level), level) for level in self.levels if ratio(level) >= 1 - _SLACK]
        best_ratio, best = min(usable, key=lambda found: found[0])
        step = int(ratio(base) / REDUCE_GAP)
        if step > 1 and step not in self._reduced and ratio(base) / step < best_ratio:
            reduced = self.base.reduce(step)
            self._reduced.add(step)
            best = _Level(
                reduced, reduced.width / self.base.width, reduced.height / self.base.height
            )
            self.levels.append(best)
        return best

    def _whole(self, box: Box) -> bool:
        return (
            abs(box.left) < _SLACK
            and abs(box.top) < _SLACK
            and abs(box.right - self.base.width) < _SLACK
            and abs(box.bottom - self.base.height) < _SLACK
        )
