"""Every shipped golden case through the eval runner, here: all pass except the declared known gaps.

Also what the `given:` section and the `final.bookings` / `final.given` checks do, on a case written here.
"""

import textwrap

import pytest
import yaml
from pydantic import ValidationError

from backend.agent.setup import build_agent
from backend.evals.given import GivenError
from backend.evals.golden import GoldenCase
from backend.evals.runner import prepare_eval_business, run_case
from backend.evals.sync import GOLDENS_DIR, read_suite
from backend.scheduling.models import Booking

GIVEN_BUT_UNTOUCHED = """
    name: given-but-untouched
    description: The customer holds a booking and only says hello, so nothing is cancelled.
    customer: "+15550107300"
    given:
      bookings:
        - {service: haircut, date: "2030-01-11", time: "15:00", name: "Ana Costa", staff: Dana}
        - {service: massage, date: "2030-01-08", time: "10:00", name: "Bo Lind", customer: "+15550107301"}
    turns:
      - customer: "hello"
      - customer: "when is my appointment?"
        expect:
          tools: [{name: find_bookings}]
          reply_contains: ["haircut", "Friday, Jan 11 at 3pm", "Dana"]
          reply_not_contains: ["massage"]
    final:
      bookings: 0
      given: [cancelled, confirmed]
"""


def _case(text: str, **changes) -> GoldenCase:
    return GoldenCase.model_validate({**yaml.safe_load(textwrap.dedent(text)), **changes})


async def test_every_shipped_golden_passes_unless_it_declares_a_known_gap(app, test_settings):
    await prepare_eval_business()
    setup = build_agent(test_settings)
    failing, gaps_that_pass, played = {}, [], 0
    for folder in sorted(path for path in GOLDENS_DIR.iterdir() if path.is_dir()):
        for case in read_suite(folder)[1]:
            outcome = await run_case(case, setup=setup)
            played += 1
            name = f"{folder.name}/{case.name}"
            if case.known_gap and outcome.passed:
                gaps_that_pass.append(name)
            elif not case.known_gap and not outcome.passed:
                failing[name] = outcome.failures[:2]
    assert played == len(list(GOLDENS_DIR.glob("*/*.yaml"))) >= 83
    assert failing == {}
    assert gaps_that_pass == []  # fixed: delete the case's known_gap line (and its row in the README)


async def test_given_bookings_exist_for_the_first_turn_and_final_says_what_became_of_them(app, test_settings):
    await prepare_eval_business()

    outcome = await run_case(_case(GIVEN_BUT_UNTOUCHED), setup=build_agent(test_settings))

    assert [miss for miss in outcome.failures if miss["turn"] != "final"] == []
    assert [(miss["expectation"], miss["expected"], miss["actual"]) for miss in outcome.failures] == [
        ("bookings", 0, ["haircut 2030-01-11 15:00"]),
        ("given[0]", "cancelled", ["confirmed"]),
    ]
    assert await Booking.all().count() == 0  # made inside the case's rolled-back transaction


async def test_a_given_booking_that_cannot_be_made_fails_loudly(app, test_settings):
    await prepare_eval_business()
    sunday = _case(
        GIVEN_BUT_UNTOUCHED,
        given={
            "bookings": [{"service": "haircut", "date": "2030-01-13", "time": "10:00", "name": "Ana Costa"}]
        },
        final=None,
    )

    with pytest.raises(GivenError, match="no free future haircut slot at 2030-01-13 10:00"):
        await run_case(sunday, setup=build_agent(test_settings))


def test_final_given_names_one_outcome_per_given_booking():
    with pytest.raises(ValidationError, match=r"final.given lists 1 outcome\(s\) for 2 given booking\(s\)"):
        _case(GIVEN_BUT_UNTOUCHED, final={"given": ["cancelled"]})


FROZEN_HANDOFF = """
    name: frozen-handoff-hands-nothing-off
    description: A handoff whose answer is frozen does not run, so the conversation stays with the agent.
    turns:
      - customer: "Could someone call me back please"
        tool_results:
          handoff_to_human: {handed_off: true}
        expect:
          tools: [{name: handoff_to_human}]
          handoff: false
      - customer: "hello?"
        expect:
          silent: false
"""


async def test_a_frozen_handoff_answer_leaves_the_conversation_with_the_agent(app, test_settings):
    await prepare_eval_business()

    outcome = await run_case(_case(FROZEN_HANDOFF), setup=build_agent(test_settings))

    assert outcome.failures == []
    assert [line["status"] for line in outcome.transcript] == [
        "HANDED_OFF",
        "OK",
    ]  # the run says what it asked for
