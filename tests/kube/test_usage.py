import pytest

from console.kube.usage import metrics_path, quantity, usage_rows


@pytest.mark.parametrize(
    ("text", "value"), [("250m", 0.25), ("12345678n", 0.012345678), ("128Mi", 128 * 2**20), ("1", 1.0), ("x", 0.0)]
)
def test_quantities(text, value):
    assert quantity(text) == pytest.approx(value)


def test_pod_metrics_rows_and_total():
    metrics = {
        "containers": [
            {"name": "app", "usage": {"cpu": "120m", "memory": "64Mi"}},
            {"name": "side", "usage": {"cpu": "5000000n", "memory": "16384Ki"}},
        ]
    }
    assert usage_rows(metrics) == [
        {"name": "app", "cpu": "120m", "memory": "64.0Mi"},
        {"name": "side", "cpu": "5m", "memory": "16.0Mi"},
        {"name": "total", "cpu": "125m", "memory": "80.0Mi"},
    ]


def test_metrics_paths():
    assert metrics_path("Pod", "shop", "web") == "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web"
    assert metrics_path("Node", "", "n1") == "/apis/metrics.k8s.io/v1beta1/nodes/n1"
    assert metrics_path("Service", "shop", "web") == ""
