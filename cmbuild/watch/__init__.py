"""Veille: listen to the sources of brand/watch.toml, find the brand's topics, alert, halt.

`sources` is the contract every listener follows, `feed` reads RSS and Atom feeds, `matching` finds
the topics in what was heard, `spikes` compares the last day with the week, and `run` is the
`cmbuild watch` step, reading and writing state/watch/ through `cmbuild.stores.watch`.
"""
