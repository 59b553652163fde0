"""Correct the rule versions an earlier catalogue shipped wrongly (issue 13), in databases
that loaded it: the state welfare card's OR (every condition is needed), the adult-diaper proxy
(the NHSO benefit from 2 May 2022, given through the local health fund), and the old-age
allowance without its house-register and pension/care-home exclusions. A row is changed only
if it still holds exactly the shipped rule: a coordinator's own versions are left alone. The
registration windows of the two services that take applications in rounds are set too.

Frozen copies of the catalogue entries (ppaos/referrals/data/services-th.json, 2026.1)."""

from django.db import migrations

FIXES = [{'service': 'old_age_allowance',
  'effective_from': '2011-10-01',
  'shipped_eligibility': {'and': [{'>=': [{'var': 'age'}, 60]}, {'var': 'thai'}]},
  'new': {'effective_from': '2011-10-01',
          'eligibility': {'and': [{'var': 'thai'},
                                  {'>=': [{'var': 'age'}, 60]},
                                  {'var': 'registered_here'},
                                  {'not': {'var': 'state_pension'}},
                                  {'not': {'var': 'in_state_care'}}]},
          'amount': {'tiers': [{'var': 'age'}, [[60, 600], [70, 700], [80, 800], [90, 1000]]]},
          'note': "Thai, 60 or over, on the house register of the area (here: the household's "
                  'khet), not receiving a state pension or other regular state payment, not living '
                  'in a state or local-authority care home (Interior Ministry regulation on '
                  'old-age allowance payment by local authorities, 2552, as amended). Stepped '
                  'tiers since 1 Oct 2011: 60-69: 600; 70-79: 700; 80-89: 800; 90+: 1,000 baht a '
                  'month. The regulation also excludes people with a salary or other regular '
                  'income from the state; the registry records that as state_pension.',
          'is_confirmed': True,
          'source': 'mgronline 9540000132929 (2011, tiers); gcc.go.th/gcc1111 '
                    "'การลงทะเบียนรับเงินเบี้ยยังชีพผู้สูงอายุ ปี 2560' (15 Nov 2017, exclusions); "
                    'gcc.go.th/webgcc/?p=14766 (2021, exclusions incl. state care homes); '
                    'klongjinda.go.th เบี้ยยังชีพผู้สูงอายุ (undated, house register in the '
                    'area)'}},
 {'service': 'old_age_allowance',
  'effective_from': '2023-08-12',
  'shipped_eligibility': {'and': [{'>=': [{'var': 'age'}, 60]}, {'var': 'thai'}]},
  'new': {'effective_from': '2023-08-12',
          'eligibility': {'and': [{'var': 'thai'},
                                  {'>=': [{'var': 'age'}, 60]},
                                  {'var': 'registered_here'},
                                  {'not': {'var': 'state_pension'}},
                                  {'not': {'var': 'in_state_care'}}]},
          'amount': {'tiers': [{'var': 'age'}, [[60, 600], [70, 700], [80, 800], [90, 1000]]]},
          'note': 'Interior Ministry regulation (No. 5) 2566, in force 12 Aug 2023: existing '
                  'recipients keep the allowance; new applicants must have no income or an income '
                  'insufficient to live on, by criteria the National Elderly Committee is to set. '
                  'Until the committee sets them, the earlier criteria apply (local authority '
                  'notice), so this version has the same test. UNCONFIRMED: whether the committee '
                  'has since set an income test; add it as a new version when it is published.',
          'is_confirmed': False,
          'source': 'komchadluek.net/quality-life/well-being/556234 (Sep 2023, in force 12 Aug '
                    '2023); krabuangyai.go.th/archives/11603 (2023, earlier criteria apply '
                    'meanwhile); muangfak.go.th news 168 (2025, FY2570 criteria: Thai, 60+, not '
                    'receiving other state welfare)'}},
 {'service': 'state_welfare_card',
  'effective_from': '2022-09-05',
  'shipped_eligibility': {'and': [{'var': 'thai'},
                                  {'>=': [{'var': 'age'}, 18]},
                                  {'or': [{'<=': [{'var': 'annual_income'}, 100000]},
                                          {'<=': [{'var': 'household.income_per_person_year'},
                                                  100000]}]}]},
  'new': {'effective_from': '2022-09-05',
          'eligibility': {'and': [{'var': 'thai'},
                                  {'>=': [{'var': 'age'}, 18]},
                                  {'<=': [{'var': 'annual_income'}, 100000]},
                                  {'<=': [{'var': 'household.income_per_person_year'}, 100000]},
                                  {'<=': [{'var': 'financial_assets'}, 100000]},
                                  {'not': {'var': 'in_state_care'}}]},
          'amount': 300,
          'note': '2022 round: every condition together (AND): Thai; 18 or over; personal income '
                  'at most 100,000 baht a year; household income at most 100,000 per person a '
                  'year; financial assets at most 100,000; not a resident of a state care home '
                  '(one of the excluded groups). Checked at registration, not in the registry: the '
                  'other excluded groups (monks and novices, prisoners, civil servants and state '
                  'employees...), and the property limits: a house with land or a townhouse of at '
                  'most 25 square wah; UNCONFIRMED: a condominium of at most 35 square metres, '
                  'farmland of at most 10 rai, and the housing and car loan caps. Amount: the '
                  '300-baht goods allowance.',
          'is_confirmed': True,
          'source': 'prachachat.net/finance/news-1036473 (2022, criteria, round 5 Sep - 19 Oct '
                    '2022); hotnews.in.th/2022/01/14 (14 Jan 2022, income, assets, 25 square wah); '
                    'komchadluek.net/hot-social/512465 (2022, excluded groups incl. state care '
                    'homes); 18pee.com/register-batkhonjon (2022)'}},
 {'service': 'adult_diapers',
  'effective_from': '2024-10-01',
  'shipped_eligibility': {'and': [{'>=': [{'var': 'age'}, 60]}, {'var': 'disability_card'}]},
  'new': {'effective_from': '2022-05-02',
          'eligibility': {'and': [{'var': 'thai'},
                                  {'or': [{'<=': [{'var': 'adl_score'}, 6]},
                                          {'var': 'incontinent'}]}]},
          'amount': None,
          'note': 'National Health Security Board resolution of 2 May 2022: Thais of any age and '
                  'any health scheme who are house- or bed-bound with a Barthel ADL score of 0-6, '
                  'or cannot control bladder or bowel (by assessment or medical indication); up to '
                  "3 pieces a person a day, through the local health fund. The 'individual care "
                  "plan' route is on a health worker's judgement and not a rule here. UNCONFIRMED: "
                  "the NHSO page says 'holders of the UCS (gold card) scheme' while NHSO's "
                  "announcement says 'every scheme'; this rule follows the announcement.",
          'is_confirmed': True,
          'source': 'thansettakij.com/general-news/526455 (26 May 2022, NHSO post: every scheme, '
                    'ADL, 3 a day, local fund); local-news.chat.one.th (18 May 2022, in force 2 '
                    'May 2022, ADL 0-6); nhso.go.th/page/coverage_rights_Adultdiapers (undated, '
                    'ADL at most 6 or incontinent); thecoverage.info/news/content/5692 (local '
                    'health fund, 3 a day)'}}]

