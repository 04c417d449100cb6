"""Org-design knowledge (company models, renewal ownership, team size, org charts) and its answers.

Filled by the org-design feature; the package exists so the layout matches the architecture.
"""
