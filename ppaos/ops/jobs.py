"""The periodic jobs: what each one does, as a call to the owning app's service. Each
returns a one-line summary for the run's row (never personal data). Their schedules are in
settings.PERIODIC_JOBS."""

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def heartbeat() -> str:
    """Proves the task worker takes jobs: the health check reads when this last ran."""
    return "ok"


def refresh_dashboards() -> str:
    from ppaos.dashboards.models import Refresh
    from ppaos.dashboards.services import refresh_run

    refresh = refresh_run()
    if refresh.status != Refresh.Status.DONE:
        raise RuntimeError(f"dashboard refresh failed: {refresh.error}")
    return f"{refresh.rows} rows in {refresh.seconds:.1f} s"


def referrals_overdue() -> str:
    from ppaos.referrals.services import referrals_notify_overdue

    counts = referrals_notify_overdue()
    return f"{counts['overdue']} overdue, {counts['flagged']} newly flagged"


def privacy_retention() -> str:
    """People past retention are anonymised, and uploaded target-list files left behind by an
    import (IMPORT_FILE_KEEP_HOURS) are deleted."""
    from ppaos.privacy.services import retention_run
    from ppaos.targeting.services import import_files_cleanup

    result = retention_run()
    files = import_files_cleanup()
    return (
        f"{len(result.anonymised)} anonymised, {len(result.blocked)} kept (blocked); "
        f"{files} leftover import file(s) deleted"
    )


def exports_cleanup() -> str:
    from ppaos.exports.services import export_cleanup

    return f"{export_cleanup()} expired export file(s) removed"


def backup() -> str:
    """A whole-database backup into BACKUP_DIR, then only the newest BACKUP_KEEP are kept."""
    from ppaos.privacy.backup import backup as write_backup

    folder = Path(settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    out = write_backup(folder / f"ppaos-{stamp}.backup")
    removed = backups_rotate(folder, keep=settings.BACKUP_KEEP)
    return f"{out.name} ({out.stat().st_size} bytes); {removed} old backup(s) removed"


def backups_rotate(folder: Path, *, keep: int) -> int:
    """Delete all but the newest `keep` backups (ppaos-*.backup) in `folder`."""
    files = sorted(folder.glob("ppaos-*.backup"), key=lambda p: p.name, reverse=True)
    for old in files[keep:]:
        old.unlink()
    return max(0, len(files) - keep)


def history_prune() -> str:
    """Forget periodic runs and finished task results older than a month."""
    from django.core.management import call_command
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    from ppaos.ops.services import periodic_runs_prune

    runs = periodic_runs_prune(keep_days=30)
    if isinstance(task_backends["default"], DatabaseBackend):
        call_command("prune_db_task_results", min_age_days=30, verbosity=0)
    return f"{runs} old periodic run(s) forgotten"


JOBS: dict[str, tuple[Callable[[], str], str]] = {
    "heartbeat": (heartbeat, _("Worker heartbeat")),
    "refresh_dashboards": (refresh_dashboards, _("Dashboard refresh")),
    "referrals_overdue": (referrals_overdue, _("Overdue referrals")),
    "privacy_retention": (privacy_retention, _("Privacy retention")),
    "exports_cleanup": (exports_cleanup, _("Export cleanup")),
    "backup": (backup, _("Nightly backup")),
    "history_prune": (history_prune, _("History pruning")),
}


def unknown_jobs(names) -> set[str]:
    """Names in a schedule that no job has (a typo in settings)."""
    return set(names) - set(JOBS)
