"""Progress off a terminal: plain lines at a modest rate, none for short work, no control characters."""

from benchmarks import progress


def test_off_a_terminal_progress_is_plain_lines_at_a_modest_rate(capsys, monkeypatch):
    clock = {"t": 0.0}
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock["t"])
    monkeypatch.setattr(progress, "interactive", lambda: False)
    # a long task: 100 steps of 1 s each; a line every 30 s and the last
    with progress.task("training", 100, "steps") as advance:
        for _ in range(100):
            clock["t"] += 1.0
            advance()
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["training: 30/100 steps, about 70 s left", "training: 60/100 steps, about 40 s left",
                     "training: 90/100 steps, about 10 s left", "training: 100/100 steps"]
    assert not any("\r" in line or "\x1b" in line for line in lines)
    # a short task (10 s) prints nothing: the per-epoch line says it
    with progress.task("short", 10) as advance:
        for _ in range(10):
            clock["t"] += 1.0
            advance()
    assert capsys.readouterr().out == ""
