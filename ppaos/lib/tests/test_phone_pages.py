"""Page details from issue 15, items 8 and 10: no "communities" card on a community's page,
members' ages on the household page, levels by name in a community's household list, a print
button where printing matters, the livelihoods menu as a compact menu, app.js on every page."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND, default_set, scenario  # noqa: F401 (fixtures)
from ppaos.lib.templatetags.thai import age
from ppaos.lib.thaidate import age_on


@pytest.mark.django_db
def test_community_page_has_no_communities_card(login, coordinator, households, communities):
    page = login(coordinator).get(reverse("areas:community", args=[communities["A"].pk]))
    assert 'data-count="households"' in page.text
    assert 'data-count="communities"' not in page.text
    district = login(coordinator).get(reverse("areas:district", args=["1008"]))
    assert 'data-count="communities"' in district.text  # an area of several keeps it


def test_age_filter_counts_completed_years():
    today = timezone.localdate()
    assert age(dt.date(today.year - 30, 1, 1)) == 30 - ((today.month, today.day) < (1, 1))
    assert age(None) == ""
    assert age_on(dt.date(1980, 6, 2), dt.date(2024, 6, 1)) == 43


@pytest.mark.django_db
def test_household_page_shows_members_ages_and_a_print_button(login, volunteer_a, households):
    page = login(volunteer_a).get(reverse("registry:household_detail", args=[households["A"].pk]))
    expected = age_on(dt.date(1980, 1, 1), timezone.localdate())  # conftest.make_person
    assert f'data-age="{expected}"' in page.text
    assert re.search(rf'class="age"[^>]*>[^<]*{expected}', page.text)
    assert 'data-print id="print-page"' in page.text
    assert "ppaos/app.js" in page.text


@pytest.mark.django_db
def test_community_household_list_shows_levels_by_name(login, coordinator, scenario):  # noqa: F811
    assessment_run(round_name=ROUND)
    community = scenario["X"].community
    page = login(coordinator).get(
        reverse("assessment:community", args=[community.pk]), {"round": ROUND}
    )
    table = page.text.split('id="households"', 1)[1].split("</table>", 1)[0]
    levels = re.findall(r'<span class="level level-(\d)" data-level="\d">([^<]*)</span>', table)
    assert levels, table
    assert all(name.strip() and not name.strip().isdigit() for _n, name in levels)


@pytest.mark.django_db
def test_livelihoods_menu_is_a_compact_menu(login, coordinator):
    page = login(coordinator).get(reverse("livelihoods:mobility"), follow=True)
    assert '<p class="subnav" id="livelihoods-nav">' in page.text


@pytest.mark.django_db
def test_databook_has_a_print_button(login, coordinator, households, communities):
    page = login(coordinator).get(reverse("community:databook", args=[communities["A"].pk]))
    assert 'data-print id="print-page"' in page.text


def test_stylesheet_has_print_rules_and_no_sideways_scroll_rules():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/ppaos/app.css").read_text()
    assert "@media print" in css
    assert "overflow-wrap: anywhere" in css
