ENTRIES = {
    "L3 manager follow-up": "L3 上级跟进评估",
    "Sent": "已发送",
    "Answered": "已回答",
    "No manager": "无上级",
    "Applies what was taught (mean, 1-5)": "学以致用（平均，1-5）",
    "Rated 4 or 5 (percent)": "评 4 或 5 分（%）",
    "Comment": "评论",
}
