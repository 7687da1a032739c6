"""Finding and reading workflow definitions: files, the shipped set, and installed packages.

The shipped folder keeps every published version of a workflow: ``name.yaml`` is the newest and
``name@1.yaml``, ``name@2.yaml``... the versions before it, each kept exactly as published, so
that a subject started under one keeps running under its rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from missionflow.errors import (
    ConflictError,
    DefinitionProblem,
    InvalidValueError,
    WorkflowDefinitionError,
    WorkflowNotFoundError,
)
from missionflow.workflow.definition import WorkflowDefinition
from missionflow.workflow.plugins import declared
from missionflow.workflow.userflows import copy_text, user_workflow_dir, user_workflow_files
from missionflow.workflow.validation import build_definition
from missionflow.workflow.yaml_nodes import YamlProblems, parse

ENTRY_POINT_GROUP = "missionflow.workflows"


def parse_workflow(text: str, source: str = "<string>") -> WorkflowDefinition:
    """Read a definition from YAML text; raise WorkflowDefinitionError listing every problem.

    >>> parse_workflow("name: x").name
    Traceback (most recent call last):
    ...
    missionflow.errors.WorkflowDefinitionError: invalid workflow definition (4 problems)
    ...
    """
    try:
        root = parse(text, source)
    except YamlProblems as exc:
        raise WorkflowDefinitionError(exc.problems) from None
    return build_definition(root, source)


def load_workflow_file(path: str | Path) -> WorkflowDefinition:
    """Read and validate one workflow file."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise WorkflowDefinitionError([DefinitionProblem(str(path), 0, "no such file")]) from None
    except IsADirectoryError:
        raise WorkflowDefinitionError(
            [DefinitionProblem(str(path), 0, "is a folder, not a workflow file")]
        ) from None
    except UnicodeDecodeError as exc:
        raise WorkflowDefinitionError(
            [DefinitionProblem(str(path), 1, f"not UTF-8 text (byte {exc.start})")]
        ) from None
    except OSError as exc:
        raise WorkflowDefinitionError(
            [DefinitionProblem(str(path), 0, f"cannot read: {exc.strerror}")]
        ) from None
    return parse_workflow(text, str(path))


def shipped_workflow_dir() -> Path:
    """The folder of the workflows shipped with missionflow (inside the wheel, or the source tree)."""
    packaged = Path(str(resources.files("missionflow"))) / "workflows"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "workflows"


class WorkflowRegistry:
    """Every known definition, by name and version; a mission's rules never change under it."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, int], WorkflowDefinition] = {}
        self._discovered = False

    def register(self, definition: WorkflowDefinition, *, replace: bool = False) -> WorkflowDefinition:
        """Make ``definition`` available by its name and version; returns the one registered.

        Registering the same name and version again with other content is refused unless
        ``replace=True``: a subject's rules never change silently under it.
        """
        key = (definition.name, definition.version)
        existing = self._by_key.get(key)
        if existing is None or replace:
            self._by_key[key] = definition
            return definition
        if existing != definition:
            raise InvalidValueError(
                "workflow",
                f"{definition.name} version {definition.version} is already registered with other rules "
                f"(from {existing.source}); raise the version, or say replace=True",
            )
        return existing

    def _keep_first(self, definition: WorkflowDefinition) -> WorkflowDefinition:
        """Register ``definition`` unless its name and version are known: shipped files, found
        first, win over an installed package's copy."""
        return self._by_key.setdefault((definition.name, definition.version), definition)

    def rediscover(self) -> None:
        """Read the user's workflows, and those of installed packages, again on next use (after
        a file of the user's workflows folder or ``MISSIONFLOW_WORKFLOWS`` changed); definitions
        already known stay."""
        self._discovered = False

    def _discover(self) -> None:
        """Register the shipped workflows, the user's own (see userflows) and those installed
        packages declare, validated alike.

        Every invalid file is reported at once, and again on every use until it is fixed: a
        registry never ends up silently missing a workflow because of the order things ran in.
        """
        if self._discovered:
            return
        self._discovered = True  # a plugin calling load_workflow while it loads must not recurse
        found: list[WorkflowDefinition] = []
        problems: list[DefinitionProblem] = []
        for path in sorted(shipped_workflow_dir().glob("*.yaml")):
            try:
                found.append(_read_shipped(path))
            except WorkflowDefinitionError as error:
                problems.extend(error.problems)
        shipped = {(d.name, d.version): d for d in found}
        for path in user_workflow_files():
            try:
                own = load_workflow_file(path)
            except WorkflowDefinitionError as error:
                problems.extend(error.problems)
                continue
            if shipped.get((own.name, own.version), own) != own:
                message = f"{own.name} version {own.version} is shipped with missionflow: rename it"
                problems.append(DefinitionProblem(str(path), 1, message))
            else:
                found.append(own)
        for entry in declared(ENTRY_POINT_GROUP):
            try:
                found.extend(_declared_definitions(entry.load()))
            except WorkflowDefinitionError as error:
                problems.extend(error.problems)
            except Exception as error:
                problems.append(
                    DefinitionProblem(
                        f"<entry point {entry.name} = {entry.value}>",
                        0,
                        f"cannot load the workflows it declares: {type(error).__name__}: {error}",
                    )
                )
        if problems:
            self._discovered = False
            raise WorkflowDefinitionError(problems)
        for definition in found:
            self._keep_first(definition)

    def _shipped(self, name: str, version: int) -> WorkflowDefinition | None:
        """The shipped file of ``name`` at that version, read without discovering the rest (a
        mission names its exact version; parsing every workflow to show one costs a command):
        ``name@version.yaml``, else ``name.yaml`` when it is that version. One file is parsed."""
        folder = shipped_workflow_dir()
        for path in (folder / f"{name}@{version}.yaml", folder / f"{name}.yaml"):
            if path.is_file():
                definition = self._keep_first(_read_shipped(path))
                if (definition.name, definition.version) == (name, version):
                    return definition
        return None

    def get(self, name: str, version: int | None = None) -> WorkflowDefinition:
        """The definition ``name`` at ``version`` (the newest when None)."""
        if version is not None:
            # Shipped files win over installed packages for the same name and version (see
            # _discover), so the shipped file can answer before anything else is read.
            found = self._by_key.get((name, version)) or self._shipped(name, version)
            if found is not None:
                return found
        self._discover()
        if version is not None:
            found = self._by_key.get((name, version))
            if found is None:
                raise WorkflowNotFoundError(name, version, self.names())
            return found
        versions = [v for (n, v) in self._by_key if n == name]
        if not versions:
            raise WorkflowNotFoundError(name, None, self.names())
        return self._by_key[(name, max(versions))]

    def names(self) -> list[str]:
        """The names of every known workflow, sorted."""
        self._discover()
        return sorted({n for (n, _) in self._by_key})

    def latest(self) -> list[WorkflowDefinition]:
        """The newest version of every known workflow, sorted by name."""
        return [self.get(name) for name in self.names()]


