"""`cmbuild slots`: when each channel's audience is there, learned from its own history.

week.py      the 168 hours of a week in a channel's zone; real hours per cell (DST-correct)
history.py   what the stores say of each channel: posts (publish time, engagements) and the
             audience's interactions, read in one streaming pass
scores.py    the scores: pure functions of a channel's history
defaults.py  the per-platform defaults (defaults.toml), used where data is thin
run.py       `slots`: channels.toml, the stores and the clock → each channel's ranked slots
propose.py   the change to channels.toml's `slots = [...]`, as a unified diff
warnings.py  `cmbuild check`: posts fixed in a channel's weakest hours
heatmap.py   the week as an SVG heatmap (report, preview)
"""
