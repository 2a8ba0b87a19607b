"""The image stage: every post's images cut, branded and encoded for each channel.

For each image a variant needs, the stage crops the source around the post's focal point to a
ratio the platform accepts, scales it to the platform's size (never enlarging it silently), draws
the brand overlay, strips all metadata, and encodes it within the platform's byte limit at the best
quality that fits. A post without an image gets a title card where the platform requires an image.
Outputs are cached by content; see docs/images.md.

    result = process_images(root, out, jobs, charter, workers=2, cache_dir=out / ".cmbuild")
"""

from __future__ import annotations

from cmbuild.images.brand import Brand, load_brand
from cmbuild.images.jobs import ImageJob, ImageResult
from cmbuild.images.stage import process_images

__all__ = ["Brand", "ImageJob", "ImageResult", "load_brand", "process_images"]
