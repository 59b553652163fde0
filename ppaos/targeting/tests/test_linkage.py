"""Record linkage: Thai derived features, and linking/deduplicating synthetic people with known
truth (bench/linkage_data.py) for each kind of damage a second survey does."""

import dataclasses
import datetime as dt
import math
import random
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythainlp.util import normalize

from ppaos.registry import national_id
from ppaos.targeting import linkage
from ppaos.targeting.linkage import (
    COLUMNS,
    LinkageBackendUnavailable,
    dedupe_frame,
    link_frames,
    prepare,
    romanized,
    soundex_codes,
)
from ppaos.targeting.tests.synthetic import data

SEED = 11


def scores(pairs: pd.DataFrame, truth: set) -> tuple[float, float]:
    predicted = set(zip(pairs["left_id"], pairs["right_id"], strict=True))
    tp = len(predicted & truth)
    return tp / max(1, len(predicted)), tp / max(1, len(truth))


def log_odds(p: float) -> float:
    return math.inf if p >= 1 else math.log2(p / (1 - p))


def one(**values) -> dict:
    row = dict.fromkeys(COLUMNS, "")
    row.update(values)
    return row


# --- Thai derived features ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ณัฐพล", "นัฐพล"),  # ณ/น
        ("ทองดี", "ท่องดี"),  # a tone mark
        ("สมศักดิ์", "สมศัก"),  # silent ending dropped
        ("ภัทรา", "พัทรา"),  # ภ/พ
        ("กิตติพงษ์", "กิตติพงศ์"),  # ษ/ศ
        ("สมชาย", "สมชัย"),  # short/long vowel
    ],
)
def test_spelling_variants_sound_alike(a, b):
    codes_a, codes_b = soundex_codes(a), soundex_codes(b)
    agree = [engine for engine, code in codes_a.items() if codes_b.get(engine) == code]
    assert len(agree) >= 2, (a, b, codes_a, codes_b)
    # and the model's "two or more soundex codes" level fires for them, but not for strangers
    unrelated = soundex_codes("วิไลวรรณ")
    assert not any(unrelated.get(e) == c for e, c in codes_a.items())


@pytest.mark.parametrize(("a", "b"), [("ณัฐพล", "นัฐพล"), ("ทองดี", "ท่องดี"), ("ธนพล", "ทนพล")])
def test_romanisation_folds_letters_that_sound_the_same(a, b):
    assert romanized(a) == romanized(b)
    assert romanized(a).isascii()
    assert romanized(a) != romanized("ประยุทธ")


def test_prepare_cleans_ids_dates_prefixes_and_codes():
    frame = pd.DataFrame(
        [
            one(
                id="1",
                national_id="1-2345-45678-78-1",
                prefix="น.ส.",
                first_name="สมใจ\u200b",
                birth_date="2530-02-01",  # Buddhist Era
                subdistrict_code="๑๐๐๑๐๑",
                house_no="๑๒ / ๓",
            ),
            one(id="2", national_id="1234545678789", birth_date="15/08/1990", sex="ชาย"),
            one(id="3", prefix="", first_name="ด.ช.ก้อง", birth_date="2015-06-30"),
            one(id="4", prefix="เด็กชาย", sex="M", birth_date="1960-01-01"),
            one(id="5", prefix="นาย", sex="F"),
            one(id="6", prefix="จ.ส.อ.", first_name="สมชาย"),
        ]
    )
    out = prepare(frame).set_index("id")
    assert out.loc["1", "nid"] == "1234545678781"
    assert pd.isna(out.loc["2", "nid"])  # wrong check digit: treated as missing
    assert (out.loc["1", "birth_year"], out.loc["1", "birth_month"]) == (1987, 2)
    assert out.loc["2", "birth_date"] == "1990-08-15"
    assert out.loc["1", "prefix_code"] == "nangsao"
    assert out.loc["1", "sex_std"] == "F"  # from the prefix when sex is empty
    assert out.loc["2", "sex_std"] == "M"
    assert out.loc["1", "first_name"] == "สมใจ"  # zero-width space gone
    assert out.loc["1", "district_code"] == "1001"  # from the subdistrict, Arabic digits
    assert out.loc["1", "province_code"] == "10"
    assert (out.loc["1", "house_no"], out.loc["1", "house_base"]) == ("12/3", "12")
    # a prefix typed into the first-name field
    assert (out.loc["3", "prefix_code"], out.loc["3", "first_name"]) == ("dekchai", "ก้อง")
    assert bool(out.loc["3", "prefix_child"])
    # a child prefix on a 60-year-old, or นาย on a woman, does not fit
    assert not out.loc["4", "prefix_consistent"]
    assert not out.loc["5", "prefix_consistent"]
    assert out.loc["1", "prefix_consistent"]
    assert out.loc["6", "prefix_code"] == "other"
    assert pd.isna(out.loc["6", "prefix_consistent"])


