ENTRIES = {
    "session day": "场次日期",
    "window (days)": "时间窗（天）",
    "before": "培训前",
    "lift": "提升",
    "comparison lift": "对照组提升",
    "net lift": "净提升",
    "comparison branches": "对照分部数",
    "small sample": "样本过小",
    "computed at": "计算时间",
    "session lift": "场次提升",
    "session lifts": "场次提升",
    "Measured on %(metric)s: %(before)s → %(after)s, lift %(lift)s": (
        "按指标 %(metric)s 测得：%(before)s → %(after)s，提升 %(lift)s"
    ),
}
