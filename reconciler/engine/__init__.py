"""The algorithms, which know no kind and no API: `planning` (read, diff, order, saved plans),
`applying` (execute with bounded concurrency, preconditions and a per-action report), drift
and export. The kinds they work on are passed in as `core.kind.Resource` objects.
"""
