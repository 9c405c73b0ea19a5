"""The Kubernetes manifests validate against the API schema of a fixed Kubernetes version,
unknown fields rejected, and keep the rules that matter: one beat, probes, resources, no
secret values."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate import utils as kubernetes

from tests.deploy.tools import KUBERNETES
from tests.servers import IN_CI

# The oldest minor version still supported by the major managed offerings when this was
# written; kubernetes-validate bundles its schemas (no network).
KUBERNETES_VERSION = "1.30.0"
EXAMPLE_SECRET = "secret.example.yaml"


def _documents(path: Path) -> list[Any]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _manifests() -> dict[str, list[Any]]:
    return {
        path.name: _documents(path)
        for path in sorted(KUBERNETES.glob("*.yaml"))
        if path.name != "kustomization.yaml"
    }


def _kustomization() -> Any:
    return yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())


def _deployed() -> list[Any]:
    """Every object `kubectl apply -k` creates."""
    return [
        document
        for name in _kustomization()["resources"]
        for document in _documents(KUBERNETES / name)
    ]


def _one(kind: str, name: str) -> Any:
    (found,) = [d for d in _deployed() if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def _pod_specs() -> list[tuple[str, Any]]:
    return [
        (document["metadata"]["name"], document["spec"]["template"]["spec"])
        for document in _deployed()
        if document["kind"] in {"Deployment", "Job"}
    ]


def _validate(document: Any) -> None:
    kubernetes.validate(document, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name", sorted(_manifests()))
def test_every_document_validates_strictly(name: str):
    documents = _manifests()[name]
    assert documents, f"{name} is empty"
    for document in documents:
        _validate(document)  # raises ValidationError or SchemaNotFoundError


def test_the_version_is_one_the_validator_bundles():
    assert "1.30.0" in kubernetes.all_versions()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("spec", "replicas"), "two"),
        (("spec", "replicass"), 2),  # an unknown field: strict mode rejects it
        (("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), "http"),
    ],
)
def test_validation_rejects_a_broken_manifest(path: tuple[str | int, ...], value: Any):
    broken = _one("Deployment", "planner-web")
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(kubernetes.ValidationError):
        _validate(broken)


def test_kustomization_lists_every_manifest_but_the_example_secret():
    kustomization = _kustomization()
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(_manifests()) - {EXAMPLE_SECRET}


def test_image_is_a_placeholder_kustomize_can_replace():
    (image,) = _kustomization()["images"]
    for name, spec in _pod_specs():
        for container in spec["containers"] + spec.get("initContainers", []):
            assert container["image"] == f"{image['name']}:latest", name


def test_no_secret_values_in_the_repository():
    assert all(document["kind"] != "Secret" for document in _deployed())
    (example,) = _documents(KUBERNETES / EXAMPLE_SECRET)
    assert set(example["stringData"]) == {
        "SECRET_KEY",
        "DATABASE_URL",
        "CACHE_URL",
        "CELERY_BROKER_URL",
        "EMAIL_HOST_PASSWORD",
        "METRICS_TOKEN",
    }
    for key, value in example["stringData"].items():
        assert "<" in value, f"{key} must be a placeholder"
    config = _one("ConfigMap", "planner-config")["data"]
    assert not set(config) & set(example["stringData"])


def test_every_container_reads_config_and_secret_and_has_resources():
    for name, spec in _pod_specs():
        for container in spec["containers"] + spec.get("initContainers", []):
            sources = container["envFrom"]
            assert {"configMapRef": {"name": "planner-config"}} in sources, name
            assert {"secretRef": {"name": "planner-secrets"}} in sources, name
            requests = container["resources"]["requests"]
            assert {"cpu", "memory"} <= set(requests), f"{name}/{container['name']}"
            assert "memory" in container["resources"]["limits"], f"{name}/{container['name']}"


def test_every_pod_runs_as_the_image_user_on_a_read_only_root():
    for name, spec in _pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == 1000, name
        volumes = {volume["name"] for volume in spec["volumes"] if "emptyDir" in volume}
        for container in spec["containers"] + spec.get("initContainers", []):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert mounts.keys() >= {"/tmp", "/app/var"}, name  # noqa: S108 - emptyDirs
            assert set(mounts.values()) <= volumes, name


def test_beat_is_single_and_never_overlaps_a_rollout():
    beat = _one("Deployment", "planner-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    (container,) = beat["spec"]["template"]["spec"]["containers"]
    assert container["command"][:4] == ["celery", "-A", "planner", "beat"]
    schedule = container["command"][container["command"].index("--schedule") + 1]
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert str(Path(schedule).parent) in mounts


def test_web_probes_health_and_readiness_on_its_port():
    web = _one("Deployment", "planner-web")
    assert web["spec"]["replicas"] >= 2
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    service = _one("Service", "planner-web")
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    budget = _one("PodDisruptionBudget", "planner-web")
    assert budget["spec"]["selector"] == web["spec"]["selector"]
    backend = _one("Ingress", "planner")["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend["service"] == {"name": "planner-web", "port": {"name": "http"}}


def test_worker_serves_metrics_where_prometheus_looks():
    config = _one("ConfigMap", "planner-config")["data"]
    for name, port in (("planner-web", "8000"), ("planner-worker", config["METRICS_WORKER_PORT"])):
        template = _one("Deployment", name)["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        assert annotations["prometheus.io/port"] == port
        ports = [p["containerPort"] for c in template["spec"]["containers"] for p in c["ports"]]
        assert int(port) in ports, name
    worker = _one("Deployment", "planner-worker")
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    assert container["command"][:4] == ["celery", "-A", "planner", "worker"]
    assert config["METRICS_WORKER_HOST"] == "0.0.0.0"  # noqa: S104 - inside the pod


def test_migrate_job_runs_migrate_once_and_cleans_up():
    job = _one("Job", "planner-migrate")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1
    assert job["spec"]["ttlSecondsAfterFinished"] > 0


def test_app_pods_wait_for_the_migrations():
    for name in ("planner-web", "planner-worker", "planner-beat"):
        spec = _one("Deployment", name)["spec"]["template"]["spec"]
        (init,) = spec["initContainers"]
        assert "manage.py migrate --check" in init["command"][-1], name


def test_production_settings():
    config = _one("ConfigMap", "planner-config")["data"]
    assert config["DEBUG"] == "false"
    assert config["SITE_URL"].startswith("https://")
    hosts = config["ALLOWED_HOSTS"].split(",")
    assert _one("Ingress", "planner")["spec"]["rules"][0]["host"] in hosts
    assert all(isinstance(value, str) for value in config.values())


def _kustomize(folder: Path) -> list[Any]:
    """`kubectl kustomize`, where kubectl is installed (it is not a Debian package the
    tests install; the checks above read the same files without it)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        # As for a missing server (tests/conftest.py): skipped on a laptop, a failure in CI.
        if IN_CI:
            pytest.fail("kubectl is missing: CI's machine has it (Google Cloud CLI's package)")
        pytest.skip("kubectl is not installed")
    result = subprocess.run(
        [kubectl, "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def test_kustomize_builds_what_validates():
    built = _kustomize(KUBERNETES)
    assert len(built) == len(_deployed())
    for document in built:
        _validate(document)
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == "planner"


def test_an_overlay_sets_the_image(tmp_path: Path):
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": [os.path.relpath(KUBERNETES, tmp_path)],
                "images": [
                    {"name": "planner", "newName": "registry.example.com/planner", "newTag": "1.2"}
                ],
            }
        )
    )
    images = {
        container["image"]
        for document in _kustomize(tmp_path)
        if document["kind"] in {"Deployment", "Job"}
        for container in document["spec"]["template"]["spec"]["containers"]
        + document["spec"]["template"]["spec"].get("initContainers", [])
    }
    assert images == {"registry.example.com/planner:1.2"}
