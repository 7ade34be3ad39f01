ENTRIES = {
    "At most 20 options, each at most 200 characters.": "最多 20 个选项，每个最多 200 个字符。",
    "A survey template with this name exists already.": "已有同名的问卷模板。",
}
