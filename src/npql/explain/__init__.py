"""The explanation stage: why a connection is allowed or denied, and what policies say.

Pure functions over the model and the compiled policies; no solver, no parser.
"""

from npql.explain.connection import check_rule, explain_connection
from npql.explain.describe import describe_peer, describe_policy, describe_port
from npql.explain.inspection import isolation, pods_selected_by, policies_selecting
from npql.explain.values import (
    DROPPED,
    Address,
    Explanation,
    PolicyCheck,
    RuleCheck,
    SideExplanation,
)

__all__ = [
    "DROPPED",
    "Address",
    "Explanation",
    "PolicyCheck",
    "RuleCheck",
    "SideExplanation",
    "check_rule",
    "describe_peer",
    "describe_policy",
    "describe_port",
    "explain_connection",
    "isolation",
    "pods_selected_by",
    "policies_selecting",
]
