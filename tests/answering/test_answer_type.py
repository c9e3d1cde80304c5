"""What a question asks for and whether a short answer is of that kind (no model)."""

from __future__ import annotations

import pytest

from rag.answering.answer_type import attached, no_count, other_item, restates, strict_miss, type_fit
from rag.answering.asked_of import counted, dated, measured, names_counted, speaks_of


@pytest.mark.parametrize("question,short,fits", [
    ("这次展览的门票多少钱？", "70件", False),  # a price is asked: any number will not do
    ("这次展览的门票多少钱？", "免费", True),
    ("iPhone SE 3的起售价", "3499元", True),  # typed like a search
    ("中国获得多少枚金牌？", "70件", False),  # counted in 枚, answered in 件
    ("有多少人参加？", "100余名", True),  # 人 and 名 count people alike
    ("2022年6月我国网民规模有多少人？", "10.51亿", True),  # the count, its unit left to the question
    ("美加墨世界杯会有多少支球队参赛？", "48个", True),  # 个 counts anything
    ("这次展览展出了多少幅油画？", "70件", False),  # 幅 is a measure word too
    ("乌克兰首批能接收多少架F-16战斗机？", "6个月", False),  # a length of time, not things counted in 个
    ("黑河学院同多少家高等院校签约？", "18所", True),  # 家 and 所 count institutions alike
    ("一共举办了几场比赛？", "12次", True),
    ("职教“三名”计划每年遴选多少名培养对象？", "职教“三名”计划突出培养全过程管理", False),  # its own count
    ("过渡资金是多少人民币？", "6亿元", True),  # 多少人民币 is no count of people
    ("C919商业首飞时间", "2023年5月28日", True),
    ("2021赛季中超冠军", "山东泰山", None),  # 冠军 may be a person or a team: no verdict
    ("谁当选为泰国新总理？", "70件", False),
    ("全体会议有哪些人出席？", "王小洪、张军、应勇", True),  # people: their names
    ("全体会议有哪些人出席？", "三项议程", False),
    ("全体会议有哪些人出席？", "中共中央政治局委员、中央政法委", False),  # bodies and titles, no person
    ("谁获得了男篮世界杯冠军？", "德国队", True),  # 谁 may be answered by a team
    ("最后是哪个法院发的禁止令？", "广州市海珠区人民法院", True),
    ("最后是哪个法院发的禁止令？", "崔某生向法院", False),  # someone turning to a court, not its name
    ("洗钱金店具体位于广东哪个城市？", "广东境内", False),  # the place the question names itself
    ("洗钱金店具体位于广东哪个城市？", "东莞", True),
    ("北京和上海哪个城市的常住人口更多？", "上海", True),  # a choice the question offers
    ("国庆假期全国旅游收入是多少？", "4.22亿人次", False),  # an income is money, not visits
    ("国庆假期全国旅游收入是多少？", "2872.1亿元", True),
    ("上半年净利润至少多少？", "45亿元", True),
    ("上半年净利润至少多少？", "增长45%", False),  # a profit is an amount, not a growth rate
    ("上半年营收增长了多少？", "20%", True),  # a growth is no amount of money
    ("员工花费在装忙上的时间占工作时长的百分比是多少？", "32%", True),  # time spent, not money
    ("截至上半年末，不良贷款余额是多少？", "7月27日", False),  # a date is no amount
    ("与沿线国家的进出口总额是多少？", "增长6.2%", False),  # a total is an amount of money
    ("与沿线国家的进出口总额是多少？", "3712.9亿元", True),
    ("我国结构性货币政策工具余额是多少？", "6.9万亿元", True),  # 万亿: two magnitudes
    ("股价上涨了多少？", "2023年8月", False),
    ("培训为期多少年？", "3年", True),  # a length in years is a number, not a date
    ("武汉三镇队对阵的是哪支球队？", "青岛海牛队", True),  # an organisation: a team
    ("那架货机是哪家航空公司的？", "顺丰航空", True),
    ("那架货机是哪家航空公司的？", "9时15分", False),
    # 哪几届 asks which ones, not how many: the items are no count in the wrong measure word
    ("国干网运维一线经历过哪几届大运会？", "2001年北京大运会、2011年深圳大运会到2023年成都大运会", None),
    ("遇难的那名孕妇叫什么名字？", "一名孕妇死亡，另有四人受伤", False),  # a person's name asked
    ("遇难的那名孕妇叫什么名字？", "玛丽亚·加西亚", True),
    ("恐吓邮件说炸弹几点爆炸？", "15日", False),  # a clock time asked, a day given
    ("恐吓邮件说炸弹几点爆炸？", "下午3时34分", True),
    ("会谈持续了多长时间？", "28日晚", False),  # a length of time asked, not when
    ("会谈持续了多长时间？", "3个小时", True),
    ("会议在什么时间召开？", "28日晚", True),
    ("地铁最高能跑多快？", "120公里/小时", True),  # 多快 asks a speed, a number
    ("地铁最高能跑多快？", "武汉火车站", False),
])
def test_the_answer_type_is_read_from_the_question(question, short, fits):
    want = (0.0, 0.0) if fits is None else (float(fits), float(not fits))
    fit = type_fit(question, short)
    assert (fit["type_ok"], fit["type_miss"]) == want


