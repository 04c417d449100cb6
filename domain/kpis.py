"""The retention KPIs, defined once: the digest computes them, the playbook explains them.

A ratio over nothing is not a number: with no starting ARR (or no customers at the start) each is None,
and whoever shows it says why.
"""


def nrr(starting_arr: float, expansion: float, contraction: float, churned: float) -> float | None:
    """Net revenue retention: (starting ARR + expansion − contraction − churned) / starting ARR."""
    if starting_arr <= 0:
        return None
    return (starting_arr + expansion - contraction - churned) / starting_arr


def grr(starting_arr: float, contraction: float, churned: float) -> float | None:
    """Gross revenue retention: (starting ARR − contraction − churned) / starting ARR."""
    if starting_arr <= 0:
        return None
    return (starting_arr - contraction - churned) / starting_arr


def logo_churn_rate(customers_lost: int, customers_at_start: int) -> float | None:
    """Customers lost in the period / customers at its start."""
    if customers_at_start <= 0:
        return None
    return customers_lost / customers_at_start
