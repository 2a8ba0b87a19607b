"""The crop and size arithmetic, on examples and as properties over any image and any limits."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from cmbuild.images.geometry import EPSILON, Limits, crop_box, fit, plan

sides = st.integers(min_value=100, max_value=12_000)
focus = st.tuples(st.floats(0, 1), st.floats(0, 1))


@st.composite
def limits(draw: st.DrawFn) -> Limits:
    low = draw(st.one_of(st.none(), st.floats(0.1, 3.0)))
    high = draw(st.one_of(st.none(), st.floats(0.2, 10.0)))
    if low is not None and high is not None and high < low + 0.02:
        high = low + 0.02  # a range a whole-pixel size can land in
    shape = draw(st.one_of(st.none(), st.tuples(st.integers(200, 2000), st.integers(200, 2000))))
    if shape is not None:  # platforms only offer shapes they accept
        ratio = shape[0] / shape[1]
        low = None if low is None else min(low, ratio)
        high = None if high is None else max(high, ratio)
    rules = Limits(
        aspect_min=low,
        aspect_max=high,
        shape=shape,
        long_edge=draw(st.one_of(st.none(), st.integers(300, 3000))),
        max_width=draw(st.one_of(st.none(), st.integers(1500, 4000))),
        max_height=draw(st.one_of(st.none(), st.integers(1500, 4000))),
        max_pixels=draw(st.one_of(st.none(), st.integers(3_000_000, 40_000_000))),
        min_width=draw(st.one_of(st.none(), st.integers(100, 320))),
    )
    # Real platforms' limits can all be met at once: a minimum width of a very tall ratio must
    # still fit under the maximum height.
    if rules.min_width and rules.aspect_max and rules.max_height:
        assume(rules.min_width / rules.aspect_max <= rules.max_height - 2)
    return rules


@given(sides, sides, focus, st.floats(0.1, 3.0), st.floats(0.05, 5.0))
def test_crop_is_inside_the_image_and_holds_the_focus(
    width: int, height: int, point: tuple[float, float], low: float, span: float
) -> None:
    box = crop_box(width, height, point, low, low + span)
    assert box.left >= -EPSILON and box.right <= width + 1e-6
    assert box.top >= -EPSILON and box.bottom <= height + 1e-6
    assert low - 1e-6 <= box.width / box.height <= low + span + 1e-6
    fx, fy = point[0] * width, point[1] * height
    assert box.left - 1e-6 <= fx <= box.right + 1e-6
    assert box.top - 1e-6 <= fy <= box.bottom + 1e-6


@given(sides, sides, focus, st.floats(0.1, 3.0), st.floats(0.05, 5.0))
def test_crop_keeps_an_accepted_ratio_and_cuts_the_least(
    width: int, height: int, point: tuple[float, float], low: float, span: float
) -> None:
    box = crop_box(width, height, point, low, low + span)
    ratio = width / height
    if low <= ratio <= low + span:
        assert (box.width, box.height) == (width, height)
    else:  # one side is kept whole
        assert box.width == width or box.height == height


@given(sides, sides, focus, limits())
def test_output_size_is_within_every_limit(
    width: int, height: int, point: tuple[float, float], rules: Limits
) -> None:
    planned = plan(width, height, point, rules)
    w, h = planned.fit.width, planned.fit.height
    assert w >= 1 and h >= 1
    if rules.aspect_min is not None:
        assert w / h >= rules.aspect_min - EPSILON
    if rules.aspect_max is not None:
        assert w / h <= rules.aspect_max + EPSILON
    if rules.max_width is not None:
        assert w <= rules.max_width
    if rules.max_height is not None:
        assert h <= rules.max_height
    if rules.max_pixels is not None:
        assert w * h <= rules.max_pixels
    if not planned.fit.upscaled:  # never larger than the crop, unless the platform's minimum
        assert w <= round(planned.box.width) + 1 and h <= round(planned.box.height) + 1
    box = planned.box
    fx, fy = point[0] * width, point[1] * height
    assert box.left - 1e-6 <= fx <= box.right + 1e-6
    assert box.top - 1e-6 <= fy <= box.bottom + 1e-6
    assert box.left >= -1e-6 and box.right <= width + 1e-6


def test_panorama_on_instagram_is_cut_to_191_around_the_focus() -> None:
    box = crop_box(4000, 1000, (0.9, 0.5), 0.8, 1.91)
    assert (box.width, box.height) == (1910, 1000)
    assert box.right == 4000  # the focus is near the right edge: the crop stops at the edge


def test_recommended_size_caps_the_long_edge() -> None:
    sized = fit(3000, 2000, Limits(long_edge=1600))
    assert (sized.width, sized.height, sized.small, sized.upscaled) == (1600, 1067, False, False)
    # The long edge is the height for a portrait, and a source already that size is kept as is.
    portrait = fit(2000, 3000, Limits(long_edge=1600))
    assert (portrait.width, portrait.height, portrait.small) == (1067, 1600, False)
    exact = fit(1600, 1000, Limits(long_edge=1600))
    assert (exact.width, exact.height, exact.small) == (1600, 1000, False)


def test_small_source_is_kept_and_flagged() -> None:
    sized = fit(800, 600, Limits(long_edge=1600))
    assert (sized.width, sized.height, sized.small, sized.upscaled) == (800, 600, True, False)


def test_narrower_than_the_platform_minimum_is_enlarged_and_flagged() -> None:
    sized = fit(200, 150, Limits(long_edge=1350, min_width=320))
    assert (sized.width, sized.height, sized.upscaled) == (320, 240, True)


def test_rounding_stays_inside_the_ratio_range() -> None:
    # 1080 × 4/5 would round to a ratio just under 0.8 for some heights; never past the bound.
    for height in range(400, 1400):
        sized = fit(height * 0.8, height, Limits(aspect_min=0.8, aspect_max=1.91))
        assert sized.width / sized.height >= 0.8 - EPSILON
