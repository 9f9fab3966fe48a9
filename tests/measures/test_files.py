"""A clinic adds its own measure by a definition file; a bad file is refused naming the file and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from booking.config import load_config
from booking.measures import MEASURES, ChangeKind, MeasureError, Scoring, change, with_clinic_measures
from booking.measures.files import load_directory, load_file
from booking.measures.registry import BUILT_IN

# A made-up back questionnaire, scored the way several region-specific ones are: the answered items' sum as a
# percentage of what they could span, lower is better, scorable with at most one item left unanswered.
BACK_INDEX = """
code = "back-index"
name = "Made-up Back Index"
short_name = "MBI"
question = "How much does your back trouble you when you do each of these?"
subject = "Your back score"
scoring = "percent"
higher_is_better = false
mcid = 10
min_answered = 3
source = "Invented for the tests"

[scale]
minimum = 0
maximum = 5
anchors = [{ value = 0, words = "Not at all" }, { value = 5, words = "I cannot do it" }]

[[items]]
key = "sitting"
wording = "Sitting for an hour"

[[items]]
key = "lifting"
wording = "Lifting a bag of groceries"

[[items]]
key = "walking"
wording = "Walking for half an hour"

[[items]]
key = "sleeping"
wording = "Sleeping through the night"
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clinic_adds_its_own_measure_by_a_file_and_it_is_scored(tmp_path: Path) -> None:
    write(tmp_path, "back-index.toml", BACK_INDEX)
    registry = with_clinic_measures(str(tmp_path))
    assert list(registry) == ["nprs", "psfs", "groc", "back-index"]
    back = registry.measure("back-index")
    assert (back.scoring, back.minimum, back.maximum, back.higher_is_better) == (Scoring.PERCENT, 0, 100, False)
    assert back.score({"sitting": 2, "lifting": 4, "walking": 1, "sleeping": 1}) == 40
    assert back.score({"sitting": 2, "lifting": 4, "walking": 3, "sleeping": None}) == 60
    assert back.score({"sitting": 2, "lifting": 4}) is None
    assert registry.asked_at(1) == (MEASURES["nprs"], MEASURES["psfs"], back)
    found = change(back, 60, 45)
    assert found.kind is ChangeKind.IMPROVED
    assert found.for_patient() == "Your back score is 15 points lower than when you started."


def test_the_documented_example_is_a_measure(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "outcome-measures.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", docs, re.DOTALL)
    back = load_file(write(tmp_path, "back.toml", example))
    assert back.score({"sitting": 3, "lifting": 1}) == 40
    assert back.score({"sitting": 3}) is None


def test_no_folder_means_the_built_in_measures_alone() -> None:
    assert with_clinic_measures(None) is MEASURES


def test_the_built_in_measures_are_files_of_the_same_kind() -> None:
    assert [measure.code for measure in load_directory(BUILT_IN)] == ["groc", "nprs", "psfs"]
    assert load_file(BUILT_IN / "psfs.toml") == MEASURES["psfs"]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('mcid = 10\n', "", "mcid: missing"),
    ('mcid = 10', 'mcid = "ten"', "mcid: must be a number"),
    ('mcid = 10', 'mcdi = 10', "mcdi: not a known field"),
    ('mcid = 10', 'mcid = 0', "mcid: a meaningful change must be more than 0"),
    ('scoring = "percent"', 'scoring = "median"', "scoring: must be one of 'answer', 'mean', 'sum', 'percent'"),
    ('higher_is_better = false', 'higher_is_better = "no"', "higher_is_better: must be true or false"),
    ('maximum = 5', 'maximum = 0', "scale: the minimum must be below the maximum"),
    ('maximum = 5', 'maximum = 5.5', r"scale\.maximum: must be a whole number"),
    ('{ value = 5, words', '{ value = 9, words', "scale: every anchor must lie from 0 to 5"),
    ('{ value = 5, words = "I cannot do it" }', '{ value = 5 }', r"scale\.anchors\[1\]\.words: missing"),
    ('key = "lifting"', 'key = "sitting"', "items: every item needs a key of its own"),
    ('wording = "Sitting for an hour"', 'words = "Sitting"',
     r"items\[0\]\.words: not a known field \(the fields are key, wording\)"),
    ('scoring = "percent"', 'scoring = "answer"', "items: a measure scored by its answer has exactly one item"),
    ('code = "back-index"', 'code = "psfs"', "code: 'psfs' is already another measure's"),
    ('code = "back-index"', 'code = "Back index"', "code: 'Back index' must be lower-case letters"),
    ('[scale]', '[scale', "not a readable TOML file"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_field(tmp_path: Path, old: str, new: str,
                                                             message: str) -> None:
    assert old in BACK_INDEX
    path = write(tmp_path, "back-index.toml", BACK_INDEX.replace(old, new, 1))
    with pytest.raises(MeasureError, match=f"^{re.escape(str(path))}: .*{message}"):
        with_clinic_measures(str(tmp_path))


def test_two_files_of_one_code_are_refused_naming_the_second(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", BACK_INDEX)
    second = write(tmp_path, "b.toml", BACK_INDEX)
    message = f"^{re.escape(str(second))}: code: 'back-index' is already another measure's"
    with pytest.raises(MeasureError, match=message):
        load_directory(tmp_path)


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MeasureError, match="not a folder of measure definitions"):
        with_clinic_measures(str(tmp_path / "nowhere"))


def start(tmp_path: Path, folder: str) -> Flask:
    app = Flask(__name__)
    load_config(app, {"INSTANCE_PATH": str(tmp_path / "instance"), "MEASURES_DIR": folder}, environ={})
    return app


def test_the_app_refuses_to_start_with_a_bad_measure_file(tmp_path: Path) -> None:
    path = write(tmp_path / "measures", "back-index.toml", BACK_INDEX.replace("mcid = 10\n", ""))
    with pytest.raises(RuntimeError, match=f"MEASURES_DIR: {re.escape(str(path))}: mcid: missing"):
        start(tmp_path, str(tmp_path / "measures"))
    with pytest.raises(RuntimeError, match="MEASURES_DIR 'measures' must be an absolute path"):
        start(tmp_path, "measures")
    path.write_text(BACK_INDEX, encoding="utf-8")
    assert start(tmp_path, str(tmp_path / "measures")).config["MEASURES_DIR"] == str(tmp_path / "measures")
