"""From manifests and live state to a plan: reading in bulk, diffing, ordering, adoption,
saved plans and the checks that a saved plan still holds."""
