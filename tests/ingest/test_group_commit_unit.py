"""GroupCommit on its own: how submissions are grouped, answered, failed, cancelled and drained."""

import asyncio

import pytest

from backend.ingest.group_commit import GroupCommit


class Recorder:
    """A flush that answers each item with (its group's number, the item) and records the groups it saw."""

    def __init__(self, *, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.groups: list[list[list[str]]] = []
        self.delay, self.fail = delay, fail

    async def __call__(self, group):
        self.groups.append([list(waiting.items) for waiting in group])
        number = len(self.groups)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail
        return [[(number, item) for item in waiting.items] for waiting in group]


async def test_submissions_within_the_window_share_one_flush_and_get_their_own_answers():
    flush = Recorder()
    commit = GroupCommit(flush=flush, max_events=100, wait_seconds=0.05)
    answers = await asyncio.gather(commit.submit(["a"]), commit.submit(["b", "c"]), commit.submit(["d"]))
    assert answers == [[(1, "a")], [(1, "b"), (1, "c")], [(1, "d")]]
    assert flush.groups == [[["a"], ["b", "c"], ["d"]]]


async def test_a_full_group_is_flushed_at_once_and_requests_are_never_split():
    flush = Recorder()
    commit = GroupCommit(flush=flush, max_events=3, wait_seconds=10)  # the window would never end on its own
    answers = await asyncio.wait_for(
        asyncio.gather(commit.submit(["a", "b"]), commit.submit(["c", "d"]), commit.submit(["e"])), 2
    )
    assert flush.groups == [[["a", "b"]], [["c", "d"], ["e"]]]
    assert answers == [[(1, "a"), (1, "b")], [(2, "c"), (2, "d")], [(2, "e")]]


async def test_while_every_flush_is_busy_arrivals_gather_into_the_next_group():
    flush = Recorder(delay=0.1)
    commit = GroupCommit(flush=flush, max_events=100, wait_seconds=0, max_in_flight=1)
    first = asyncio.ensure_future(commit.submit(["a"]))
    await asyncio.sleep(0.02)  # "a" is being flushed
    rest = [asyncio.ensure_future(commit.submit([item])) for item in "bcd"]
    await asyncio.gather(first, *rest)
    assert flush.groups == [[["a"]], [["b"], ["c"], ["d"]]]


async def test_a_failed_flush_fails_every_request_of_its_group_and_only_those():
    flush = Recorder(fail=RuntimeError("database gone"))
    commit = GroupCommit(flush=flush, max_events=100, wait_seconds=0.01)
    results = await asyncio.gather(commit.submit(["a"]), commit.submit(["b"]), return_exceptions=True)
    assert [str(result) for result in results] == ["database gone", "database gone"]
    flush.fail = None
    assert await commit.submit(["c"]) == [(2, "c")]


async def test_a_request_cancelled_before_its_group_starts_is_left_out():
    flush = Recorder()
    commit = GroupCommit(flush=flush, max_events=100, wait_seconds=0.05)
    gone = asyncio.ensure_future(commit.submit(["gone"]))
    kept = asyncio.ensure_future(commit.submit(["kept"]))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == [(1, "kept")]
    assert flush.groups == [[["kept"]]]
    with pytest.raises(asyncio.CancelledError):
        await gone


async def test_a_request_cancelled_mid_flush_does_not_stop_the_others_commit():
    flush = Recorder(delay=0.1)
    commit = GroupCommit(flush=flush, max_events=100, wait_seconds=0.01)
    leaving = asyncio.ensure_future(commit.submit(["leaving"]))
    staying = asyncio.ensure_future(commit.submit(["staying"]))
    await asyncio.sleep(0.05)  # the group is in its flush
    leaving.cancel()
    assert await staying == [(1, "staying")]
    assert flush.groups == [
        [["leaving"], ["staying"]]
    ]  # written all the same: its client may resend (duplicate)


async def test_close_flushes_what_waits_and_waits_for_it():
    flush = Recorder(delay=0.05)
    commit = GroupCommit(flush=flush, max_events=100, wait_seconds=10)
    waiting = asyncio.ensure_future(commit.submit(["last"]))
    await asyncio.sleep(0)
    await asyncio.wait_for(commit.close(), 2)
    assert waiting.done() and waiting.result() == [(1, "last")]