def test_prepare_takes_registry_values():
    """Rows as the registry gives them: dates as dates, numbers as numbers, sex as M/F."""
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "national_id": [None, "3100600445635"],
            "prefix": ["nangsao", "nai"],
            "first_name": ["สมใจ", "สมชาย"],
            "sex": ["F", "M"],
            "birth_date": [dt.date(1990, 8, 15), None],
            "district_code": [1001, None],
        }
    )
    out = prepare(frame)
    assert out["id"].tolist() == ["1", "2"]
    assert out.loc[0, "birth_date"] == "1990-08-15"
    assert pd.isna(out.loc[1, "birth_date"])
    assert out.loc[0, "district_code"] == "1001"
    assert out.loc[1, "nid"] == "3100600445635"
    assert pd.isna(out.loc[0, "nid"])


def test_prepare_rejects_missing_or_duplicate_ids():
    with pytest.raises(ValueError, match="id"):
        prepare(pd.DataFrame([one(id="1"), one(id="")]))
    with pytest.raises(ValueError, match="unique"):
        prepare(pd.DataFrame([one(id="1"), one(id="1")]))


# --- linking synthetic people with known truth ------------------------------------------

NO_ID = {"id_missing": 1.0, "id_typo": 0.0}
SCENARIOS = {
    "name typos": {**NO_ID, "first_typo": 1.0, "last_typo": 0.5, "moved": 0.0},
    "swapped names": {**NO_ID, "swapped": 1.0},
    "married (นางสาว→นาง, new surname)": {**NO_ID, "married": 1.0, "moved": 0.0},
    "moved address": {**NO_ID, "moved": 1.0},
    "ids missing or mistyped": {"id_missing": 0.5, "id_typo": 0.3},
    "everything at once": {},
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_link_finds_people_despite_damage(scenario):
    rates = dataclasses.replace(data.Rates(), **SCENARIOS[scenario])
    dataset = data.generate(300, seed=SEED, rates=rates)
    pairs = link_frames(dataset.left, dataset.right)
    precision, recall = scores(pairs, dataset.truth_pairs())
    assert precision >= 0.9, (scenario, precision)
    assert recall >= 0.9, (scenario, recall)
    assert list(pairs.columns) == ["left_id", "right_id", "match_probability"]
    assert (pairs["match_probability"] >= 0.9).all()
    assert pairs["match_probability"].is_monotonic_decreasing


def test_married_women_are_found_although_surname_and_prefix_changed():
    rates = dataclasses.replace(data.Rates(), **SCENARIOS["married (นางสาว→นาง, new surname)"])
    dataset = data.generate(300, seed=SEED, rates=rates)
    names = ["id", "prefix_code", "last_name"]
    left = prepare(dataset.left)[names].set_index("id").fillna("")
    right = prepare(dataset.right)[names].set_index("id").fillna("")
    renamed = {
        (a, b)
        for a, b in dataset.truth_pairs()
        if left.loc[a, "prefix_code"] == "nangsao"
        and right.loc[b, "prefix_code"] == "nang"
        and left.loc[a, "last_name"] != right.loc[b, "last_name"]
    }
    assert len(renamed) >= 5
    pairs = link_frames(dataset.left, dataset.right)
    found = renamed & set(zip(pairs["left_id"], pairs["right_id"], strict=True))
    assert len(found) >= 0.8 * len(renamed)


def test_threshold_trades_recall_for_precision():
    dataset = data.generate(300, seed=SEED)
    loose = link_frames(dataset.left, dataset.right, threshold=0.5)
    strict = link_frames(dataset.left, dataset.right, threshold=0.99)
    assert len(strict) <= len(loose)
    assert set(zip(strict["left_id"], strict["right_id"], strict=True)) <= set(
        zip(loose["left_id"], loose["right_id"], strict=True)
    )
    assert (strict["match_probability"] >= 0.99).all()


def test_national_id_dominates_both_ways():
    dataset = data.generate(300, seed=SEED)
    source = dataset.left[dataset.left["national_id"].map(national_id.is_valid)].iloc[7]
    other_id = national_id.make("310060044563")
    assert other_id != national_id.normalize(source["national_id"])
    variants = {
        "same-id": source["national_id"],
        "no-id": "",
        "other-id": other_id,
    }
    extra = []
    for tag, nid in variants.items():
        row = source.copy()
        row["id"], row["national_id"] = f"X-{tag}", nid
        extra.append(row)
    # the same valid ID on a record damaged in every other way a survey can damage it
    damaged = source.copy()
    damaged["id"] = "X-damaged"
    damaged["first_name"] = data.thai_typo(random.Random(1), source["first_name"])
    damaged["last_name"] = "ประยุทธ"  # a new surname
    year, rest = source["birth_date"][:4], source["birth_date"][4:]
    damaged["birth_date"] = f"{int(year) + 1}{rest}"
    damaged["subdistrict_code"], damaged["district_code"], damaged["house_no"] = (
        "130101",
        "1301",
        "999/99",
    )
    extra.append(damaged)
    right = pd.concat([dataset.right, pd.DataFrame(extra)], ignore_index=True)
    pairs = link_frames(dataset.left, right, threshold=0.0)
    mine = pairs[pairs["left_id"] == source["id"]].set_index("right_id")["match_probability"]
    same, missing, other = (mine[f"X-{t}"] for t in ("same-id", "no-id", "other-id"))
    assert same >= missing > other
    # two different valid IDs cost at least 6 bits of evidence (64 times lower odds)
    assert log_odds(missing) - log_odds(other) >= 6
    assert log_odds(same) - log_odds(other) >= 20
    assert mine["X-damaged"] >= 0.9  # a shared valid ID outweighs all that damage


def test_dedupe_finds_duplicates_inside_one_frame():
    dataset = data.generate_duplicates(400, seed=SEED)
    pairs = dedupe_frame(dataset.left)
    precision, recall = scores(pairs, dataset.truth_pairs())
    assert precision >= 0.9
    assert recall >= 0.9
    assert (pairs["left_id"] < pairs["right_id"]).all()
    assert not pairs.duplicated(["left_id", "right_id"]).any()


def test_results_are_deterministic():
    dataset = data.generate(200, seed=SEED + 1)
    first = link_frames(dataset.left, dataset.right)
    second = link_frames(dataset.left, dataset.right)
    pd.testing.assert_frame_equal(first, second)


def test_small_inputs_and_inputs_without_ids_work():
    dataset = data.generate(40, seed=SEED)
    no_ids = dataset.right.assign(national_id="")
    pairs = link_frames(dataset.left.assign(national_id=""), no_ids)
    precision, recall = scores(pairs, dataset.truth_pairs())
    assert precision >= 0.9 and recall >= 0.8
    assert link_frames(dataset.left.head(3), dataset.right.head(2)).columns.tolist() == [
        "left_id",
        "right_id",
        "match_probability",
    ]
    only_ids = pd.DataFrame({"id": ["a", "b", "c"]})
    assert dedupe_frame(only_ids).empty
    assert link_frames(only_ids, only_ids.iloc[:0]).empty
    assert dedupe_frame(only_ids.head(1)).empty


def test_training_falls_back_to_priors_when_em_has_no_pairs():
    model = linkage.settings("link_only").create_settings_dict("duckdb")
    cleaned = linkage._clean_model(model)
    priors = linkage.priors()
    for comparison in cleaned["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        assert len(levels) == len(priors[comparison["output_column_name"]])
        for level in levels:
            assert 0 < level["m_probability"] <= 1
            assert 0 < level["u_probability"] <= 1


def test_spark_backend_needs_pyspark(monkeypatch):
    # PySpark made unimportable, whether or not the `spark` extra is installed here
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    frame = pd.DataFrame([one(id="1", first_name="สมชาย"), one(id="2", first_name="สมชัย")])
    with pytest.raises(LinkageBackendUnavailable, match="pip install pyspark"):
        link_frames(frame, frame, backend="spark")
    with pytest.raises(LinkageBackendUnavailable, match="pip install pyspark"):
        dedupe_frame(frame, backend="spark")
    with pytest.raises(ValueError, match="backend"):
        link_frames(frame, frame, backend="postgres")


def test_pair_count_matches_counting_every_pair():
    """EM's pair count (link and dedupe, one key or two, nulls never agreeing) against a
    brute-force count over every pair."""
    rng = random.Random(SEED)
    values = ["ก", "ข", "ค", None]

    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "a": [rng.choice(values) for _ in range(n)],
                "b": [rng.choice(values) for _ in range(n)],
            },
            dtype="string",
        )

    def agree(x, y, keys) -> bool:
        return all(pd.notna(x[k]) and pd.notna(y[k]) and x[k] == y[k] for k in keys)

    left, right = frame(60), frame(45)
    for keys in (("a",), ("a", "b")):
        across = sum(agree(x, y, keys) for _, x in left.iterrows() for _, y in right.iterrows())
        rows = list(left.iterrows())
        within = sum(
            agree(rows[i][1], rows[j][1], keys)
            for i in range(len(rows))
            for j in range(i + 1, len(rows))
        )
        assert linkage._pair_count([left, right], keys) == across > 0
        assert linkage._pair_count([left], keys) == within > 0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("abc123", "abc123"),
        ("  a   b\t\tc\n", "a b c"),
        ("a\x1fb", "a b"),
        ("x\x00y", "x\x00y"),
        (1001.0, "1001"),
        ("   ", None),
        ("", None),
        (None, None),
        ("สม\u200bใจ  ดี", "สมใจ ดี"),
        ("e\u0301", "\u00e9"),
        (" ๑๒ ", "๑๒"),
    ],
)
def test_text_is_cleaned_the_same_on_the_ascii_shortcut_and_off_it(raw, clean):
    assert linkage._clean_text(raw) == clean


