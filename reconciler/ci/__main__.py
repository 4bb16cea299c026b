"""`python -m reconciler.ci pr-comment|drift-issue`, called by the repository's GitHub action."""

from __future__ import annotations

from reconciler.ci.commands import main

if __name__ == "__main__":
    main()
