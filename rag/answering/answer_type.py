"""What a question asks for — a time, a number, money, a person, a place, an organisation —
and whether a short answer is of that kind.

A reader trained on reading-comprehension data answers 谁 with a number often enough that
the kind of answer is worth checking on its own: "多少名选手" wants a count in 名 (not "70件"),
"门票多少钱" an amount of money, "在哪里办的" a place and not the organiser of 由X举办. The span
ranker (`rag.answering.span_ranker`) weighs the verdict as two features, type_ok and type_miss.
"""

from __future__ import annotations

import re

from rag.text.sentences import names
from rag.text.tokenizer import tagged, word_frequency, words as cut

# the currencies an amount of money is written in
CURRENCY = "元|块|美元|欧元|英镑|日元|港元|港币|韩元|人民币|美金|卢布|澳元|加元|卢比|法郎|泰铢"
# measure words a count is asked in ("多少名", "几幅"): the answer must be counted in the same word
MEASURES = "位名件次人家所座条项种支岁台辆张只架艘枚场届篇部本天周户亩吨幅首份间栋幢颗棵株头匹批期轮款门节处道"

# the kinds of organisation a question asks for by name ("哪个法院")
_BODIES = ("公司|企业|机构|单位|部门|组织|球队|队伍|俱乐部|银行|医院|学校|大学|平台|品牌|媒体|使馆|法院|政府|"
           "委员会|协会")
# "崔某生向法院" for "哪个法院": someone turning to the body asked about, not its name
_TO_BODY = re.compile(rf"哪一?个?({_BODIES})")
# asked for people, not "谁" that a team or a country may answer: a person's name is wanted
# (or a person's name asked as such: "遇难的那名孕妇叫什么名字", "这位小哥姓什么")
_NAMED = (r"(?:人|者|员|官|哥|姐|妹|弟|女士|先生|孕妇|男子|女子|老人|孩子|学生|司机|主播|少年|女孩|男孩|"
          r"妻子|丈夫|儿子|女儿|母亲|父亲|老师|医生|选手|球员|运动员)(?:的)?(?:名字|姓名)?(?:叫什么|是什么|姓什么|叫啥)")
# (or a role only a person holds: "作曲者是谁", "新任总理是谁")
_ROLE_WHO = (r"(?:作曲|作词|编剧|导演|主演|设计师|创始人|负责人|发言人|主持人|主教练|教练|队长|市长|省长|州长|候选人|继任者|"
             r"总统|总理|首相|部长|董事长|总经理|总裁|院长|校长|主席|书记|局长|厅长|大使|法官|检察官)(?:者|家)?(?:是|为)谁")
_PEOPLE = re.compile(rf"哪些人|哪几位|哪一?位|什么人|哪一?个人|哪几个人|{_NAMED}|{_ROLE_WHO}")
# a place asked as a venue or an area ("在佛山哪个场馆举行", "会谈在北京哪个场所举行")
_VENUE = r"哪[个座一家]?(?:场馆|场所|会场|馆|酒店|宾馆|景区|机场|车站|港口|码头|广场|公园|体育馆|区|县|镇|乡|村|街道|小区)"
# questions whose kind is beyond doubt: people, a city or a country, a court or a company by name,
# a clock time (几点), a length of time (多长时间)
_STRICT = re.compile(rf"{_PEOPLE.pattern}|哪[个座一]?(?:国家|城市|省|地区|国)|{_VENUE}|{_TO_BODY.pattern}|几点|多长时间")


def strict_miss(query: str, fit: dict) -> bool:
    """The short answer is not of a kind the question leaves no doubt about (`type_fit`)."""
    return fit["type_miss"] > 0 and bool(_STRICT.search(query))


# common single-character surnames: a two- to four-character answer starting with one, whose
# words jieba does not know as ordinary words, is a person's name even when jieba tags it a place
# (喻渭蛟 -> 喻渭/ns 蛟/ng)
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
                "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
                "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
                "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
                "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
                "佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池乐匡钮郁")