CLEANING_CASES = [
    "abc123",
    "  a   b\t\tc\n",
    "a\x1fb",
    "x\x00y",
    "a b",
    "-1-",
    "   ",
    "",
    None,
    "สม\u200bใจ  ดี",
    "e\u0301",
    " ๑๒ ",
    "abc123",  # repeated: numbered once
]


@pytest.mark.parametrize("dtype", [object, "string", linkage.TEXT])
def test_a_column_is_cleaned_as_each_value_would_be(dtype):
    """`_clean_column` leaves plain ASCII to Arrow and cleans the rest in Python: the same
    result as `_clean_text` on every value, in each text type a frame may carry."""
    column = pd.Series(CLEANING_CASES, dtype=dtype)
    cleaned = linkage._clean_column(column)
    expected = [linkage._clean_text(value) for value in CLEANING_CASES]
    assert [None if pd.isna(value) else value for value in cleaned] == expected


def test_a_column_of_numbers_is_cleaned_without_the_text_shortcut():
    column = pd.Series([1001.0, None, "1001", " 7 "], dtype=object)
    cleaned = linkage._clean_column(column)
    assert [None if pd.isna(v) else v for v in cleaned] == ["1001", None, "1001", "7"]


def test_the_vectorised_id_check_agrees_with_checking_each_id():
    valid = national_id_with_check("123454567878")
    wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    thai = valid.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    dashed = f"{valid[0]}-{valid[1:5]}-{valid[5:10]}-{valid[10:12]}-{valid[12]}"
    values = [valid, wrong, thai, dashed, valid[:12], valid + "0", "12345abcdefgh", None, valid]
    column = linkage._clean_column(pd.Series(values, dtype=object))
    found = linkage._valid_ids(column)
    assert [None if pd.isna(v) else v for v in found] == [
        linkage._valid_id(v) if v is not None else None for v in column
    ]
    assert [None if pd.isna(v) else v for v in found] == [
        valid,
        None,
        valid,
        valid,
        None,
        None,
        None,
        None,
        valid,
    ]


