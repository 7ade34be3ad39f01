ENTRIES = {"The session's lift has not been computed yet (it is refreshed when values change and by the daily refresh_lifts).": "该场次的提升率尚未计算（数值变动时及每日 refresh_lifts 时刷新）。"}
