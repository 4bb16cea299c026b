"""The shared vocabulary of the engine and the kinds: actions and the plan model, the kind
protocol and the live objects it exchanges, observations and fingerprints, secrets, Stripe
facts, and the output gateway every printed text and written file passes.

It imports only the manifests and the API clients below it, never the engine, a kind, a view
or the CLI (see the import contracts in pyproject.toml).
"""
