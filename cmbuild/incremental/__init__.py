"""What the last build saw and made, so that the next one redoes only what changed.

`inputs` (what a build reads: sizes, times, digests), `stamp` (the no-op check), `index` (per post
and per variant, what the last build made), `shards` (the rendered variants), `rows` (a variant's
light form), `memo` (what a long-running process keeps between builds) and `config` (the loaded
configuration, by the digest of its files). Everything lives under `<output>/.cmbuild/`.
"""
