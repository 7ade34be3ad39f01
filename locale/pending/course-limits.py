ENTRIES = {
    "The latest %(shown)s sessions are listed; %(n)s earlier ones are in the pooled figures and the export.": "列出最近的 %(shown)s 个场次；其余 %(n)s 个较早的场次计入汇总数字并包含在导出文件中。",
    "The %(shown)s trainers with the most sessions are listed; %(n)s more are in the export.": "列出场次最多的 %(shown)s 位讲师；其余 %(n)s 位包含在导出文件中。",
}
