"""What the Python benchmarks measure with: the median of several runs."""
import statistics
import time


def timed(fn, runs, slow=20.0):
    """(median seconds, the last result) of `runs` calls; a tool slower than
    `slow` seconds a call is run once."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if times[-1] > slow:
            break
    return statistics.median(times), result
