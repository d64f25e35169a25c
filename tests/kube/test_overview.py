from console.kube.overview import container_state, key_names, overview, service_ports, slice_endpoints


def _pod() -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-1",
            "namespace": "shop",
            "labels": {"app": "web"},
            "annotations": {"note": "x", "kubectl.kubernetes.io/last-applied-configuration": "{secret}"},
        },
        "spec": {
            "nodeName": "node-a",
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "side", "image": "envoy"}],
        },
        "status": {
            "phase": "Running",
            "podIP": "10.0.0.5",
            "hostIP": "192.168.1.2",
            "startTime": "2026-11-27T10:00:00Z",
            "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
            "initContainerStatuses": [
                {
                    "name": "init",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                }
            ],
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 2, "state": {"running": {}}},
                {
                    "name": "side",
                    "ready": False,
                    "restartCount": 7,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                },
            ],
        },
    }


def test_a_pod_shows_its_addresses_and_containers_with_state_and_reason():
    facts = overview(_pod())
    values = {field["label"]: field["value"] for field in facts.fields}
    assert values["Phase"] == "Running"
    assert values["Pod IP"] == "10.0.0.5"
    assert values["Node"] == "node-a"
    assert [(c["name"], c["ready"], c["restarts"], c["state"]) for c in facts.containers] == [
        ("app", "true", "2", "Running"),
        ("side", "false", "7", "Waiting: CrashLoopBackOff"),
    ]
    assert facts.containers[1]["tone"] == "err"
    assert facts.init_containers[0]["state"] == "Terminated: Completed (exit 0)"
    assert facts.labels == ["app=web"]
    assert facts.annotations == ["note=x"]  # last-applied (which may hold values) is never shown
    assert facts.conditions[0]["tone"] == "warn"


def test_a_deployment_shows_replicas_strategy_selector_and_images():
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "api"},
        "spec": {
            "replicas": 3,
            "strategy": {"type": "RollingUpdate"},
            "selector": {"matchLabels": {"app": "api"}},
            "template": {"spec": {"containers": [{"name": "api", "image": "api:2"}]}},
        },
        "status": {"readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 3},
    }
    values = {field["label"]: field["value"] for field in overview(deployment).fields}
    assert (values["Desired"], values["Ready"], values["Available"], values["Updated"]) == ("3", "2", "2", "3")
    assert values["Strategy"] == "RollingUpdate"
    assert values["Selector"] == "app=api"
    assert values["Images"] == "api:2"


def test_a_daemonset_shows_its_scheduling_counts():
    daemonset = {
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {"template": {"spec": {"nodeSelector": {"role": "worker"}}}},
        "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2, "numberMisscheduled": 1},
    }
    values = {field["label"]: field["value"] for field in overview(daemonset).fields}
    assert values["Misscheduled"] == "1"
    assert values["Node selector"] == "role=worker"
    assert values["Available"] == "0"


def test_a_service_shows_ports_and_ready_endpoints():
    service = {
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": "10.96.0.10",
            "selector": {"app": "web"},
            "ports": [
                {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
                {"port": 53, "protocol": "UDP"},
            ],
        },
    }
    assert service_ports(service) == ["http: 80/TCP → 8080", "53/UDP → 53"]
    slices = [
        {
            "ports": [{"port": 8080}],
            "endpoints": [
                {"addresses": ["10.0.0.5"], "conditions": {"ready": True}},
                {"addresses": ["10.0.0.6"], "conditions": {"ready": False}},
            ],
        }
    ]
    assert slice_endpoints(slices) == ["10.0.0.5:8080"]
    assert overview(service, endpoint_slices=slices).endpoints == ["10.0.0.5:8080"]


def test_a_secret_shows_key_names_never_values():
    secret = {"kind": "Secret", "type": "Opaque", "metadata": {"name": "db"}, "data": {"password": "c2VjcmV0"}}
    facts = overview(secret)
    assert facts.keys == ["password"]
    assert "c2VjcmV0" not in repr(facts)
    assert key_names({"data": {"b": "1"}, "binaryData": {"a": "2"}}) == ["a", "b"]


def test_container_state_of_an_unknown_state():
    assert container_state({}) == ("Unknown", "muted")
