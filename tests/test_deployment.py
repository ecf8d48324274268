"""docker-compose.yml and the Dockerfile start a working service on a fresh machine.

Images cannot be pulled here, so the deployment is run on this machine as compose would
run it: each service's command, environment and user (the image's uid 10001) from the
files themselves, in a folder that user cannot write (the image's root-owned /app),
its volumes as folders, and `postgres:5432/fundcase` as the test cluster in a fresh
schema. The file drifting from the code fails these tests.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest
import typer.main
import yaml
from psycopg import errors, sql
from sqlalchemy.engine import make_url

from infrastructure.eventstore import POSTGRES_FACTORY, persistence_env
from infrastructure.settings import Settings
from interfaces.cli import cli
from tests.conftest import POSTGRES_URL, free_port, stop_process, wait_for_service
from tests.e2e import bodies

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ONE_SHOT = ["secret", "migrate"]
LONG_RUNNING = ["api", "projector"]
APP_SERVICES = [*ONE_SHOT, *LONG_RUNNING]
OWNER = SERVICES["postgres"]["environment"]["POSTGRES_USER"]
GRANTED = SERVICES["migrate"]["command"][SERVICES["migrate"]["command"].index("--grant-to") + 1]


def _dockerfile(instruction: str) -> str:
    found = re.findall(rf"^{instruction} (.+)$", DOCKERFILE, re.MULTILINE)
    assert len(found) == 1, f"one {instruction} in the Dockerfile, found {found}"
    return str(found[0])


def _user(service: str) -> tuple[int, int]:
    """The uid and gid a service runs as: its own `user:`, else the image's USER."""
    uid, gid = str(SERVICES[service].get("user") or _dockerfile("USER")).split(":")
    return int(uid), int(gid)


def _option_envvars() -> set[str]:
    """The variables the CLI's own options read (besides the settings)."""
    names: set[str] = set()
    for command in typer.main.get_command(cli).commands.values():  # type: ignore[attr-defined]
        for param in command.params:
            envvar = getattr(param, "envvar", None)
            if isinstance(envvar, str):
                names.add(envvar)
    return names


# --- What the files say ------------------------------------------------------------


def test_compose_has_the_database_the_one_shots_the_api_and_the_projector() -> None:
    assert set(SERVICES) == {"postgres", *APP_SERVICES}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_is_a_setting_or_an_option_the_code_reads(service: str) -> None:
    settings = {f"FUNDCASE_{name.upper()}" for name in Settings.model_fields}
    variables = set(SERVICES[service]["environment"])
    assert variables <= settings | _option_envvars(), variables - settings - _option_envvars()
    # The values pass the settings' own validation.
    Settings(
        **{
            k.removeprefix("FUNDCASE_").lower(): v
            for k, v in SERVICES[service]["environment"].items()
            if k in settings
        }
    )


@pytest.mark.parametrize("service", ["migrate", *LONG_RUNNING])
def test_services_reach_the_compose_database(service: str) -> None:
    url = make_url(SERVICES[service]["environment"]["FUNDCASE_DATABASE_URL"])
    db = SERVICES["postgres"]["environment"]
    assert persistence_env(str(url))["PERSISTENCE_MODULE"] == POSTGRES_FACTORY
    assert (url.host, url.database) == ("postgres", db["POSTGRES_DB"])
    assert SERVICES[service]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_owner_migrates_and_the_service_connects_as_the_role_it_grants() -> None:
    owner = make_url(SERVICES["migrate"]["environment"]["FUNDCASE_DATABASE_URL"])
    db = SERVICES["postgres"]["environment"]
    assert (owner.username, owner.password) == (db["POSTGRES_USER"], db["POSTGRES_PASSWORD"])
    assert GRANTED != OWNER
    for service in LONG_RUNNING:
        url = make_url(SERVICES[service]["environment"]["FUNDCASE_DATABASE_URL"])
        assert (url.username, url.password) == (
            GRANTED,
            SERVICES["migrate"]["environment"]["FUNDCASE_ROLE_PASSWORD"],
        )
        needs = SERVICES[service]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"


