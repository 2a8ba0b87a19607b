"""Text primitives shared by the platforms: how to count, find entities and shorten a text.

`counting` measures a text the way each platform does, `entities` finds hashtags, links, mentions
and emoji, `truncate` shortens a text to fit a limit. Nothing here imports a heavy library at
import time.
"""
