"""Data and helpers several test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

ARTICLE = """{title}

本报讯（记者 王明）{body}
"""


def write_article(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.write_text(ARTICLE.format(title=title, body=body), encoding="utf-8")
    return path



#: sample-page questions and the title of the article that answers each
SAMPLE_QUESTIONS = {
    "本次展览共展出多少件作品？": "“劳动颂——首都职工纪念改革开放45周年主题创作展”开放日活动举办",
    "温暖基金会爱心互助行动的时间是什么时候？": "市温暖基金会“两节”期间将开展爱心互助行动",
    "青年教师参观了哪些地方？": "20多所高校青年教师开展学习实践活动",
    "教职工之家有多大面积？": "北京工商大学工会聚焦教职工身边的“微实事”开展工作",
    "数字经济职业技能竞赛有多少名选手参加？": "海淀区总工会召开数字经济领域技能竞赛座谈会",
    "基层工会干部培训班的培训内容有哪些？": "八里庄街道基层工会干部培训班开班",
    "美团外卖骑手看到自己的塑像说了什么": "“劳动颂——首都职工纪念改革开放45周年主题创作展”开放日活动举办",
}



SENTENCES = [
    "国家统计局今天发布了上半年国民经济运行数据。",
    "上半年国内生产总值同比增长5.5%，经济运行总体回升向好。",
    "台风“杜苏芮”预计明天上午在福建沿海登陆。",
    "气象部门发布暴雨红色预警，提醒市民减少外出。",
    "北京市总工会举办劳模工匠主题创作展。",
    "展览共展出绘画、雕塑、摄影等作品一百余件。",
    "新能源汽车销量连续八年位居全球第一。",
    "动力电池企业加快海外建厂步伐。",
    "教育部部署做好高校毕业生就业创业工作。",
    "今年高校毕业生规模预计达1158万人。",
    "世界大学生运动会在成都开幕。",
    "中国代表团获得金牌总数第一。",
    "央行宣布下调金融机构存款准备金率0.25个百分点。",
    "此次降准将释放长期资金约5000亿元。",
    "国产大飞机C919开启商业运营首航。",
    "首航航班从上海虹桥机场飞往北京首都机场。",
    "夏粮生产再获丰收，总产量达到2923亿斤。",
    "农业农村部表示将全力抓好秋粮生产。",
    "研究人员在南极发现新的微生物物种，这项发现有助于理解极端环境下的生命演化。",
    "文化和旅游部数据显示，暑期国内旅游人次同比大幅增长，博物馆、科技馆一票难求，"
    "亲子游、研学游成为热点。",
]

EMBED_QUESTIONS = [
    "本次展览共展出多少件作品？",
    "温暖基金会爱心互助行动的时间是什么时候？",
    "教职工之家有多大面积？",
    "数字经济职业技能竞赛有多少名选手参加？",
]


def assert_same_top_articles(want_idx, got_idx):
    """Every question's top article, dense and fused, is the same in both indexes."""
    for q in EMBED_QUESTIONS:
        for mode in ("dense", "hybrid"):
            want = want_idx.search(q, 1, mode=mode)[0]
            got = got_idx.search(q, 1, mode=mode)[0]
            assert (got.title, mode) == (want.title, mode), q