def _read_shipped(path: Path) -> WorkflowDefinition:
    """A shipped file; ``name@version.yaml`` must hold that name and version."""
    definition = load_workflow_file(path)
    name, at, version = path.stem.partition("@")
    if at and (definition.name, str(definition.version)) != (name, version):
        raise WorkflowDefinitionError(
            [
                DefinitionProblem(
                    str(path),
                    1,
                    f"the file name says {name} version {version}, the file holds "
                    f"{definition.name} version {definition.version}",
                )
            ]
        )
    return definition


def _declared_definitions(target: object) -> list[WorkflowDefinition]:
    """What a ``missionflow.workflows`` entry point gives: a function returning, or directly, a
    file path, a package resource, a definition, or a list of them."""
    result = target() if callable(target) else target
    items = [result] if isinstance(result, str | os.PathLike | Traversable | WorkflowDefinition) else result
    if not isinstance(items, Iterable):
        raise TypeError(f"expected workflow files or definitions, got {type(result).__name__}")
    definitions = []
    for item in items:
        if isinstance(item, WorkflowDefinition):
            definitions.append(item)
        elif isinstance(item, str | os.PathLike):
            definitions.append(load_workflow_file(Path(item)))
        elif isinstance(item, Traversable):
            definitions.append(parse_workflow(item.read_text(encoding="utf-8"), str(item)))
        else:
            raise TypeError(f"expected a workflow file or definition, got {type(item).__name__}")
    return definitions


registry = WorkflowRegistry()
"""The process-wide registry that :func:`load_workflow` reads."""


def load_workflow(name: str, version: int | None = None) -> WorkflowDefinition:
    """A known workflow by name (and version); shipped, installed by a package, or registered.

    >>> load_workflow("freelance-mission").name
    'freelance-mission'
    """
    return registry.get(name, version)


def register_workflow(definition: WorkflowDefinition, *, replace: bool = False) -> WorkflowDefinition:
    """Make an application's own definition available to :func:`load_workflow` and the engine
    (another definition under the same name and version is refused unless ``replace=True``)."""
    return registry.register(definition, replace=replace)


def latest_workflows() -> list[WorkflowDefinition]:
    """The newest version of every known workflow, sorted by name."""
    return registry.latest()


def workflow_names() -> list[str]:
    """The names of every known workflow."""
    return registry.names()


def copy_workflow(source: str, name: str, *, folder: Path | None = None, force: bool = False) -> Path:
    """Write an editable copy of the workflow ``source`` (its newest version) named ``name`` at
    version 1 into ``folder`` (the user's workflows folder by default), validated first; returns
    its path. An existing file is kept unless ``force``; a name already known is refused.
    """
    definition = load_workflow(source)
    if name in workflow_names():
        raise ConflictError("workflow", f"a workflow named {name} exists already; choose another name")
    target = (folder if folder is not None else user_workflow_dir()) / f"{name}.yaml"
    if target.exists() and not force:
        raise ConflictError("workflow", f"{target} exists already; edit it, or copy again with force")
    text = copy_text(definition, name)
    parse_workflow(text, str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
