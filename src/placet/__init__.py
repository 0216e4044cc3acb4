"""Placet: a telecom operator's privacy policy as code, and the operations run from it.

The library API: load a policy, check it, and render what it promises.
"""

from placet.errors import PlacetError, PolicyError, PolicyValidationError
from placet.policy import Policy, PolicySet, bundled_operators, load_policy, load_policy_set

__all__ = [
    "PlacetError",
    "Policy",
    "PolicyError",
    "PolicySet",
    "PolicyValidationError",
    "__version__",
    "bundled_operators",
    "load_policy",
    "load_policy_set",
]

__version__ = "0.1.0"
