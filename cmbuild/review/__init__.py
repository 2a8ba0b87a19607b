"""Review a change to the content repository: what a pull request does to the schedule.

`compare.py` builds both sides (git revisions via `git.py`, or the working tree), `diff.py` computes
the `ScheduleDiff`, `markdown.py` renders it as a pull-request comment.
"""
