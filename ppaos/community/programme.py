"""The community fund as a programme: fiscal years and how a province runs its fund.

Sources (checked with the project's `search` tool; stored copies of public pages):

- BMA community budget, 200,000 baht per community per year, for materials and equipment the
  community itself chooses ("วัสดุอุปกรณ์ที่จะนำมาใช้ภายในชุมชน เช่น พัดลม เครื่องขยายเสียง
  กล้อง CCTV"), bought by the city and handed over to the community ("ส่งมอบสิ่งของให้กับ
  ชุมชน"): post of the Thung Khru BMA councillor, "ร่วมยินดี ส่งมอบสิ่งของให้กับชุมชน ในเขตทุ่งครุ"
  (xn--42cf1c9bwfd2i.com; undated, after the 2565 council election, i.e. from FY2566).
- The Thai (and BMA) fiscal year runs 1 October – 30 September and is named by the B.E. year it
  ends in: "ตั้งแต่เดือนตุลาคมปี 2565 (ปีงบประมาณ 2566)" (ThaiPublica, "กทม.จัดซื้อวัสดุ
  ครุภัณฑ์ ยุคผู้ว่าฯ ชัชชาติ", 23 June 2024); shared/reference/domain.md §5.
- BMA purchases are mostly by the specific method (วิธีเฉพาะเจาะจง, 94 %), then e-bidding and
  selection (คัดเลือก): same ThaiPublica article, 23 June 2024.

Not confirmed, so configuration, not constants: the name and number of the BMA regulation
(ระเบียบกรุงเทพมหานคร ว่าด้วยการสนับสนุนงบประมาณชุมชน / "ชุมชนเข้มแข็ง"), whether the amount is
still 200,000 baht in the current year (`PPAOS_COMMUNITY_FUND_BUDGET`, or a province's row),
deadlines for requests and for spending within the year, and the district's receiving
document (ใบตรวจรับ). Other provinces' village-fund-like budgets are assumed to be cash ledgers
the community spends itself, unless a `FundProvinceRule` row says otherwise.
"""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

BE_OFFSET = 543
FISCAL_START_MONTH = 10  # October
BANGKOK = "10"

# Shown on the pages (in Thai; the addresses are in the docstring above).
SOURCE_BMA = (
    "โพสต์ของ ส.ก.เขตทุ่งครุ “ร่วมยินดี ส่งมอบสิ่งของให้กับชุมชน ในเขตทุ่งครุ” (ไม่ระบุวันที่ "
    "ตั้งแต่ปีงบประมาณ 2566); ไทยพับลิก้า “กทม.จัดซื้อวัสดุครุภัณฑ์ ยุคผู้ว่าฯ ชัชชาติ” "
    "(23 มิ.ย. 2567)"
)


class FundMode(models.TextChoices):
    """How the money of a community fund is used."""

    PROCUREMENT = "procurement", _("District procurement: the community chooses, the district buys")
    CASH = "cash", _("Cash ledger: the community pays and keeps receipts")


class ProcurementMethod(models.TextChoices):
    """How the district office bought the items (the BMA's usual methods)."""

    SPECIFIC = "specific", _("Specific method (เฉพาะเจาะจง)")
    SELECTION = "selection", _("Selection (คัดเลือก)")
    E_BIDDING = "e_bidding", _("e-bidding")
    OTHER = "other", _("Other")


# A province without a `FundProvinceRule` row runs its fund in this mode.
DEFAULT_MODES: dict[str, str] = {BANGKOK: FundMode.PROCUREMENT}
FALLBACK_MODE = FundMode.CASH


def fiscal_year_be(day: dt.date) -> int:
    """The fiscal year (B.E.) a day falls in: 1 Oct 2025 – 30 Sep 2026 is 2569."""
    return day.year + BE_OFFSET + (1 if day.month >= FISCAL_START_MONTH else 0)


def fiscal_year_bounds(year_be: int) -> tuple[dt.date, dt.date]:
    """First and last day of a fiscal year (B.E.)."""
    end_ce = year_be - BE_OFFSET
    return dt.date(end_ce - 1, FISCAL_START_MONTH, 1), dt.date(end_ce, FISCAL_START_MONTH - 1, 30)


def default_mode(province_code: str) -> str:
    """The built-in mode of a province (Bangkok: procurement; elsewhere: cash ledger)."""
    return DEFAULT_MODES.get(province_code, FALLBACK_MODE)