def people(text: str) -> bool:
    """``text`` names a person (jieba's person tags, a proper noun it does not know: 高丰, a
    surname and a given name jieba cuts as other words: 喻渭蛟, or a foreign name), not only
    bodies and titles ("中共中央政治局委员、中央政法委")."""
    words = tagged(text)
    return bool(re.search(r"[A-Za-z]|·", text)) or any(
        w.flag in ("nr", "nrfg", "nrt", "nz") and len(w.word) >= 2 for w in words) or (  # C罗, 奥斯曼·桑科
        bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", text)) and text[0] in SURNAMES and len(words) >= 2
        and not any(len(w.word) >= 2 and frequency(w.word) >= ORDINARY for w in words))


ORDINARY = 100  # jieba dictionary count from which a word is an ordinary word (武汉 24302, 喻渭 none)


def frequency(word: str) -> int:
    return word_frequency(word)


# a place word's generic tail: 广东境内 is 广东
_AREA = re.compile(r"(?:境内|境外|省内|市内|区内|当地|本地|一带|地区)$")

# what the question asks for — as a question (多少, 谁, 哪里 …; 哪几届 asks which ones, not how
# many) or, typed like a search, as the thing it names last ("开幕时间", "起售价", "男单冠军", "举办地")
# — and what a span of that type holds
ASKS = {
    # 多长时间/多少时间 asks how long (a number), not when
    "time": re.compile(r"何时|什么时候|(?<!多长)(?<!多少)时间|日期|哪一?年|哪一?天|哪个月|几月|几号|几日|哪一?年代"),
    "clock": re.compile(r"几点|什么时刻|哪个时刻|几时几分"),
    "number": re.compile(rf"多少|(?<!哪)几[个{MEASURES}万亿千百倍成]|多大|多高|多长|多远|多重|多久|多快|时速|"
                         r"百分之几|数量|人数|票房|销量|增长率|增速|涨幅|占比|震级|点数"),
    "money": re.compile(r"多少钱|价格|价钱|售价|票价|费用|收费|金额|多少(?:奖金|资金|经费|补贴|工资|薪水|罚款)|"
                        # an amount of money named as such:
                        r"(?:收入|收益|营收|利润|销售额|营业额|成交额|投资额|融资额|总额|余额|进出口额|出口额|进口额|贸易额|"
                        r"交易额|市值|罚款|罚金|赔偿金?|"
                        r"奖金|工资|薪资|补贴)(?:是|为|有|达|约|共计?|至少|预计)?(?:多少|几)"),  # 收益是多少, not 营收增长了多少
    "person": re.compile(r"谁|哪位|什么人|哪个人|哪一位|哪些人|哪几位|哪几个人|导演|主教练|创始人|得主|作者|董事长|总统|总理|"
                         + _NAMED),
    "place": re.compile(rf"哪里|哪儿|什么地方|地点|在哪|何地|举办地|举行地|哪[个座一]?(?:国家|城市|省|地区|国)|{_VENUE}"),
    "organization": re.compile(rf"哪[家支所]|哪一?个?(?:{_BODIES})|"
                               r"什么(?:公司|企业|机构|组织|单位|部门|球队|银行|品牌|媒体)"),
}
HAS = {
    "time": re.compile(r"\d{2,4}年|\d{1,2}月|\d{1,2}[日号]|[一二三四五六七八九十〇零]{2,4}年|世纪|年代|"
                       r"时期|期间|今年|去年|明年|上午|下午|晚上|凌晨|春|夏|秋|冬|朝"),
    "number": re.compile(r"\d|[一二两三四五六七八九十百千万亿半]"),
    "clock": re.compile(r"\d{1,2}\s*[时点:：]|[上下]午|凌晨|傍晚|晚上|早上|中午|正午|零时|午夜"),
    "place": re.compile(r"[省市县区镇乡村州国洲岛山河湖海港路街馆园场站]|中心|大厦|大学"),
    "organization": re.compile(r"(?:公司|集团|银行|[球战]?队|局|部|院|会|委|所|中心|协会|大学|学校|学院|医院|"
                               r"机构|组织|企业|俱乐部|航空|平台|台|社|报|网|厂|馆|府)$"),
    "money": re.compile(rf"\d[\d.,]*\s*(?:多|余)?\s*[万亿千百]{{0,2}}\s*(?:{CURRENCY})|免费|[$¥￥]\s*\d"),
}
# a date is no answer to 多少 ("不良贷款余额是多少" is not "7月27日"); a length ("3年") still is
DATES = re.compile(r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{4}\s*年|\d{1,2}\s*[日号]")
# "多少名选手" asks for a count in 名: a number in another measure word ("70件") is the wrong answer
ASKED_UNIT = re.compile(rf"(?:多少|(?<!哪)几)([{MEASURES}])(?!民币)")  # 多少人民币 asks money; 哪几届 which
# measure words that count the same things: "多少家高校" is answered by "18所高校"
SAME_UNIT = {"人": "人名位", "名": "名人位", "位": "位名人", "家": "家所座", "所": "所家座",
             "座": "座所家", "次": "次场回", "场": "场次", "条": "条项", "项": "项条", "台": "台部",
             "部": "部台", "只": "只头", "头": "头只"}


# "由北京市总工会联合中央美术学院举办的展览": who held it, not where
_BY = re.compile(r"由$")
_HELD = re.compile(r"^(?:联合|共同)?(?:举办|主办|承办|协办|举行|发起|组织|牵头|指导)")


def organizer(text: str, a: int, b: int) -> bool:
    """The span is the agent of 由…举办 (an organiser), whatever place words it holds."""
    return bool(_BY.search(text[max(0, a - 1):a]) and _HELD.search(text[b:b + 4]))


def type_fit(query: str, short: str, held_by: bool = False) -> dict:
    """type_ok / type_miss: the question asks for a time, number, person, place or
    organisation (哪家 / 哪支球队: a name, or a word like 公司 队 银行 at its end), and the
    short answer holds one (or not). An organiser (``held_by``: 由X举办) is no place.
    unit_miss: a count asked in a measure word is given in another ("多少幅" → "70件"), or money
    is asked and a number without a currency is given ("多少奖金" → "金奖4名")."""
    asked = [t for t, rx in ASKS.items() if rx.search(query)]
    if held_by and "place" in asked:  # 由X举办: X held it, it is not where
        asked.remove("place")
        if not asked:
            return {"type_ok": 0.0, "type_miss": 1.0, "unit_miss": 0.0}
    if "money" in asked:  # 多少钱 asks for a price, not any number
        asked = [t for t in asked if t != "number"]
    if not asked:
        return {"type_ok": 0.0, "type_miss": 0.0, "unit_miss": 0.0}
    ok = any((people(short) if _PEOPLE.search(query) else names(short)) if t == "person" else
             (HAS[t].search(short) or names(short)) if t in ("place", "organization") else
             HAS["number"].search(DATES.sub("", short)) and unit_fits(query, short)
             if t == "number" else
             HAS[t].search(short) for t in asked)
    body = _TO_BODY.search(query)
    if ok and "organization" in asked and body and re.search(f"[向给对被把跟与到]{body.group(1)}$", short):
        ok = False
    core = _AREA.sub("", short.strip())  # "广东境内" for "位于广东哪个城市": the place asked within
    if (ok and set(asked) <= {"place", "organization"} and len(core) >= 2 and core in query
            and not re.search(f"{re.escape(core)}(?:和|与|或|还是|、)|(?:和|与|或|还是|、){re.escape(core)}", query)):
        ok = False
    counted = bool(HAS["number"].search(short))
    unit_miss = counted and ("number" in asked and not unit_fits(query, short) or
                             "money" in asked and not HAS["money"].search(short))
    return {"type_ok": float(bool(ok)), "type_miss": float(not ok), "unit_miss": float(unit_miss)}


def _within(query: str) -> str | None:
    """The place a question asks within: 佛山 of "在佛山哪个场馆", 广东 of "广东哪个城市"."""
    m = re.search(r"([\u4e00-\u9fff]{2,6})的?哪", query)
    if not m:
        return None
    words = cut(m.group(1))
    return words[-1] if len(words[-1]) >= 2 else None


# "几个国家", "多少个": 个 counts anything, so `unit_fits` leaves it out (6国 answers it), but a
# count it asks is still a number; 几个月 / 几个小时 ask a length of time ("半年")
_COUNTED_IN_GE = re.compile(r"(?:多少|(?<!哪)几)个(?!月|小时|星期|钟头|工作日|季度)")


def no_count(query: str, short: str) -> bool:
    """A count asked ("一共撤离了多少人", "多少架", "几个国家") and a short answer with no number
    at all ("美国公民“尽快”离开海地", "印度、南非等"): no answer, whatever else fits."""
    asked = [t for t, rx in ASKS.items() if rx.search(query)]
    return (asked == ["number"] and (ASKED_UNIT.search(query) or _COUNTED_IN_GE.search(query)) is not None
            and not HAS["number"].search(short))


def unit_fits(query: str, short: str) -> bool:
    """A count asked in a measure word ("多少名", "几枚") is answered in that word, by a count the
    question does not itself name ("职教“三名”计划…" is no answer to "每年遴选多少名")."""
    m = ASKED_UNIT.search(query)
    if not m:
        return True
    units = SAME_UNIT.get(m.group(1), m.group(1)) + "个"  # 个 counts anything ("12个" for 多少支)
    if re.fullmatch(r"[约近超逾]?[\d.,]+\s*(?:多|余)?\s*[万亿]", short.strip()):
        return True  # "10.51亿" for 多少人: the count with its unit left to the question
    # "6个月" is a length of time, not six things counted in 个
    counts = re.finditer(rf"[\d一二两三四五六七八九十百千万亿]+\s*(?:多|余)?\s*[{units}](?!月|小时|百分点)", short)
    return any(c.group() not in query for c in counts)


def restates(query: str, short: str) -> bool:
    """A count the question itself states is not what it asks: "596名选手中有多少名女选手？" is
    not answered by 596名 (a choice, "…还是…", may be answered with what it names); nor is a
    place asked within answered by that place."""
    return (bool(ASKS["number"].search(query)) and not ASKS["time"].search(query)
            and "还是" not in query and bool(re.search(r"\d", short)) and short in query) or _the_container(query, short)


def _the_container(query: str, short: str) -> bool:
    """"广东佛山" for "在佛山哪个场馆举行": the place the question asks within, given back."""
    return (bool(ASKS["place"].search(query)) and bool(within := _within(query))
            and _AREA.sub("", short.strip()).endswith(within))


# a numbered thing the question names: "12号线", "第十届", "二期工程", "3号机组"
_NUMBERED = re.compile(r"第?([\d一二两三四五六七八九十百]+)(号线|号楼|号馆|号机组|号台风|届|期工程|期)")


def other_item(query: str, sentence: str) -> bool:
    """The evidence speaks of another numbered thing of the kind the question names: "19号线…
    共设7座车站" does not answer "12号线一共设多少座车站？" (it names 19号线 and not 12号线)."""
    for m in _NUMBERED.finditer(query):
        number, kind = m.groups()
        named = {n for n, k in _NUMBERED.findall(sentence) if k == kind}
        if named and number not in named:
            return True
    return False


_LINK = re.compile(r"(?:为|达到|达|是|共有|共|约|有|超过|超|近|逾|至|增至|降至)$")
_APART = r"\s，。、；：,;和与及或（）()“”"  # what ends the phrase a count stands against
_PHRASE_AFTER = re.compile(rf"的?([^{_APART}]{{2,4}})")


def attached(query: str, text: str, a: int, b: int) -> bool:
    """A count asked for that stands right against words of the question: "80多处上塌方和9处下塌方"
    answers "上塌方有多少处" with 80多处 (before 上塌方), not 9处 (before 下塌方); in "余额为6.9万亿元"
    the question's 余额 stands just before it."""
    if not (ASKS["number"].search(query) or ASKS["money"].search(query)):
        return False
    if m := _PHRASE_AFTER.match(text, b, b + 9):
        if any(m.group(1)[:n] in query for n in range(len(m.group(1)), 1, -1)):
            return True
    before = re.split(f"[{_APART}]", text[max(0, a - 12):a])[-1]
    before = _LINK.sub("", before)
    return any(before[-n:] in query for n in range(2, min(4, len(before)) + 1))
