ENTRIES = {
    "Return (benefit : cost)": "回报（收益 : 成本）",
    "cost CNY %(cost)s, benefit CNY %(benefit)s": "成本 %(cost)s 元，收益 %(benefit)s 元",
}
