"""deploy/ parses, and keeps the production invariants: non-root, probes, resources, draining."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from services.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
ROLES = {"api": 2, "projector": 1, "scheduler": 2, "notifier": 2, "translator": 2}
APP_UID = 10001


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _manifests() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


def _kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in _manifests() if d["kind"] == kind}


def _env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "redress.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


# --- Dockerfile ----------------------------------------------------------------------------


def _stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuations joined), split by stage."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    stages: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("FROM "):
            stages.append([])
        if stages and line and not line.startswith((" ", "#")):
            stages[-1].append(line)
    return stages


def test_dockerfile_is_multi_stage_and_the_runtime_runs_as_non_root() -> None:
    stages = _stages()
    assert len(stages) >= 2
    runtime = stages[-1]
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in (DEPLOY / "Dockerfile").read_text()
    assert any(i.startswith("COPY --from=builder /opt/redress /opt/redress") for i in runtime)
    users = [i.split()[1] for i in runtime if i.startswith("USER ")]
    assert users and users[-1].split(":")[0] == str(APP_UID)


def test_dockerfile_serves_the_api_with_a_healthcheck() -> None:
    runtime = _stages()[-1]
    assert "EXPOSE 8000" in runtime
    (healthcheck,) = (i for i in runtime if i.startswith("HEALTHCHECK "))
    assert "/healthz" in healthcheck
    (entrypoint,) = (i for i in runtime if i.startswith("ENTRYPOINT "))
    assert yaml.safe_load(entrypoint.removeprefix("ENTRYPOINT "))[-1] == "redress"
    (cmd,) = (i for i in runtime if i.startswith("CMD "))
    assert yaml.safe_load(cmd.removeprefix("CMD ")) == [
        "api",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in (".git", ".venv", "var", "artifacts", "**/__pycache__", "deploy/*.env"):
        assert entry in ignored


# --- compose ---------------------------------------------------------------------------------


DATABASE_SERVICES = ("postgres", "postgres-replica", "pgbouncer")
# Every role: its pools through PgBouncer, its sessions on the primary, reads on the replica.
URL_HOSTS = {
    "REDRESS_DATABASE_URL": "pgbouncer:6432",
    "REDRESS_SESSION_DATABASE_URL": "postgres:5432",
    "REDRESS_READ_DATABASE_URL": "postgres-replica:5432",
}


def test_compose_runs_every_role_against_postgres_after_the_migration() -> None:
    services = _load(DEPLOY / "compose.yaml")["services"]
    assert set(services) == {
        "postgres",
        "postgres-replica",
        "pgbouncer",
        "migrate",
        "api-1",
        "api-2",
        "projector",
        "scheduler",
        "notifier",
        "translator",
    }
    assert services["postgres"]["image"] == "postgres:15"
    assert services["postgres"]["healthcheck"]["test"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name, service in services.items():
        if name in DATABASE_SERVICES:
            continue
        env = service["environment"]
        assert env["REDRESS_ENVIRONMENT"] == "production"
        for setting, host in URL_HOSTS.items():
            assert re.fullmatch(
                rf"postgresql://redress:\$\{{POSTGRES_PASSWORD:\?[^}}]+\}}@{host}/redress",
                env[setting],
            ), setting
        assert service["depends_on"]["pgbouncer"]["condition"] == "service_started"
        assert service["env_file"] == "redress.env"
        assert service["stop_grace_period"] == "30s"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        if name != "migrate":
            assert service["restart"] == "unless-stopped"
            assert service["depends_on"]["migrate"]["condition"] == (
                "service_completed_successfully"
            )
            role = service["command"][0]
            assert role == name.split("-")[0] and role in ROLES
            api = role == "api"
            assert ("/healthz" in str(service["healthcheck"].get("test"))) is api
            assert service["healthcheck"].get("disable", False) is not api
    assert {services[n]["ports"][0] for n in ("api-1", "api-2")} == {"8001:8000", "8002:8000"}


def test_compose_pools_the_primary_in_transaction_mode_and_streams_a_replica() -> None:
    services = _load(DEPLOY / "compose.yaml")["services"]
    ini = (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text(encoding="utf-8")
    assert re.search(r"^pool_mode = transaction$", ini, re.M)
    assert re.search(r"^redress = host=postgres port=5432 dbname=redress$", ini, re.M)
    assert services["pgbouncer"]["build"]["context"] == "pgbouncer"
    replica = services["postgres-replica"]
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    start = (DEPLOY / "postgres" / "replica-start.sh").read_text(encoding="utf-8")
    assert "pg_basebackup -h postgres" in start and " -R " in start


def test_the_env_example_holds_only_placeholders_that_production_refuses() -> None:
    values = _env_example()
    assert {"POSTGRES_PASSWORD", "REDRESS_ADMIN_TOKEN"} <= set(values)
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", admin_token=values["REDRESS_ADMIN_TOKEN"])
    assert values["POSTGRES_PASSWORD"] == "changeme"


# --- Kubernetes ------------------------------------------------------------------------------


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    listed = set(_load(K8S / "kustomization.yaml")["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present - {"secret.example.yaml"}
    for doc in _manifests():
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"]


def _pod_specs() -> dict[str, dict[str, Any]]:
    workloads = {
        name: w
        for name, w in {**_kind("Deployment"), **_kind("Job")}.items()
        if name.startswith("redress-")
    }
    assert set(workloads) == {f"redress-{role}" for role in ROLES} | {"redress-migrate"}
    return {name: w["spec"]["template"]["spec"] for name, w in workloads.items()}


def test_every_pod_runs_non_root_read_only_with_resources_and_a_30s_grace() -> None:
    for name, pod in _pod_specs().items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == APP_UID, name
        assert pod["terminationGracePeriodSeconds"] == 30, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), name
            sources = {next(iter(s.values()))["name"] for s in container["envFrom"]}
            assert sources == {"redress-config", "redress-secrets"}, name


def test_deployments_run_each_role_with_its_replicas_and_the_api_is_probed() -> None:
    deployments = _kind("Deployment")
    for role, replicas in ROLES.items():
        deployment = deployments[f"redress-{role}"]
        assert deployment["spec"]["replicas"] == replicas
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"][0] == role
    (api,) = deployments["redress-api"]["spec"]["template"]["spec"]["containers"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["ports"] == [
        {"name": "http", "containerPort": 8000, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 9100, "protocol": "TCP"},
    ]
    job = _kind("Job")["redress-migrate"]["spec"]["template"]["spec"]
    assert job["containers"][0]["args"] == ["migrate"]
    assert job["restartPolicy"] == "Never"


def test_every_background_role_is_probed_and_scraped_on_its_internal_port() -> None:
    config = _kind("ConfigMap")["redress-config"]["data"]
    port = int(config["REDRESS_METRICS_PORT"])
    deployments = _kind("Deployment")
    for role in ROLES:
        template = deployments[f"redress-{role}"]["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true", role
        assert int(annotations["prometheus.io/port"]) == port, role
        (container,) = template["spec"]["containers"]
        assert {"name": "metrics", "containerPort": port, "protocol": "TCP"} in container["ports"]
        if role == "api":
            continue
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"}, role


def test_the_service_and_disruption_budgets_select_their_deployments() -> None:
    deployments = _kind("Deployment")

    def selects(selector: dict[str, str], role: str) -> bool:
        labels = deployments[f"redress-{role}"]["spec"]["template"]["metadata"]["labels"]
        return selector.items() <= labels.items()

    service = _kind("Service")["redress-api"]
    assert selects(service["spec"]["selector"], "api")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    budgets = _kind("PodDisruptionBudget")
    for role in ("api", "scheduler", "notifier"):
        assert selects(budgets[f"redress-{role}"]["spec"]["selector"]["matchLabels"], role)


def test_the_secret_example_is_all_placeholders() -> None:
    (secret,) = _kind("Secret").values()
    data = secret["stringData"]
    assert "changeme" in data["REDRESS_DATABASE_URL"]
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", admin_token=data["REDRESS_ADMIN_TOKEN"])


def test_k8s_pools_through_pgbouncer_and_reads_from_a_streaming_replica() -> None:
    config = _kind("ConfigMap")
    ini = config["pgbouncer-config"]["data"]["pgbouncer.ini"]
    assert re.search(r"^pool_mode = transaction$", ini, re.M)
    (bouncer,) = _kind("Deployment")["pgbouncer"]["spec"]["template"]["spec"]["containers"]
    assert bouncer["image"] == "redress-pgbouncer"
    service = _kind("Service")["pgbouncer"]["spec"]
    assert service["ports"][0]["port"] == 6432
    replica = _kind("StatefulSet")["postgres-replica"]["spec"]["template"]["spec"]
    assert replica["containers"][0]["image"] == "postgres:15"
    start = config["postgres-replica-start"]["data"]["replica-start.sh"]
    assert "pg_basebackup" in start and " -R " in start
    (secret,) = _kind("Secret").values()
    urls = secret["stringData"]
    assert "@pgbouncer:6432/" in urls["REDRESS_DATABASE_URL"]
    assert "@postgres-replica:5432/" in urls["REDRESS_READ_DATABASE_URL"]
    assert urls["REDRESS_SESSION_DATABASE_URL"].startswith("postgresql://")