def test_every_api_replica_reads_the_one_key_the_secret_service_keeps() -> None:
    api, maker = SERVICES["api"], SERVICES["secret"]
    made = Path(maker["command"][-1])
    assert maker["command"][:2] == ["fundcase", "make-secret"]
    (made_in,) = [v for v in maker["volumes"] if v.split(":")[1] == str(made.parent)]
    (read_from,) = [v for v in api["volumes"] if v.split(":")[0] == made_in.split(":")[0]]
    volume, target, mode = read_from.split(":")
    assert mode == "ro"
    assert api["environment"]["FUNDCASE_SECRET_FILE"] == f"{target}/{made.name}"
    assert api["depends_on"]["secret"]["condition"] == "service_completed_successfully"
    assert "FUNDCASE_SECRET" not in api["environment"]
    # The image gives the key's folder to the service's user, so a fresh volume is its.
    uid, gid = _user("secret")
    assert f"install -d -o {uid} -g {gid} -m 0700 {made.parent}" in DOCKERFILE
    assert volume in COMPOSE["volumes"]


def test_the_image_runs_as_uid_10001_and_leaves_app_to_root() -> None:
    assert _dockerfile("USER") == "10001:10001"
    assert _dockerfile("WORKDIR") == "/app"
    assert "chown" not in DOCKERFILE
    assert not re.search(r"-o \S+ .*/app\b", DOCKERFILE)
    assert shlex.split(_dockerfile("CMD").replace(",", " ").strip("[]")) == [
        *SERVICES["api"]["command"]
    ]
    for service in APP_SERVICES:
        assert SERVICES[service]["read_only"] is True, service
        assert "user" not in SERVICES[service] or _user(service) == (10001, 10001)


@pytest.mark.parametrize("service", ["postgres", *LONG_RUNNING])
def test_every_service_has_a_health_check(service: str) -> None:
    assert SERVICES[service]["healthcheck"]["test"]


def test_the_api_leaves_the_read_models_to_the_projector() -> None:
    assert SERVICES["api"]["environment"]["FUNDCASE_PROJECTIONS"] == "worker"
    assert SERVICES["projector"]["command"] == ["fundcase", "projector"]
    assert "profiles" not in SERVICES["projector"]


def test_the_api_health_check_asks_the_health_route_on_its_port() -> None:
    api = SERVICES["api"]
    probe = " ".join(api["healthcheck"]["test"])
    port = api["command"][api["command"].index("--port") + 1]
    assert f"127.0.0.1:{port}/health" in probe
    assert api["ports"] == [f"{port}:{port}"]


# --- The deployment, run here --------------------------------------------------------


