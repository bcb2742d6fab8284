"""Validation messages in Chinese. The scenario loader and the experiments runner write their messages in English
(the command line's language); the Chinese page shows them translated, sentence by sentence, from the forms they
take: "<file>: field '<key>': <problem>. Allowed: ...". A sentence of no known form is reported as not translated,
so the page can keep the original at hand.
"""

from __future__ import annotations

import re

from dashboard.i18n import FIELDS, OPTIONS, t

LINE = re.compile(r"^(?P<where>.*?): field '(?P<key>[^']+)': (?P<problem>.*)$", re.S)
ALLOWED = re.compile(r"\s*Allowed: .*$", re.S)


#: Fields of the scenario's top level that are not levers of a mechanism.
TOP_FIELDS = {"households": "户数", "days": "天数", "name": "名称", "description": "说明", "phases": "阶段"}


def _field(key: str) -> str:
    """A field as the Chinese page names it: its lever's name, with the key for the file."""
    name = FIELDS.get(key, (TOP_FIELDS.get(key),))[0]
    return f"“{name}”（{key}）" if name else f"“{key}”"


def _got(value: str) -> str:
    """A value from the file as the message quotes it: in Chinese quotation marks (the file's own text)."""
    return f"“{value.strip(chr(34))}”"


def _number_list(text: str) -> str:
    return "、".join(p.strip(" '\"") for p in re.split(r",\s*|\s+or\s+", text) if p.strip(" '\""))


def _options(text: str) -> str:
    """Choices as the page names them, each with the word the file uses: 公开招募（open）."""
    words = [p.strip(" '\"") for p in re.split(r",\s*|\s+or\s+", text) if p.strip(" '\"")]
    return "、".join(f"{OPTIONS[w][0]}（{w}）" if w in OPTIONS else w for w in words)


#: (pattern of a problem, its Chinese); groups are filled in by name.
PROBLEMS: list[tuple[re.Pattern, object]] = [
    (r"unknown key\.(?: Did you mean '(?P<hint>[^']+)'\?)?(?: Allowed here: (?P<allowed>.*?))?\.?$",
     lambda m: "没有这个字段。" + (f"是不是“{m['hint']}”？" if m["hint"] else "")
     + (f"这里可用的字段有：{_number_list(m['allowed'])}。" if m["allowed"] else "")),
    (r"Input should be less than or equal to (?P<n>[^ ]+?)(?: \(got (?P<got>.*?)\))?\.?$",
     lambda m: f"应不大于 {m['n']}" + (f"（现为 {_got(m['got'])}）" if m["got"] else "") + "。"),
    (r"Input should be greater than or equal to (?P<n>[^ ]+?)(?: \(got (?P<got>.*?)\))?\.?$",
     lambda m: f"应不小于 {m['n']}" + (f"（现为 {_got(m['got'])}）" if m["got"] else "") + "。"),
    (r"Input should be less than (?P<n>[^ ]+?)(?: \(got (?P<got>.*?)\))?\.?$",
     lambda m: f"应小于 {m['n']}" + (f"（现为 {_got(m['got'])}）" if m["got"] else "") + "。"),
    (r"Input should be greater than (?P<n>[^ ]+?)(?: \(got (?P<got>.*?)\))?\.?$",
     lambda m: f"应大于 {m['n']}" + (f"（现为 {_got(m['got'])}）" if m["got"] else "") + "。"),
    (r"Input should be a valid integer.*?(?:\(got (?P<got>.*?)\))?\.?$",
     lambda m: "应为整数" + (f"（现为 {_got(m['got'])}）" if m["got"] else "") + "。"),
    (r"Input should be a (?:valid|finite) number.*?(?:\(got (?P<got>.*?)\))?\.?$",
     lambda m: "应为数字" + (f"（现为 {_got(m['got'])}）" if m["got"] else "") + "。"),
    (r"Input should be a valid boolean.*?(?:\(got (?P<got>.*?)\))?\.?$",
     lambda m: "应为 true 或 false" + (f"（现为 {_got(m['got'])}）" if m["got"] else "") + "。"),
    (r"Input should be a valid (?:string|list|dictionary).*$", lambda m: "类型不对，请对照情景文件说明修改。"),
    (r"Input should be (?P<options>'.*?')(?: \(got (?P<got>.*?)\))?\.?$",
     lambda m: f"应为以下之一：{_options(m['options'])}" + (f"（现为 {_got(m['got'])}）" if m["got"] else "")
     + "。"),
    (r"Field required.*$", lambda m: "缺少这个字段。"),
    (r"is not a number \(got (?P<got>.*?)\); give a finite number.*$",
     lambda m: f"不是数字（现为 {_got(m['got'])}），请填一个有限的数。"),
    (r"is infinite \(got (?P<got>.*?)\); give a finite number.*$",
     lambda m: f"是无穷大（现为 {_got(m['got'])}），请填一个有限的数。"),
    (r"'(?P<where>[^']+)' is not a section with fields.*$",
     lambda m: f"“{m['where']}”不是可以再分字段的部分，请直接给它赋值。"),
]
PROBLEMS = [(re.compile(p, re.S), f) for p, f in PROBLEMS]

