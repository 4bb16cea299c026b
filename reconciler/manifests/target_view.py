"""What one target sees of a project: the manifests it lists, the values it gives them and the
Stripe mode it runs in; and the rules that hold only once the target is known."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.errors import ReconcileError
from reconciler.manifests.diagnostics import Diagnostic
from reconciler.manifests.discovery import missing_path
from reconciler.manifests.manifest_set import LoadedManifest
from reconciler.manifests.project import Project
from reconciler.manifests.project_file import PROJECT_KIND, project_position
from reconciler.manifests.stripe_app import StripeApp
from reconciler.manifests.variables import VarValue
from reconciler.stripe_keys import Mode


class TargetNeeded(ReconcileError):
    """The project's targets read different manifests, and no target is chosen."""


@dataclass(frozen=True)
class TargetView:
    """`target` None: no target is chosen, and the whole directory is read without vars."""

    target: str | None = None
    # The manifest paths the target lists; None: the whole directory.
    paths: Sequence[str] | None = None
    variables: Mapping[str, VarValue] = field(default_factory=dict)
    stripe_mode: Mode | None = None


def view_of(project: Project, requested: str | None) -> TargetView:
    """The view of the target named (else the project's default target); UnknownTarget when
    the project has no such target, TargetNeeded when its targets differ and none is named."""
    name = requested or project.default_target_name
    if name is None:
        if project.has_environments:
            declared = ", ".join(sorted(project.targets))
            raise TargetNeeded(
                f"the targets {declared} each read their own manifests, and reconcile.yaml "
                "sets no default_target: choose one with --target"
            )
        return TargetView()
    if name not in project.all_targets:
        raise project.unknown_target(name)
    target = project.target(name)
    return TargetView(name, target.manifests, target.vars, target.stripe_mode)


def views_of(project: Project) -> list[TargetView]:
    """Every declared target's view; with no target declared, the directory's own."""
    if not project.targets:
        return [TargetView()]
    return [view_of(project, name) for name in project.targets]


def path_diagnostics(base: Path, view: TargetView) -> Iterator[Diagnostic]:
    """The target's manifest paths that lead nowhere: a typo would quietly leave out what
    they were meant to hold. Told for the target's own view only, so that a directory
    another target lists, not made yet, is no problem of this one."""
    target = str(view.target)
    for index, pattern in enumerate(view.paths or []):
        problem = missing_path(base, pattern)
        if problem is None:
            continue
        file, position = project_position(base, ("targets", target, "manifests", index))
        message = f"targets.{target}.manifests[{index}]: {problem} below the manifest root"
        yield Diagnostic(file, position, "manifest-path", message, PROJECT_KIND, file.name)


def mode_diagnostics(view: TargetView, entries: Sequence[LoadedManifest]) -> Iterator[Diagnostic]:
    """A StripeApp whose `livemode` is not the target's Stripe mode: one of them is wrong,
    and apply must not find out by installing the app."""
    if view.stripe_mode is None:
        return
    live = view.stripe_mode == "live"
    for entry in entries:
        app = entry.manifest
        if not isinstance(app, StripeApp) or app.spec.livemode in (None, live):
            continue
        position = entry.source.positions.locate(("spec", "livemode"), prefer_key=False)
        message = (
            f"spec.livemode is {str(app.spec.livemode).lower()}, but target {view.target!r} "
            f"runs in Stripe {view.stripe_mode} mode (its stripe_mode in reconcile.yaml)"
        )
        yield Diagnostic(entry.source.file, position, "stripe-mode", message, app.KIND, app.name)