@dataclass
class Machine:
    """docker-compose.yml's services as processes here (see the module's docstring)."""

    folder: Path
    schema: str = field(default_factory=lambda: f"deploy_{uuid4().hex[:16]}")
    role: str = field(default_factory=lambda: f"fundcase_app_{uuid4().hex[:12]}")
    port: int = field(default_factory=free_port)
    token: str = ""

    @property
    def app_folder(self) -> Path:
        """The image's /app: root's, which the service's user cannot write."""
        return self.folder / "app"

    def volume(self, name: str) -> Path:
        """A named volume: a folder owned as the image's /run/fundcase is (uid 10001)."""
        path = self.folder / "volumes" / name
        if not path.exists():
            path.mkdir(parents=True, mode=0o700)
            os.chown(path, *_user("secret"))
        return path

    def _host_path(self, service: str, value: str) -> str:
        for mount in SERVICES[service].get("volumes", []):
            name, target = mount.split(":")[:2]
            if value == target or value.startswith(f"{target}/"):
                return str(self.volume(name)) + value.removeprefix(target)
        return value

    def _url(self, compose_url: str) -> str:
        url, local = make_url(compose_url), make_url(POSTGRES_URL)
        user = {OWNER: local.username, GRANTED: self.role}[url.username or ""]
        here = local.set(username=user, password=url.password)
        here = here.update_query_dict({"schema": self.schema})
        return str(here.render_as_string(hide_password=False))

    def command(self, service: str, command: list[str] | None = None) -> list[str]:
        args = list(command or SERVICES[service]["command"])
        uid, gid = _user(service)
        fundcase = Path(sys.executable).with_name("fundcase")
        replaced = {
            "fundcase": str(fundcase),
            "python": sys.executable,
            GRANTED: self.role,
            "0.0.0.0": "127.0.0.1",  # noqa: S104 (what compose says, made local)
            SERVICES["api"]["command"][-1]: str(self.port),
        }
        args = [replaced.get(a, a) for a in args]
        args = [self._host_path(service, a) for a in args]
        user = [f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]
        return ["setpriv", *user, *args]

    def env(self, service: str, changes: dict[str, str | None] | None = None) -> dict[str, str]:
        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": "/nonexistent",
            # The image's ENV.
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }
        for name, value in SERVICES[service].get("environment", {}).items():
            value = str(value)
            env[name] = self._url(value) if name == "FUNDCASE_DATABASE_URL" else value
            env[name] = self._host_path(service, env[name])
        for name, value in (changes or {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def run(
        self,
        service: str,
        command: list[str] | None = None,
        changes: dict[str, str | None] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return self.run_together([(service, command, changes)])[0]

    def run_together(
        self, runs: list[tuple[str, list[str] | None, dict[str, str | None] | None]]
    ) -> list[subprocess.CompletedProcess[str]]:
        """Commands run at once (each takes seconds to import the product), their ends."""
        started = [
            subprocess.Popen(
                self.command(service, command),
                env=self.env(service, changes),
                cwd=self.app_folder,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for service, command, changes in runs
        ]
        ended = []
        for process in started:
            out, err = process.communicate(timeout=60)
            ended.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
        return ended

    def start(self, service: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{service}.log").open("wb")
        return subprocess.Popen(
            self.command(service),
            env=self.env(service),
            cwd=self.app_folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def as_role(self) -> str:
        local = make_url(POSTGRES_URL).set(username=self.role)
        return str(local.render_as_string(hide_password=False))


def _drop(machine: Machine) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        role = sql.Identifier(machine.role)
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (machine.role,)).fetchone():
            conn.execute(sql.SQL("DROP OWNED BY {}").format(role))
            conn.execute(sql.SQL("DROP ROLE {}").format(role))
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(machine.schema))
        )


@contextmanager
def _passable_by_others(*paths: Path) -> Iterator[None]:
    """Let other users pass (not list) every folder above these, as they may pass the
    folders above /app in the image: a checkout made with `mktemp -d` is 0700. The
    modes are put back afterwards."""
    changed: list[tuple[Path, int]] = []
    folders = {folder for path in paths for folder in path.parents if folder != Path("/")}
    try:
        for folder in sorted(folders):
            mode = stat.S_IMODE(folder.stat().st_mode)
            if not mode & stat.S_IXOTH and folder.stat().st_uid == os.geteuid():
                folder.chmod(mode | stat.S_IXOTH)
                changed.append((folder, mode))
        yield
    finally:
        for folder, mode in reversed(changed):
            folder.chmod(mode)


@pytest.fixture(scope="module")
def machine() -> Iterator[Machine]:
    with _passable_by_others(ROOT / "pyproject.toml", Path(sys.executable)):
        yield from _machine()


def _machine() -> Iterator[Machine]:
    folder = Path(tempfile.mkdtemp(prefix="fundcase-deploy-"))
    folder.chmod(0o755)  # others may pass, as they may pass / in a container
    machine = Machine(folder)
    machine.app_folder.mkdir(mode=0o755)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(machine.schema)))
    try:
        yield machine
    finally:
        _drop(machine)
        shutil.rmtree(folder)


@pytest.fixture(scope="module")
def deployed(machine: Machine) -> Iterator[Machine]:
    """`docker compose up`: the one-shots, then the API and the projector."""
    # Neither one-shot needs the other, so compose runs them side by side.
    for service, done in zip(
        ONE_SHOT, machine.run_together([(s, None, None) for s in ONE_SHOT]), strict=True
    ):
        assert done.returncode == 0, f"{service}: {done.stderr}"
    with ExitStack() as stack:
        for service in LONG_RUNNING:
            stack.callback(stop_process, machine.start(service))
        # While they start, a token, as an operator gets one: `docker compose exec api
        # fundcase token …` (signed with the key the API reads).
        issued = machine.run("api", ["fundcase", "token", "--role", "official", "--name", "Åsa"])
        assert issued.returncode == 0, issued.stderr
        machine.token = issued.stdout.strip()
        try:
            wait_for_service(machine.url)
        except AssertionError:
            raise AssertionError((machine.folder / "api.log").read_text()) from None
        yield machine


@pytest.mark.postgres
def test_the_key_is_made_for_the_services_user_alone_and_nothing_is_written_in_app(
    deployed: Machine,
) -> None:
    (key,) = deployed.volume("secret").iterdir()
    kept = key.stat()
    assert (stat.S_IMODE(kept.st_mode), kept.st_uid) == (0o600, _user("secret")[0])
    # (Run again on the next `up`, it keeps the key: tests/unit/test_secrets.py.)
    assert list(deployed.app_folder.iterdir()) == []  # nothing written into /app


@pytest.mark.postgres
def test_a_client_registers_a_case_and_finds_it_in_the_register(deployed: Machine) -> None:
    headers = {"Authorization": f"Bearer {deployed.token}"}
    title = f"Driftsättning {uuid4().hex[:8]}"
    with httpx.Client(base_url=deployed.url, headers=headers, timeout=10) as client:
        made = client.post("/api/v1/cases", json=bodies.case(title=title))
        assert made.status_code == 201, made.text
        found = client.get("/api/v1/register", params={"q": title})  # the projector's work
        assert found.status_code == 200, found.text
        assert [e["id"] for e in found.json()["items"]] == [made.json()["id"]]
    with psycopg.connect(POSTGRES_URL) as conn:
        users = conn.execute(
            "SELECT DISTINCT usename FROM pg_stat_activity WHERE usename = %s", (deployed.role,)
        )
        assert users.fetchall() == [(deployed.role,)]


@pytest.mark.postgres
@pytest.mark.parametrize("service", LONG_RUNNING)
def test_the_health_checks_pass(deployed: Machine, service: str) -> None:
    probe = SERVICES[service]["healthcheck"]["test"][1:]
    port = SERVICES["api"]["command"][-1]
    probe = [p.replace(f":{port}/", f":{deployed.port}/") for p in probe]
    checked = deployed.run(service, probe)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.postgres
@pytest.mark.parametrize(
    "change",
    [
        "UPDATE fundcase_events SET state = state",
        "DELETE FROM fundcase_events",
        "TRUNCATE fundcase_events",
    ],
)
def test_the_services_role_cannot_change_an_event(deployed: Machine, change: str) -> None:
    search_path = f"-csearch_path={deployed.schema}"
    with (
        psycopg.connect(deployed.as_role(), options=search_path) as conn,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        conn.execute(change)


# (Short and missing keys are refused in tests/unit/test_secrets.py.)
REFUSALS: dict[str, tuple[dict[str, str | None], str]] = {
    "none": ({"FUNDCASE_SECRET_FILE": None}, "no secret is configured"),
    "loose": ({"FUNDCASE_SECRET_FILE": "loose"}, "chmod 600"),
}


@pytest.fixture(scope="module")
def refused(machine: Machine) -> dict[str, subprocess.CompletedProcess[str]]:
    """The API's command, as compose runs it, without a key it can use (all at once)."""
    loose = machine.volume("loose") / "fundcase_secret"
    loose.write_text("k" * 48)
    loose.chmod(0o644)
    os.chown(loose, *_user("api"))
    runs: list[tuple[str, list[str] | None, dict[str, str | None] | None]] = []
    for changes, _ in REFUSALS.values():
        if changes.get("FUNDCASE_SECRET_FILE") == "loose":
            changes = {"FUNDCASE_SECRET_FILE": str(loose)}
        runs.append(("api", None, changes))
    return dict(zip(REFUSALS, machine.run_together(runs), strict=True))


@pytest.mark.parametrize("case", REFUSALS)
def test_an_api_without_a_key_it_can_use_says_how_to_configure_one(
    refused: dict[str, subprocess.CompletedProcess[str]], case: str
) -> None:
    ended, told = refused[case], REFUSALS[case][1]
    assert ended.returncode == 2, ended.stderr
    assert told in ended.stderr
    assert "Traceback" not in ended.stderr + ended.stdout
    if case == "loose":
        assert re.search(r"chmod 600 /\S+/loose/fundcase_secret", ended.stderr)
    else:
        assert "FUNDCASE_SECRET_FILE" in ended.stderr


def _locked(path: Path) -> dict[str, str]:
    """Package → version of a lock file, each pinned with at least one hash."""
    text = path.read_text()
    found = dict(
        re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^\s\\]+) \\\n\s+--hash=sha256:", text, re.M)
    )
    assert found, path
    return {name.lower().replace("_", "-"): version for name, version in found.items()}


def test_the_image_installs_locked_versions_the_tests_ran_with() -> None:
    """The image installs from requirements-runtime.lock (hashes required): every runtime
    dependency at the version the full lock, which the checks run on, names."""
    assert "--require-hashes -r requirements-runtime.lock" in DOCKERFILE
    runtime, full = _locked(ROOT / "requirements-runtime.lock"), _locked(ROOT / "requirements.lock")
    assert {"fastapi", "eventsourcing", "psycopg", "pyjwt", "limits", "redis"} <= set(runtime)
    assert not {"pytest", "mypy", "ruff", "schemathesis"} & set(runtime)
    assert {name: full.get(name) for name in runtime} == runtime
