"""Placeholder until the monitor lands: the HQ monitor's group updates."""


async def monitor_room_update(**figures) -> None:
    return None


def monitor_room_update_sync(**figures) -> None:
    return None
