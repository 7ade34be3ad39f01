"""daphne under cProfile in every thread, for ``bench/live_load.py --profile``.

    python bench/profile_daphne.py OUT.prof -b 127.0.0.1 -p 8000 hub.asgi:application

``python -m cProfile`` sees only the main thread, while Django's database work runs in
``database_sync_to_async``'s worker thread. Here every thread gets its own profiler and, when
daphne stops (SIGINT), all of them are merged into OUT.prof. Profiling slows the server
down (about twice); read the shares, not the absolute times.
"""

import cProfile
import pstats
import sys
import threading

profiles: list[cProfile.Profile] = []
_thread_run = threading.Thread.run


def _profiled_run(self) -> None:
    profile = cProfile.Profile()
    profiles.append(profile)
    profile.enable()
    try:
        _thread_run(self)
    finally:
        profile.disable()


def main() -> None:
    out = sys.argv.pop(1)
    sys.argv[0] = "daphne"
    threading.Thread.run = _profiled_run
    from daphne.cli import CommandLineInterface

    main_profile = cProfile.Profile()
    profiles.insert(0, main_profile)
    main_profile.enable()
    try:
        CommandLineInterface.entrypoint()
    finally:
        main_profile.disable()
        stats = pstats.Stats(main_profile)
        for profile in profiles[1:]:
            try:
                stats.add(profile)
            except TypeError:  # a profiler that never recorded anything
                continue
        stats.dump_stats(out)


if __name__ == "__main__":
    main()
