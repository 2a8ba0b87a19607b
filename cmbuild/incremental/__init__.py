"""What the last build saw and made, so that the next one redoes only what changed.

Under `<output>/.cmbuild/`:
- `stamp.json` (`stamp`), small: the size and modification time of every input, the summary and
  findings of the build. When every input still has the same size and time, nothing is rebuilt
  (the no-op path imports no template, Markdown or YAML library at all).
- `index.json` (`index`): per post, the content digest and the cache key it was rendered with, its
  schedule requests, and one light *row* per variant (what every build-wide stage reads: channel,
  time, status, final findings, the digest of its text file, where its entry sits in
  manifest.json and its event in calendar.ics); per image, its facts; per output file, the digest
  written. A post is re-rendered only when its own bytes, a template, the charter, channels.toml,
  one of its images or its resolved times changed: dependency tracking by content digest, with
  size and time only as a shortcut to skip hashing (`inputs`).
- `shards/NN.json` (`shards`): the rendered variants and calendar events of the posts whose source
  hashes to NN, read only when one of them has to be looked at again (its findings changed, the
  preview needs it). A one-post edit rewrites one shard, not the whole state.
- `config.pickle` (`config`): the loaded configuration, by the digest of its files.

`rows` is the light form of a variant the build-wide stages work on; `memo` what a long-running
process keeps in memory between builds. Every file is replaced atomically, but not synced to disk
(the manifest and the calendar are): a missing or unreadable one, after a power cut, only makes the
next build slower.
"""

STATE_DIR = ".cmbuild"  # under the output folder
FORMAT = 4  # of stamp.json and index.json: another format is not read (the build starts over)
