"""What an autoscaling/v2 HorizontalPodAutoscaler gets when left out (SetDefaults_HorizontalPodAutoscaler and
…Behavior): one copy for the server's defaulting and for the seeded objects, which are stored as defaulted."""

from __future__ import annotations

import copy
from typing import Any

_METRICS = [
    {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}
]
_BEHAVIOR = {
    "scaleUp": {
        "stabilizationWindowSeconds": 0,
        "selectPolicy": "Max",
        "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15},
        ],
    },
    "scaleDown": {
        "stabilizationWindowSeconds": 300,
        "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
    },
}


def default_metrics() -> list[dict[str, Any]]:
    return copy.deepcopy(_METRICS)


def default_behavior() -> dict[str, Any]:
    return copy.deepcopy(_BEHAVIOR)