WINDOWS = {'old_age_allowance': {'registration_by_rounds': True,
                       'registration_windows': [{'yearly': ['10-01', '11-30'],
                                                 'source': 'gcc.go.th/webgcc/?p=14766 (FY2565 '
                                                           'round, Oct-Nov 2020 and Jan-Sep 2021); '
                                                           'muangfak.go.th news 168 (FY2570 round, '
                                                           'Oct-Nov 2025 and Jan-Sep 2026); '
                                                           'accesstrade.in.th BMA 50 districts '
                                                           '(Oct-Nov 2020, Jan-Sep 2021)',
                                                 'confirmed': True},
                                                {'yearly': ['01-01', '09-30'],
                                                 'source': 'same sources as the October-November '
                                                           'window',
                                                 'confirmed': True}]},
 'state_welfare_card': {'registration_by_rounds': True,
                        'registration_windows': [{'from': '2022-09-05',
                                                  'until': '2022-10-31',
                                                  'source': 'prachachat.net/finance/news-1036473 '
                                                            '(2022: 5 Sep - 19 Oct 2022); '
                                                            "thethaiger.com 'State Welfare Card "
                                                            "applications to open by March' (22 "
                                                            'Jan 2025: the 2022 round ran 5 Sep - '
                                                            '31 Oct 2022, i.e. extended)',
                                                  'confirmed': True}]}}

HEALTH_FUND = {'name_th': 'กองทุนหลักประกันสุขภาพกรุงเทพมหานคร (ศูนย์บริการสาธารณสุข สำนักอนามัย)',
 'name_en': 'Bangkok local health fund (BMA public health centres)',
 'kind': 'government_agency'}


def correct(apps, schema_editor):
    Service = apps.get_model("referrals", "Service")
    ServiceRule = apps.get_model("referrals", "ServiceRule")
    Organisation = apps.get_model("accounts", "Organisation")
    for fix in FIXES:
        row = ServiceRule.objects.filter(
            service__code=fix["service"], effective_from=fix["effective_from"]
        ).first()
        if row is None or row.eligibility != fix["shipped_eligibility"]:
            continue
        new = fix["new"]
        clash = ServiceRule.objects.filter(
            service_id=row.service_id, effective_from=new["effective_from"]
        ).exclude(pk=row.pk)
        if clash.exists():
            row.delete()  # the correct version is there already
            continue
        for name, value in new.items():
            setattr(row, name, value)
        row.save()
    for code, values in WINDOWS.items():
        Service.objects.filter(code=code).update(**values)
    diapers = Service.objects.filter(code="adult_diapers", provider_is_district_office=True)
    if diapers.exists():
        fund, _ = Organisation.objects.get_or_create(
            name_th=HEALTH_FUND["name_th"],
            defaults={"name_en": HEALTH_FUND["name_en"], "kind": HEALTH_FUND["kind"]},
        )
        diapers.update(provider=fund, provider_is_district_office=False, category="health")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_registration_windows"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