def test_a_count_the_question_states_is_not_its_answer():
    assert restates("596名选手中有多少名女选手？", "596名")
    assert not restates("596名选手中有多少名女选手？", "120名")
    assert not restates("2023年2月1日股票发行注册制改革在哪一天正式启动？", "2023年2月1日")  # a date asked
    assert not restates("参赛的是596名还是600名选手？", "596名")  # a choice names its answers


@pytest.mark.parametrize("question,short,miss", [
    ("金奖项目每个能拿到多少奖金？", "4名、银奖8名、铜奖12名", True),  # a count of winners, no money
    ("恒大对费南多处罚了多少钱？", "300万人民币", False),
    ("这次展览展出了多少幅油画？", "70件", True),
    ("这次展览展出了多少幅油画？", "27幅", False),
    ("运维一线经历过哪几届大运会？", "2001年北京大运会、2011年深圳大运会", False),  # which, not how many
    ("运维一线经历过几届大运会？", "2001年北京大运会、2011年深圳大运会", True),
])
def test_a_number_in_the_wrong_unit_is_flagged(question, short, miss):
    assert type_fit(question, short)["unit_miss"] == float(miss)


@pytest.mark.parametrize("question,sentence,other", [
    ("武汉轨道交通12号线全线一共设多少座车站？", "武汉地铁19号线…全线共设车站7座。", True),
    ("武汉轨道交通12号线全线一共设多少座车站？", "武汉地铁12号线是首条环线，设站37座，与19号线换乘。", False),
    ("武汉轨道交通12号线全线一共设多少座车站？", "该线路设站37座。", False),  # names no line: may be it
    ("第十届创青春大赛产生了多少金奖？", "第九届大赛产生金奖12个。", True),
    ("第十届创青春大赛产生了多少金奖？", "本届大赛产生金奖4名。", False),
])
def test_evidence_about_another_numbered_thing(question, sentence, other):
    assert other_item(question, sentence) is other


@pytest.mark.parametrize("question,text,count,held", [
    ("马嶂线上塌方有多少处？", "马嶂线出现80多处上塌方和9处下塌方。", "80多处", True),
    ("马嶂线上塌方有多少处？", "马嶂线出现80多处上塌方和9处下塌方。", "9处", False),  # 下塌方
    ("结构性货币政策工具余额是多少？", "工具余额为6.9万亿元，约占央行总资产的16%", "6.9万亿元", True),
    ("结构性货币政策工具余额是多少？", "工具余额为6.9万亿元，约占央行总资产的16%", "16%", False),
    ("马嶂线在哪里？", "马嶂线出现80多处上塌方。", "80多处", False),  # no count asked
])
def test_a_count_stands_against_the_words_asked(question, text, count, held):
    a = text.index(count)
    assert attached(question, text, a, a + len(count)) is held


@pytest.mark.parametrize("question,word", [
    ("我国成年人胆囊结石的患病率是多少？", "患病率"),
    ("截至6月末，我国结构性货币政策工具余额是多少？", "工具余额"),
    ("海底捞上半年净利润至少有多少？", "净利润"),
    ("帕亚拉燃煤电站的装机规模是多少来着？", "装机规模"),  # 装机容量 shares 装机
    ("2021年韩国女性劳动者的人均薪酬是多少韩元？", "人均薪酬"),  # asked in a currency
    ("技能竞赛一共多少人参赛？", None),  # the count is not at the end: no single noun measured
    ("公司营收增长了多少？", None),  # a verb, not a noun
])
def test_what_a_count_question_measures(question, word):
    assert measured(question) == word


@pytest.mark.parametrize("question,word", [
    ("服务队今年暑期实践共有多少名队员参加？", "队员"),
    ("参加休假活动的专家中有多少位是两院院士？", "两院院士"),
    ("黑河学院同多少家高等院校签约？", "高等院校"),
    ("武汉轨道交通12号线全线一共设多少座车站？", "车站"),
    ("技能竞赛一共多少人参赛？", None),  # 参赛 is a verb whatever the dictionary says
    ("多少名选手参加了比赛？", None),  # the dictionary calls 选手 a verb: no verdict, no harm
    ("站在塑像旁边发言的外卖小哥是谁？", None),  # roles of 谁 are named in readers' own words
])
def test_what_a_count_question_counts(question, word):
    assert counted(question) == word


