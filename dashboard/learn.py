"""Learn: lessons for a class, each a story from the source, a question to predict, the pair of scenarios that
isolates the one mechanism the lesson teaches, the answer revealed from the runs themselves (never written in
advance: the model's numbers may change), what to notice, and things to try on the Explore page."""

from __future__ import annotations

from dataclasses import dataclass

import reacton.ipyvuetify as rv
import solara

from dashboard import compare, explore, meaning, tables
from dashboard.i18n import scenario_name, t
from dashboard.navigation import page
from dashboard.widgets import Prose

LESSON_REPS = 5  # runs of each scenario: enough for a clear verdict on the lessons' outcomes, quick in class


@dataclass(frozen=True)
class Lesson:
    """`prefix` of its texts; `pair` (reference first) differing in the lesson's mechanism; `key`, the outcome
    its question asks about; `explore`, the scenario to open for the things to try."""

    prefix: str
    pair: tuple[str, str]
    key: str
    explore: str


LESSONS = (
    Lesson("learn_emergency", ("no_linkage", "emergency_online"), "hidden_need_share", "emergency_online"),
    Lesson("learn_external", ("no_linkage", "external"), "equity_ratio", "external"),
    Lesson("learn_internal", ("no_linkage", "internal"), "unmet_need_days", "internal"),
    Lesson("learn_three", ("three_social_unintegrated", "three_social"), "equity_ratio", "three_social"),
    Lesson("learn_story", ("open_recruitment", "categorized_recruitment"), "volunteer_coordinator_overload_days",
           "open_recruitment"),
)
#: (text key prefix, pair): the lessons' pairs, as the page's tests and the Compare page see them.
STEPS = tuple((lesson.prefix, lesson.pair) for lesson in LESSONS)
CHOICES = ("down", "same", "up")

predictions = solara.reactive({})  # lesson prefix -> the choice made
asked = solara.reactive({})  # lesson prefix -> the number of the comparison it started


def go(name: str) -> None:
    page.value = name


def run_lesson(lesson: Lesson) -> None:
    """Run the lesson's pair in the background (its results also appear on Compare) and wait for the reveal."""
    compare.households.value = compare.days.value = None
    compare.reps.value = LESSON_REPS
    compare.start(list(lesson.pair))
    if compare.job.value is not None and not compare.failure.value:
        current = compare.outcome.value
        asked.value = {**asked.value, lesson.prefix: (current or {}).get("number", 0) + 1}


def open_in_explore(name: str) -> None:
    explore.choose_preset(name)
    go("explore")


def answer(lesson: Lesson) -> tuple[str, str] | None:
    """(direction, verdict words) of the lesson's outcome in its finished comparison, or None while not there."""
    result = compare.outcome.value
    if result is None or result.get("number") != asked.value.get(lesson.prefix) or \
            list(result["labels"]) != list(lesson.pair):
        return None
    diffs = result["differences"]
    row = diffs[(diffs["scenario"] == lesson.pair[1]) & (diffs["key"] == lesson.key)]
    if row.empty:
        return None
    row = row.iloc[0]
    words, _ = meaning.verdict(lesson.key, row.ci_low, row.ci_high, row.mean_diff)
    direction = "down" if row.ci_high < 0 else "up" if row.ci_low > 0 else "same"
    return direction, words


@solara.component
def LessonCard(number: int, lesson: Lesson):
    prefix = lesson.prefix
    a, b = (scenario_name(name) for name in lesson.pair)
    with solara.Card(t(f"{prefix}_title"), margin=0, classes=[f"learn-{prefix}", "lesson"],
                     style={"margin-bottom": "12px"}):
        Prose(t(f"{prefix}_text"))
        Prose(t('learn_ask', b=b, a=a, outcome=t(f'key_{lesson.key}')), lead=t('learn_question'))
        choice = predictions.value.get(prefix)
        def predict(index) -> None:
            if isinstance(index, int) and 0 <= index < len(CHOICES):
                predictions.set({**predictions.value, prefix: CHOICES[index]})

        # nothing chosen until the student chooses (solara's toggle would show the first choice as chosen)
        rv.BtnToggle(v_model=CHOICES.index(choice) if choice in CHOICES else None, on_v_model=predict,
                     class_="prediction", children=[rv.Btn(children=[t(f"predict_{c}")], class_=f"predict-{c}")
                                                    for c in CHOICES])
        busy = compare.running()
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Button(t("learn_run_pair", a=a, b=b), on_click=lambda: run_lesson(lesson), color="primary",
                          outlined=True, disabled=choice is None or busy, classes=["btn-lesson-run"])
            if choice is None:
                solara.Text(t("learn_predict_first"), classes=["note"])
            elif busy and asked.value.get(prefix):
                solara.Text(t("learn_running"), classes=["note"])
        found = answer(lesson)
        with solara.Div(classes=["reveal"]):
            if found is not None:
                direction, words = found
                right = direction == choice
                result = t("learn_result", b=b, a=a, outcome=t(f"key_{lesson.key}"), verdict=words)
                Prose(f"{result} {t('learn_right') if right else t('learn_wrong')}", lead=t("learn_answer"))
                why = tables.explanation(compare.outcome.value, lesson.pair[1], lesson.pair[0])
                if why:
                    solara.Text(why, classes=["why", "note"])
                Prose(t(f'{prefix}_notice'), lead=t('learn_notice'))
                Prose(t(f'{prefix}_try'), lead=t('learn_try'))
                with solara.Row(style={"flex-wrap": "wrap"}):
                    solara.Button(t("learn_open", name=scenario_name(lesson.explore)),
                                  on_click=lambda: open_in_explore(lesson.explore), text=True)
                    solara.Button(t("learn_see_compare"), on_click=lambda: go("compare"), text=True)


@solara.component
def Learn():
    """The Learn page."""
    Prose(t("learn_intro"))
    for number, lesson in enumerate(LESSONS, start=1):
        LessonCard(number, lesson)
