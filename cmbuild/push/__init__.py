"""`cmbuild push`: publish what is due from the manifest, exactly once, and record it in a ledger.

The layout follows one push:

    manifest.py   read output/manifest.json (what could be published, when)
    ledger.py     state/ledger.jsonl: append-only record of every send, fsync'd; the file lock
    halt.py       state/halt.toml: what must not be published now (crisis stop)
    plan.py       what is due at a given time: publishable, not yet published, not halted, not stale
    apply.py      reconcile interrupted sends, then publish each due variant in schedule order
    session.py    what one push works with: settings, channels, publishers, ledger, redaction
    retract.py    delete a campaign's published posts; `resolve` for sends nobody can check
    retry.py      timeouts, backoff, Retry-After
    secrets.py    credentials from the environment variables named in channels.toml, redaction
    media.py      the image files a variant carries, checked against the manifest's digests
    report.py     what happened, as a table
    commands.py   what the CLI commands call

Publishers are not here: each platform's lives in its folder (`cmbuild/platforms/<name>/`), the
interface and what several share in `cmbuild/platforms/shared/`, and the registry
(`cmbuild.platforms.publisher_class`) says which one a channel uses.

The push step reads only the manifest, channels.toml and its own state; it never builds.
"""
