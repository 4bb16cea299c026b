"""From a plan to writes: the executor, its adaptive concurrency, the apply lock, the event
stream reporters listen to, and the per-action report."""