@pytest.mark.parametrize("word,text,said", [
    ("患病率", "胆囊结石的发病率为10%", True),  # two characters together
    ("患病率", "胆囊结石发病风险较高", False),
    ("高等院校", "与18所高校签约", True),  # abbreviated
    ("金额", "机电产品上半年出口额790.5亿元", False),  # 额 alone is not the 金额 measured
    ("线路总长度", "止于新月溪公园站，全长约23.3公里", True),  # a length named by 长 at its figure
    ("线路总长度", "线路起于武汉火车站西广场站", True),
    ("总长度", "设车站7座，计划年内通车", False),
])
def test_the_evidence_speaks_of_what_is_measured(word, text, said):
    assert speaks_of(word, text) is said


@pytest.mark.parametrize("word,text,said", [
    ("车站", "该线路设站37座", True),  # a two-character noun's head alone
    ("高等院校", "与18所高校签约", True),
    ("队员", "服务队共探访归侨侨眷175位", False),
    ("两院院士", "参加今年休假活动的57位专家", False),
])
def test_the_evidence_names_what_is_counted(word, text, said):
    assert names_counted(word, text) is said


@pytest.mark.parametrize("question,short,miss", [
    ("全体会议有哪些人出席？", "中共中央政治局委员、中央政法委", True),  # people asked: beyond doubt
    ("哪位葡萄牙球星展示了健身成果？", "C罗", False),  # a foreign name is a person's
    ("洗钱金店位于广东哪个城市？", "广东境内", True),
    ("谁获得了冠军？", "三项议程", False),  # 谁 may be a team or a country: the fitted weight decides
    ("歌剧《天使日记》的作曲者是谁？", "湖北省演艺集团省歌剧舞剧院", True),  # a role only a person holds
    ("歌剧《天使日记》的作曲者是谁？", "孟卫东", False),
    ("圆通速递董事长是谁？", "喻渭蛟", False),  # a surname and a name jieba cuts as a place and a word
    ("圆通速递董事长是谁？", "武汉三镇", True),  # one known word: a team, not a person
])
def test_a_kind_beyond_doubt_missed_is_marked(question, short, miss):
    assert strict_miss(question, type_fit(question, short)) is miss


@pytest.mark.parametrize("question,short,missing", [
    ("美国这次一共撤离了多少人？", "美国公民“尽快”离开海地", True),  # a count asked, no number given
    ("美国这次一共撤离了多少人？", "300人", False),
    ("美国这次一共撤离了多少人？", "三百余人", False),  # a count in Chinese numerals
    ("门票多少钱？", "免费", False),  # money: free is an answer
    ("营业收入是多少？", "较上年明显增加", False),  # no measure word asked: the fitted weights decide
    ("林芳正计划访问几个亚非国家？", "印度、南非等", True),  # 个 counts too
    ("林芳正计划访问几个亚非国家？", "6国", False),
    ("林芳正计划访问哪几个国家？", "印度、南非等", False),  # 哪几个 asks which
    ("工程还要几个月完工？", "年底前", False),  # a length of time (半年 would pass anyway: 半 is a number)
])
def test_a_count_asked_in_a_measure_word_needs_a_number(question, short, missing):
    assert no_count(question, short) is missing


@pytest.mark.parametrize("question,dates", [
    ("湾高赛的报名截止日期是哪天？", "截止"),  # the word nearest the day
    ("开幕式是哪天？", "开幕式"),
    ("新规的施行日期是哪天？", "施行"),
    ("这次活动的开始时间是什么时候？", None),  # the start of a range: any dated sentence may say it
    ("发布会是哪天召开的？", None),  # an act any dated event has (召开) sets nothing apart
    ("《行政处罚法》修正案将于哪一天生效？", "生效"),  # the act asked after the day: not the day it was signed
    ("新规何时起施行？", "施行"),
    ("神舟十六号何时发射？", "发射"),
    ("第19届亚洲运动会何时举行？", None),
    ("展览共展出多少件作品？", None),
])
def test_what_a_day_is_asked_of(question, dates):
    assert dated(question) == dates


def test_the_place_asked_within_is_no_answer_and_a_venue_is_a_place():
    asked = "联谊活动是在佛山哪个场馆举行的？"
    assert restates(asked, "广东佛山") and restates(asked, "佛山")
    assert not restates(asked, "佛山市体育馆")
    assert type_fit(asked, "佛山市体育馆")["type_ok"] == 1.0
    assert strict_miss(asked, type_fit(asked, "单身青年"))
    assert strict_miss("为泰党推举的总理候选人是谁？", type_fit("为泰党推举的总理候选人是谁？", "泰党领导人"))
