"""The step log (steps.csv): several rows per pass, each the mean over the steps since the
previous row, worked out by hand from Keras's running means."""

import pytest

from benchmarks.training.callbacks import StepClock, StepLog


class Clock(StepClock):
    """A step clock driven by hand: `steps` and the seconds are set by the test."""

    def __init__(self, max_steps):
        super().__init__(max_steps)
        self.steps, self.now = 0, 0.0

    def elapsed(self):
        return self.now


def run(losses, every, batch_size=10, execution=1):
    """Feed StepLog the running mean after every `execution` steps of per-step `losses`."""
    clock = Clock(max_steps=len(losses))
    log = StepLog(clock, start_images=1000, epoch_images=len(losses) * batch_size, start_seconds=5.0,
                  batch_size=batch_size, every=every, names=["loss"])
    log.on_train_begin()
    for end in range(execution, len(losses) + execution, execution):
        clock.steps = min(end, len(losses))
        clock.now = float(clock.steps)
        log.on_train_batch_end(clock.steps - 1, {"loss": sum(losses[: clock.steps]) / clock.steps})
    return log.rows


def test_each_row_is_the_mean_since_the_previous_row():
    rows = run([1.0, 3.0, 5.0, 7.0, 9.0, 11.0], every=2)
    assert [r["images"] for r in rows] == [1020, 1040, 1060]  # 2, 4, 6 steps of 10 images after 1,000
    assert [r["epoch"] for r in rows] == pytest.approx([1020 / 60, 1040 / 60, 1060 / 60])
    # steps 1-2: (1 + 3) / 2 = 2; steps 3-4: (5 + 7) / 2 = 6; steps 5-6: (9 + 11) / 2 = 10 (running means:
    # 2, 4, 6; e.g. the second row is (4 * 4 - 2 * 2) / (4 - 2) = 6)
    assert [r["loss"] for r in rows] == pytest.approx([2.0, 6.0, 10.0])
    assert [r["train_seconds"] for r in rows] == [7.0, 9.0, 11.0]  # 5 s before the pass, then 1 s a step


def test_a_short_last_interval_and_executions_of_several_steps():
    # every 2 steps, but Keras reports only after every 3 (steps_per_execution): rows at 3 and 6,
    # then the pass's end at 7: (1+2+3)/3 = 2, (4+5+6)/3 = 5, 7 / 1 = 7
    rows = run([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], every=2, execution=3)
    assert [r["images"] for r in rows] == [1030, 1060, 1070]
    assert [r["loss"] for r in rows] == pytest.approx([2.0, 5.0, 7.0])


def test_one_step_passes_and_one_row_per_pass():
    assert [r["loss"] for r in run([4.0], every=1)] == [4.0]  # degenerate: a single step
    rows = run([2.0, 4.0, 6.0], every=100)  # fewer steps than `every`: the pass's end alone
    assert len(rows) == 1 and rows[0]["loss"] == pytest.approx(4.0)
