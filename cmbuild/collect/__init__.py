"""`cmbuild collect`: read back what each published post measured, at fixed ages, into the store.

    plan.py   which (variant, age) readings are due, from the ledger and what the store holds
    run.py    read them through each channel's platform reader, append each to state/metrics/

The readers live in their platform's folder (`cmbuild/platforms/<name>/metrics.py`, named by
`Platform.metrics`); the store is cmbuild/stores/metrics.py.
"""
