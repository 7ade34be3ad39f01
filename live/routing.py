from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
]

from .monitor.consumers import MonitorConsumer  # noqa: E402

websocket_urlpatterns.append(path("ws/live/monitor/", MonitorConsumer.as_asgi()))
