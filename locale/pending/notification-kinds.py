ENTRIES = {
    "Survey": "问卷",
    "Follow-up": "跟进评估",
}
