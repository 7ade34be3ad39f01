from django.urls import path

from live import consumers
from live.monitor.consumers import MonitorConsumer

websocket_urlpatterns = [
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
    path("ws/live/monitor/", MonitorConsumer.as_asgi()),
    path("ws/live/<int:session_id>/", consumers.LiveConsumer.as_asgi()),
]
