"""When a run is evaluated: the images seen at each point of its curve (the untrained model, every
`eval_every_images` and each epoch's end where that is shorter than an epoch, the end)."""

from __future__ import annotations


def evaluation_points(config: dict, epoch_images: int) -> list[int]:
    """The images seen at every evaluation point of a run: 0 (the untrained model), every
    `eval_every_images` (else every epoch), each epoch's end where that interval is shorter than
    an epoch, and the end of the budget."""
    points, nxt = [0], next_point_after(config, epoch_images)
    while (point := nxt(points[-1])) is not None:
        points.append(point)
    return points


def next_point_after(config: dict, epoch_images: int):
    """images seen -> the next evaluation point after it, or None past the end: the next multiple
    of `eval_every_images` and, where that interval is shorter than an epoch, the next epoch's
    end, whichever comes first. (An interval of many epochs, as in the 3,280-pass Burda run, keeps
    to its multiples: an evaluation at every pass would cost about as much as the pass.)"""
    total = config["epochs"] * epoch_images
    every = config["eval_every_images"] or epoch_images

    def next_point(images: int) -> int | None:
        if images >= total:
            return None
        nxt = min((images // every + 1) * every, total)
        if every < epoch_images:
            nxt = min(nxt, (images // epoch_images + 1) * epoch_images)
        return nxt

    return next_point
