ENTRIES = {"Return-on-training inputs changed": "培训回报率参数已修改"}
