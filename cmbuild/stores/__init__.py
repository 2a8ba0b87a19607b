"""The files cmbuild keeps in the content repository's state/ folder, one module per file.

    ledger.py     state/ledger.jsonl: append-only record of every send, fsync'd; the file lock
    halts.py      state/halt.toml: what must not be published now (crisis stop), read by push
                  and by the preview alike
    metrics.py    state/metrics/YYYY-MM.jsonl: append-only snapshots of what posts and channels
                  measured, fsync'd per line, idempotent by snapshot key
    inbox.py      state/inbox.jsonl: append-only items the community said to the brand,
                  deduplicated by id; which of them were answered, and when

Each file has one schema and one module that reads and writes it; everything else asks that
module. Where each file lives is in `cmbuild.layout`.
"""
