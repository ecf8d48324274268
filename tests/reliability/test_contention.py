"""1 000 contested writes on both stores: nothing lost, nothing doubled, every refusal told."""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from application.cases.commands import RegisterCase, RegisterDocument
from application.cases.use_cases import CaseRegistered
from application.fundcase import Fundcase
from application.shared.errors import Conflict
from demo.worked_example import OFFICIAL, REGISTER_CASE
from domain.values import DiaryNumber
from infrastructure.eventstore import open_application
from infrastructure.settings import Settings

WRITES = 1000


def sequence(registered: CaseRegistered) -> int:
    return DiaryNumber.parse(registered.diary_number).sequence


def test_a_thousand_writes_to_one_case_lose_nothing(app: Fundcase) -> None:
    case_id = app.register_case(REGISTER_CASE, OFFICIAL).id
    outcomes: dict[str, str] = {}
    lock = threading.Lock()

    def attempt(i: int) -> None:
        title = f"Handling {i}"
        version = app.get_case(case_id).version
        try:
            app.register_document(
                case_id,
                RegisterDocument(title=title, direction="incoming", date=date(2022, 1, 1)),
                OFFICIAL,
                expected_version=version,
            )
        except Conflict as refusal:
            answer = refusal.rule
        else:
            answer = "recorded"
        with lock:
            outcomes[title] = answer

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(attempt, range(WRITES)))
    recorded = {t for t, a in outcomes.items() if a == "recorded"}
    refused = {t for t, a in outcomes.items() if a != "recorded"}
    stored = {d.title for d in app.get_case(case_id).documents.values()}
    assert len(outcomes) == WRITES  # every caller heard back
    assert stored == recorded  # no lost update, nothing recorded that was refused
    assert set(outcomes.values()) <= {
        "recorded",
        "WriteMustBeBasedOnCurrentVersion",
        "WritesMustNotOverlap",
    }
    assert recorded  # it really was contested:
    assert refused  # some won, some were told they lost
    print(f"\ncontention[one case]: {len(recorded)} recorded, {len(refused)} refused of {WRITES}")


def _register_many(database_url: str, count: int, results: Any) -> None:
    app = open_application(Settings(database_url=database_url))
    numbers = [sequence(app.register_case(REGISTER_CASE, OFFICIAL)) for _ in range(count)]
    app.close()
    results.put(numbers)


def test_a_thousand_registrations_from_four_processes_share_one_series(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(target=_register_many, args=(database_url, WRITES // 4, results))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    numbers: list[int] = []
    deadline = time.monotonic() + 600
    for _ in processes:
        while True:
            try:
                numbers += results.get(timeout=1)
                break
            except queue.Empty:
                # A process that died cannot answer: fail now instead of waiting it out.
                died = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
                assert not died, f"a registering process died (exit codes {died})"
                assert time.monotonic() < deadline, "the registrations did not finish"
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sorted(numbers) == list(range(1, WRITES + 1))  # none shared, none skipped
    print(f"\ncontention[one series, 4 processes]: {len(numbers)} distinct consecutive numbers")


def test_registrations_refused_midway_burn_no_number(database_url: str) -> None:
    app = open_application(Settings(database_url=database_url))
    bad = REGISTER_CASE.model_copy(update={"requested_amount": "200", "total_budget": "100"})
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: _try(app, REGISTER_CASE if i % 2 else bad), range(200)))
    numbers = sorted(n for n in answers if isinstance(n, int))
    assert numbers == list(range(1, 101))
    assert answers.count("RequestedAmountMustNotExceedTotalBudget") == 100
    app.close()


def _try(app: Fundcase, command: RegisterCase) -> int | str:
    try:
        return sequence(app.register_case(command, OFFICIAL))
    except Exception as refusal:  # the refusal is the answer this caller gets
        return getattr(refusal, "rule", type(refusal).__name__)