def national_id_with_check(first12: str) -> str:
    return first12 + str(national_id.check_digit(first12))


def test_prepared_text_is_arrow_backed():
    """DuckDB reads Arrow-backed columns without converting each value (Splink's steps were
    a fifth faster than with Python strings)."""
    out = prepare(pd.DataFrame([one(id="1", first_name="สมใจ", national_id=None)]))
    assert out["first_name"].dtype == linkage.TEXT
    assert out["id"].dtype == linkage.TEXT


def test_names_normalised_together_are_each_normalised_as_alone():
    """Every name of the synthetic people (with their typos) through the joined PyThaiNLP
    call and one by one."""
    dataset = data.generate(5_000, seed=SEED)
    names = sorted(
        {
            cleaned
            for frame in (dataset.left, dataset.right)
            for column in ("first_name", "last_name")
            for cleaned in map(linkage._clean_text, frame[column])
            if cleaned
        }
    )
    assert len(names) > 1_000
    assert linkage.thai_normalize_many(names) == [normalize(name) for name in names]


# Thai letters, vowels, tone marks and signs, with spaces, Latin, digits and a zero-width space:
# misordered and repeated marks, stray marks at the start and after spaces, ๅ first.
THAI_TEXT = st.text(
    alphabet=[chr(c) for c in range(0x0E01, 0x0E5C)] + [" ", "a", "1", "\u200b"],
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(THAI_TEXT, min_size=1, max_size=20))
def test_any_cleaned_thai_text_normalises_together_as_alone(raw):
    texts = [cleaned for cleaned in map(linkage._clean_text, raw) if cleaned]
    assert linkage.thai_normalize_many(texts) == [normalize(text) for text in texts]
