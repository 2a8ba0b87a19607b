"""`cmbuild push`: publish what is due from the manifest, exactly once, and record it in a ledger.

The layout follows one push:

    plan.py       what is due at a given time: publishable, not yet published, not halted, not stale
    apply.py      reconcile interrupted sends, then publish each due variant in schedule order
    session.py    what one push works with: settings, channels, publishers, ledger, redaction
    retract.py    delete a campaign's published posts; `resolve` for sends nobody can check
    retry.py      timeouts, backoff, Retry-After
    secrets.py    credentials from the environment variables named in channels.toml, redaction
    media.py      the image files a variant carries, checked against the manifest's digests
    report.py     what happened, variant by variant (the CLI shows it)

Publishers are not here: each platform's lives in its folder (`cmbuild/platforms/<name>/`), the
interface and what several share in `cmbuild/platforms/shared/`, and the registry
(`cmbuild.platforms.publisher_class`) says which one a channel uses.

The push step reads only the manifest (cmbuild/manifest/reader.py), channels.toml and its own
state (cmbuild/stores/: the ledger and the halts); it never builds.
"""