#: Whole sentences of the loader and of the scenario's own checks.
SENTENCES: list[tuple[re.Pattern, object]] = [
    (r"^(?P<where>.*?): not valid TOML: .*?line (?P<line>\d+), column (?P<col>\d+).*$",
     lambda m: f"{m['where']}：不是有效的 TOML 文件，第 {m['line']} 行第 {m['col']} 列附近有格式错误。"
     "请修正后再上传。"),
    (r"^(?P<where>.*?): not valid TOML: .*$",
     lambda m: f"{m['where']}：不是有效的 TOML 文件。请修正格式后再上传。"),
    (r"^(?P<where>.*?): is larger than (?P<size>[\d.,]+ ?[KMG]i?B), the most .*$",
     lambda m: f"{m['where']}：文件超过 {m['size'].replace('MiB', 'MB').replace('KiB', 'KB')}，"
     "超出了情景文件的上限（情景文件通常只有几 KB）。请确认选对了文件。"),
    (r"^(?P<where>.*?): starts with a byte-order mark \(BOM\).*$",
     lambda m: f"{m['where']}：文件开头带有字节顺序标记（BOM），TOML 不允许。请另存为不带 BOM 的 UTF-8 编码（记事本中选"
     "“UTF-8”，不要选“带有 BOM 的 UTF-8”）。"),
    (r"^(?P<where>.*?): arrays or tables nest too deeply to read.*$",
     lambda m: f"{m['where']}：方括号嵌套太深，无法读取；情景文件只需要几层（例如 [[phases]] 或一列数值）。"
     "请检查括号。"),
    (r"^(?P<where>.*?): field 'phases\[(?P<i>\d+)\]\.start': phase '(?P<a>[^']+)' starts on day (?P<d>\d+), after "
     r"the last day of the run \(day (?P<last>\d+).*$",
     lambda m: f"{m['where']}：阶段“{m['a']}”从第 {m['d']} 天开始，晚于运行的最后一天（第 {m['last']} 天），"
     "永远不会生效；请让它更早开始、删去它，或增加天数。"),
    (r"^(?P<where>.*?): field 'extends': more than 8 levels of extends.*$",
     lambda m: f"{m['where']}：“extends”嵌套超过 8 层，是不是互相引用了？"),
    (r"^(?P<where>.*?): is not UTF-8 text \(byte (?P<byte>\d+)\).*$",
     lambda m: f"{m['where']}：不是 UTF-8 编码的文本（第 {m['byte']} 字节）。请以 UTF-8 编码保存后再上传。"),
    (r"^(?P<where>.*?): external\.lead_days_final = (?P<a>\d+) is longer than external\.lead_days_initial = "
     r"(?P<b>\d+).*$",
     lambda m: f"{m['where']}：{_field('external.lead_days_final')}为 {m['a']} 天，比"
     f"{_field('external.lead_days_initial')}的 {m['b']} 天还长；团购成熟后到货应更快，请让前者不大于后者。"),
    (r"^(?P<where>.*?): prices\.cap = (?P<cap>[^ ]+) is below the pre-lockdown index 1\.0.*$",
     lambda m: f"{m['where']}：{_field('prices.cap')}为 {m['cap']}，低于封控前的价格指数 1.0；"
     "不设上限请填 0，否则至少为 1。"),
    (r"^(?P<where>.*?): cadres\.coordination_share \+ cadres\.screening_share = (?P<sum>[^ ]+) is more .*$",
     lambda m: f"{m['where']}：社区干部用于协调和筛查的时间比例之和为 {m['sum']}，超过了全部工时；两者之和最多为 1。"),
    (r"^(?P<where>.*?): households x days = (?P<n>[\d,]+) is too large to simulate here; keep it under "
     r"(?P<max>[\d,]+).*$",
     lambda m: f"{m['where']}：户数 × 天数 = {m['n']}，规模太大，请保持在 {m['max']} 以内。"),
    (r"^(?P<where>.*?): phases\[0\]\.start: the first phase must start on day 0, not day (?P<d>\d+).*$",
     lambda m: f"{m['where']}：第一个阶段必须从第 0 天开始，而不是第 {m['d']} 天。"),
    (r"^(?P<where>.*?): phases\[(?P<i>\d+)\]\.start: phase '(?P<a>[^']+)' starts on day (?P<d>\d+), which overlaps "
     r"or precedes phase '(?P<b>[^']+)' \(day (?P<e>\d+)\).*$",
     lambda m: f"{m['where']}：阶段“{m['a']}”从第 {m['d']} 天开始，不晚于前一阶段“{m['b']}”（第 {m['e']} 天）；"
     "各阶段的开始日应逐个推后。"),
    (r"^(?P<where>.*?): field 'extends': '(?P<name>[^']+)' is neither a preset .*$",
     lambda m: f"{m['where']}：“extends”写的“{m['name']}”不是预设情景的名称。"),
    (r"^(?P<where>.*?): field 'extends': .*$",
     lambda m: f"{m['where']}：“extends”只能写预设情景的名称。"),
]
SENTENCES = [(re.compile(p, re.S), f) for p, f in SENTENCES]


def translate_line(line: str) -> tuple[str, bool]:
    """One sentence of a message in Chinese, and whether it was translated whole."""
    for pattern, write in SENTENCES:
        match = pattern.match(line)
        if match:
            return write(match), True
    match = LINE.match(line)
    if match:
        problem = ALLOWED.sub("", match["problem"]).strip()
        for pattern, write in PROBLEMS:
            found = pattern.match(problem)
            if found:
                return f"{match['where']}：{_field(match['key'])}{write(found)}", True
        return f"{match['where']}：{_field(match['key'])}的值不符合要求。", False
    if re.search(r"[A-Za-z]{3,}", line) and not re.search(r"[\u4e00-\u9fff]", line):
        return t("message_untranslated"), False
    return line, True


def translate(text: str) -> tuple[str, bool]:
    """A message (one sentence a line) in Chinese, and whether every line was translated whole."""
    lines = [translate_line(line) for line in text.splitlines() if line.strip()]
    return "\n".join(line for line, _ in lines), all(ok for _, ok in lines)
