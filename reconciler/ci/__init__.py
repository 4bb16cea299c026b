"""Publishing reconcile's reports where CI users read them (GitHub pull requests and issues)."""
