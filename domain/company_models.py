"""The six company models of the source articles (DOMAIN.md §1), named once: ownership routing reads
them from the configuration, the playbook's knowledge is keyed by them, questions are mapped to them."""

from typing import Literal, get_args

CompanyModelName = Literal[
    "high_touch_startup",
    "low_touch_startup",
    "high_touch_growth",
    "low_touch_growth",
    "technical_buyer",
    "plg",
]
# In the articles' order: model 1 to model 6.
COMPANY_MODELS: tuple[str, ...] = get_args(CompanyModelName)
