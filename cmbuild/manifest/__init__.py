"""output/manifest.json, the contract between the build and push, written and read side by side.

    writer.py     the build's side: content hashes, one entry per variant, the whole file
    reader.py     push's side: the entries push may publish, validated again

The schema both sides follow is docs/manifest.schema.json (a test validates the writer's output
against it).
"""
