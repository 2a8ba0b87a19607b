"""The schedule stage: when each variant goes out (`slots`: explicit times and channel slots)."""
