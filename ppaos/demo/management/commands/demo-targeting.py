import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ppaos.accounts.models import User
from ppaos.demo import targeting as demo
from ppaos.targeting.link_jobs import target_list_link
from ppaos.targeting.services import target_list_import


class Command(BaseCommand):
    help = (
        "Demo targeting data: write a TPMAP-style list (with typos, missing IDs and bad rows) "
        "to media/demo/, import it, link it to the registry, and open a campaign with visits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)
        parser.add_argument("--no-link", action="store_true", help="skip record linkage")

    def handle(self, *args, seed: int, no_link: bool, **options):
        coordinator = User.objects.filter(username="coordinator").first()
        if coordinator is None:
            raise CommandError("run `ppaos demo-data` first (it creates the demo users)")
        path = settings.MEDIA_ROOT / "demo" / "tpmap-2566-demo.csv"
        written = demo.target_list_csv(seed=seed, path=path)
        result = target_list_import(path=path, name=path.name, source="tpmap", year_be=2566)
        self.stdout.write(
            f"Target list {path} ({written['rows']} rows): {result['created']} new, "
            f"{result['unchanged']} unchanged, {len(result['rejected'])} rejected rows."
        )
        from ppaos.targeting.models import TargetList

        target_list = TargetList.objects.get(pk=result["target_list"])
        if not no_link:
            started = dt.datetime.now()
            counts = target_list_link(target_list=target_list)
            seconds = (dt.datetime.now() - started).total_seconds()
            self.stdout.write(f"Linkage ({seconds:.1f} s): {counts}")
        campaign = demo.campaign_with_visits(
            seed=seed, target_list=target_list, coordinator=coordinator
        )
        self.stdout.write(f"Campaign {campaign.name!r}: {campaign.visits.count()} visits.")
        self._summary(campaign, coordinator)

    def _summary(self, campaign, coordinator) -> None:
        from ppaos.targeting import selectors, verification

        pending = len(verification.review_queue(user=coordinator, campaign=campaign))
        decided = len(verification.review_queue(user=coordinator, campaign=campaign, decided=True))
        total = selectors.error_report(user=coordinator, campaign=campaign)[-1]
        estimate = selectors.exclusion_estimate(user=coordinator, campaign=campaign)
        p = total.inclusion
        self.stdout.write(
            f"Review queue: {pending} waiting, {decided} decided; not checked: "
            f"{total.not_checked}. Not really poor (inclusion): {p.count}/{p.total}"
            + (f" = {p.rate:.1%} (95% Wilson {p.low:.1%}–{p.high:.1%})" if p.total else "")
        )
        if estimate and estimate.share.rate is not None:
            e, s = estimate.share, estimate.sample
            self.stdout.write(
                f"Sample (seed {s.seed}): {s.sample_size} of {s.frame_size} non-listed, "
                f"{estimate.verified} with a reviewed status; poor {e.count}/{e.n} = "
                f"{e.rate:.1%} (95% Wilson+FPC {e.low:.1%}–{e.high:.1%}); missing poor "
                f"≈ {estimate.missing[0]:.0f} ({estimate.missing[1]:.0f}–{estimate.missing[2]:.0f})"
                f", share of all poor missed {estimate.share_of_poor[0]:.1%} "
                f"({estimate.share_of_poor[1]:.1%}–{estimate.share_of_poor[2]:.1%})."
            )
