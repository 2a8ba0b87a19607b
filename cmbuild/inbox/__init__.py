"""The community inbox: `cmbuild inbox` (read and store), `cmbuild reply` (answer exactly once).

fetch.py      each channel's platform reader, from where the store stopped, into
              state/inbox.jsonl; one channel failing never stops the others
answer.py     one answer to one item, through the ledger: pending, sent, reconciled after
              a crash, never twice
"""
