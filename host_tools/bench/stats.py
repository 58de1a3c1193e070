"""Percentiles for bench rows."""


def pct(vals, p):
    """The p-th percentile (nearest rank) of vals."""
    v = sorted(vals)
    return v[min(len(v) - 1, (len(v) * p) // 100)]


def spread(vals):
    """'min / p50 / p99 / max' of a list of errors (early ones negative)."""
    return "%d / %d / %d / %d" % (min(vals), pct(vals, 50), pct(vals, 99), max(vals))
