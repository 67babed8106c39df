"""Chinese interview notes for the demo, built from phrase families so that their content follows
the account's true needs: each note voices the areas it is tagged with (many ways to say each
need: customer words and synonyms, colloquial fillers, numbers and prices, sometimes a product
name), may add competitor offers, small talk, or a need declined in one of many ways (solved
elsewhere, enough as it is, no budget, decided by headquarters, or a plain 暂不) — a declined need
the notes model must not take as a need.

Phrase families, so that evaluation can hold new phrasing out: every sentence template (and
every customer word beyond an area's plain terms) belongs to exactly one of PHRASE_GROUPS
groups, and every note of an account is written from the templates and words of one group only:
`phrase_group_of(account_id)`, derived from the account id alone (a manager's own way of
writing). Holding out whole groups (GroupKFold over `phrase_group_of`) therefore holds out whole
templates and words that training never sees. The generator is deterministic for a seed: it
draws one seed from the caller's generator and builds every note from its own.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PHRASE_GROUPS = 5

# Per area, the needs voiced and the words customers use for them. The first word of each need
# is shared by every phrase group (the trade's plain term); each further word belongs to one
# group only (word i to group i % PHRASE_GROUPS), so held-out groups bring words never seen.
NEED_WORDS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (  # basic_comm
        ("短号", "集团V网", "内部号码", "集团网", "短号互打", "V网", "内部短号"),
        ("专线", "数据专线", "互联网专线", "光纤专线", "裸光纤"),
        ("宽带", "企业宽带", "网络提速", "光纤宽带", "千兆宽带"),
        ("总机", "统一总机号码", "分机转接", "一号通总机"),
        ("集团套餐", "统付套餐", "话费套餐", "员工手机套餐", "流量套餐"),
    ),
    (  # mobile_office
        ("移动OA", "手机审批", "协同办公", "电子审批", "在线审批", "无纸化办公"),
        ("视频会议", "云视讯", "远程开会", "线上会议", "会议系统"),
        ("企业邮箱", "公司邮箱", "域名邮箱", "办公邮箱"),
        ("考勤", "手机打卡", "一卡通", "门禁考勤", "员工卡"),
        ("企业通讯录", "组织架构通讯录", "云通讯录", "员工通讯录"),
    ),
    (  # production_control
        ("视频监控", "摄像头", "探头", "监控", "千里眼", "摄像机", "远程看现场"),
        ("车辆定位", "车队管理", "北斗定位", "车载GPS", "车务通", "行车轨迹"),
        ("物联网卡", "设备联网", "传感器联网", "远程抄表", "OneNET", "数据采集"),
        ("5G专网", "工业互联网", "产线联网", "智能工厂"),
        ("高精度定位", "厘米级定位", "精准定位", "测绘定位"),
    ),
    (  # service_marketing
        ("短信群发", "群发短信", "营销短信", "通知短信", "验证码短信", "云MAS", "批量发短信"),
        ("家校互动", "通知家长", "和校园", "家长通知", "家校平台"),
        ("集团彩铃", "彩铃", "宣传彩铃", "企业彩铃"),
        ("400号码", "400电话", "全国统一客服号", "客服热线"),
        ("企业官网", "网站建设", "线上推广", "小程序推广", "网上获客"),
    ),
)

# Sentence templates voicing a need ({k}: a customer word of the need; {price}, {n}: numbers),
# five phrase groups of templates. Written to be varied, not to be easy.
NEED_TEMPLATES: tuple[tuple[str, ...], ...] = (
    (
        "客户想办{k}。",
        "{k}这块有需求，让我们出个方案。",
        "老板问{k}一个月多少钱。",
        "他们打算上{k}，预算大概{price}。",
        "希望尽快开通{k}。",
        "对{k}挺感兴趣，约了下周演示。",
        "提到{k}，客户说早就想弄了。",
    ),
    (
        "对方提到{k}的事，想了解下资费。",
        "听说同行用了{k}，他们也想搞一个。",
        "嗯，客户那边说要弄{k}，让报个价。",
        "{k}的需求比较急，月底前要落地。",
        "负责人主动问起{k}。",
        "准备明年初上{k}，先摸摸底。",
        "聊到{k}，对方说正好缺这个。",
    ),
    (
        "关键人说有{n}个点需要{k}。",
        "客户讲{k}现在很头疼，想找我们解决。",
        "要一套{k}的方案，规模{n}人左右。",
        "想把{k}弄起来，问能不能先试用。",
        "客户想要{k}，让我发下报价。",
        "这次主要聊了{k}，客户意向挺强。",
        "办公室主任说{k}得赶紧安排上。",
    ),
    (
        "客户那边缺{k}，问我们有没有。",
        "领导拍板要做{k}，让我们下周来谈。",
        "问了{k}的价格，心理价位{price}左右。",
        "他们新开了{n}家门店，都要配{k}。",
        "说白了就是要{k}，越快越好。",
        "跟财务对了下，{k}的费用能批。",
        "总经理亲自过问{k}，要我们出报价单。",
    ),
    (
        "这回客户明确要{k}。",
        "客户吐槽现在没有{k}很麻烦，希望我们帮忙。",
        "计划给{n}个员工都配上{k}。",
        "{k}的事客户催了两次了。",
        "问{k}能不能按年付，{price}以内能接受。",
        "客户说等{k}等很久了，让我们抓紧。",
        "下个月搬新址，{k}要一起弄好。",
    ),
)

# Whole sentences per area from the original phrase bank (pain points and needs in plain prose),
# spread over the phrase groups like the templates (sentence i to group i % PHRASE_GROUPS).
AREA_SENTENCES: tuple[tuple[str, ...], ...] = (
    (  # basic_comm
        "员工之间通话费用较高，希望办理集团V网实现短号互打。",
        "想把分散在各部门的手机号统一纳入集团网，降低通话成本。",
        "总部和分厂之间需要一条稳定的数据专线。",
        "办公室宽带经常掉线，打算升级企业宽带带宽。",
        "前台来电较多，需要一个统一的总机号码转接分机。",
        "新办公楼装修完毕，要开通互联网专线。",
        "希望部门之间能短号互拨，通话不再计费。",
        "考虑为销售团队统一办理通信套餐，费用由单位统付。",
        "语音中继线路不够用，想扩容语音专线。",
        "门店网络要提速，问了光纤接入的资费。",
    ),
    (  # mobile_office
        "审批流程还靠纸质签字，想上线移动OA协同办公。",
        "员工出差多，需要在手机上处理公文审批。",
        "想开通企业邮箱，统一使用公司域名邮箱。",
        "异地分公司开会频繁，想用云视讯开视频会议。",
        "希望有一个统一的企业通讯录，方便查找同事电话。",
        "考勤和门禁想用一卡通统一管理。",
        "远程会议需求增加，现在的会议软件不稳定。",
        "想实现手机考勤打卡和在线请假审批。",
        "行政部提出要把通知公告放到手机端办公平台。",
        "人员流动大，通讯录维护困难，希望自动同步组织架构。",
    ),
    (  # production_control
        "车间设备想联网，实时采集设备运行数据。",
        "物流车辆多，需要车辆定位和行驶轨迹管理。",
        "仓库和厂区想加装视频监控，手机上随时查看。",
        "冷链运输需要温度监测，询问物联网卡资费。",
        "工地需要远程查看施工现场，考虑千里眼摄像头。",
        "测绘作业需要厘米级高精度定位服务。",
        "厂区考虑建设5G专网支撑自动化产线。",
        "售出的设备想远程监控和运维，需要OneNET平台。",
        "车队调度和油耗管理想做信息化。",
        "运输车辆经常绕路，老板想掌握车辆实时位置。",
    ),
    (  # service_marketing
        "想给会员客户群发促销短信。",
        "门店客服电话需要一个全国统一的400号码。",
        "希望来电时播放企业宣传彩铃。",
        "想建一个企业官网展示产品和联系方式。",
        "学校需要家校互动平台，及时通知家长。",
        "验证码短信发送量大，想接入云MAS平台。",
        "新品上市想做一轮短信营销推广。",
        "家长群通知不方便，想开通和校园。",
        "节日促销需要批量发送优惠信息给老客户。",
        "售后热线号码太多，希望统一成一个好记的号码。",
    ),
)

# Declining a need ({k}: a word of the declined area; {vendor}: who already does it), in the
# ways customers decline: solved elsewhere, enough as it is, no budget, decided by headquarters,
# not now. Five groups, like the need templates.
DECLINE_TEMPLATES: tuple[tuple[str, ...], ...] = (
    (
        "{k}已经找{vendor}做了，不用我们的。",
        "{k}目前够用了。",
        "{k}今年预算用完了，明年再说。",
        "暂不考虑{k}。",
    ),
    (
        "{k}去年就上了{vendor}的，暂时不换。",
        "现有的{k}挺好，没必要换。",
        "想是想弄{k}，但今年没钱。",
        "{k}要总部统一定，分公司做不了主。",
    ),
    (
        "问了下{k}，客户说用{vendor}的就够了。",
        "{k}这种事集团总部统一采购，轮不到他们。",
        "{k}先不弄，等明年预算下来再看。",
        "客户对{k}没兴趣。",
    ),
    (
        "{k}人家自己有，是{vendor}给做的。",
        "{k}暂时用不上，规模太小。",
        "经费紧张，{k}今年不上。",
        "{k}得上级单位审批，短期内不会动。",
    ),
    (
        "说到{k}，客户摆手说{vendor}那边已经在用了。",
        "{k}的话现在这样就行，不折腾了。",
        "{k}报过价了，嫌贵，今年不做。",
        "{k}由总部信息中心统一管，这边不参与。",
    ),
)
VENDORS = ("海康", "大华", "钉钉", "企业微信", "腾讯会议", "华为", "本地一家集成商", "电信", "联通")
# Prices and head counts a note may carry: digits, 万, Chinese numerals, rough amounts.
PRICES = ("3800一个月", "2万", "1500块", "五六千", "每年8万", "一个月两千多", "12800")
COUNTS = ("20", "三十多", "上百", "8", "五六十", "200")

OPENERS: tuple[tuple[str, ...], ...] = (
    ("例行走访，", "上门拜访客户，", ""),
    ("与客户电话沟通，", "今天去了一趟，", ""),
    ("参加客户座谈会，", "嗯，", ""),
    ("回访近期业务使用情况，", "顺路过去坐了坐，", ""),
    ("陪同领导拜访，", "微信上聊了几句，", ""),
)
SMALL_TALK: tuple[tuple[str, ...], ...] = (
    ("客户对现有业务总体满意。", "更新了关键人联系方式。"),
    ("送达本月账单并解释资费明细。", "喝了杯茶，聊了聊行业形势。"),
    ("客户近期业务繁忙，约定下月再详谈。", "对方老板出差了，见的是办公室主任。"),
    ("了解了单位近期经营情况，人员规模基本稳定。", "客户说最近生意一般，在控制成本。"),
    ("客户对装维响应速度表示认可。", "聊了下孩子上学的事，关系处得不错。"),
)
COMPETITOR_PHRASES: tuple[tuple[str, ...], ...] = (
    ("客户透露中国电信近期上门推介融合套餐，报价较低。", "电信报价{price}，比我们便宜。"),
    ("联通客户经理多次联系客户关键人，承诺费用打折。", "联通那边开价{price}，还送终端。"),
    ("广电在推免费体验，客户有所动摇。", "广电的人来过，给的价是{price}。"),
    ("客户称其他运营商给出了更优惠的报价，正在比较。", "电信承诺首年免费，客户在犹豫。"),
    ("联通说可以比我们再低一成。", "客户说电信给了{price}的报价，让我们看着办。"),
)
COMPETITOR_OF_PHRASE = ("中国电信", "中国联通", "中国广电", "其他")
DECLINE_SHARE = 0.25  # notes that decline a need of an area they do not voice
SMALL_TALK_SHARE = 0.3


def phrase_group_of(account_ids: Iterable[str]) -> np.ndarray:
    """The phrase group (0 … PHRASE_GROUPS-1) every note of each account is written in, from the
    account id alone (CRC-32, so the same for any seed and any process)."""
    return np.fromiter((zlib.crc32(str(a).encode("utf-8")) % PHRASE_GROUPS for a in account_ids), dtype=np.int64)


def _words(area: int, group: int) -> list[str]:
    """The words of an area's needs a note of `group` may use: each need's plain term, and the
    further words of that group."""
    words = []
    for need in NEED_WORDS[area]:
        words.append(need[0])
        words.extend(word for i, word in enumerate(need[1:], start=1) if i % PHRASE_GROUPS == group)
    return words


def _fill(template: str, word: str, k: int) -> str:
    """A template with its slots filled (numbers chosen by `k`, deterministically)."""
    return template.format(
        k=word, price=PRICES[k % len(PRICES)], n=COUNTS[k % len(COUNTS)], vendor=VENDORS[k % len(VENDORS)]
    )


def need_sentences(area: int, group: int) -> tuple[str, ...]:
    """Every sentence voicing a need of `area` that a note of `group` may hold."""
    rendered = [
        _fill(template, word, k)
        for k, (template, word) in enumerate(itertools.product(NEED_TEMPLATES[group], _words(area, group)))
    ]
    rendered += [s for i, s in enumerate(AREA_SENTENCES[area]) if i % PHRASE_GROUPS == group]
    return tuple(dict.fromkeys(rendered))


def decline_sentences(area: int, group: int) -> tuple[str, ...]:
    """Every sentence declining a need of `area` that a note of `group` may hold."""
    return tuple(
        dict.fromkeys(
            _fill(template, word, k)
            for k, (template, word) in enumerate(itertools.product(DECLINE_TEMPLATES[group], _words(area, group)))
        )
    )


def _bank(parts: list[list[tuple[str, ...]]]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """All phrases of a table of choices parts[g][a] as one array, with the offset and size of
    each (g, a) choice list."""
    flat, offsets = [], np.zeros((len(parts), len(parts[0])), np.int64)
    sizes = np.zeros_like(offsets)
    for g, row in enumerate(parts):
        for a, phrases in enumerate(row):
            offsets[g, a], sizes[g, a] = len(flat), len(phrases)
            flat.extend(phrases)
    return pa.array([""] + flat), offsets + 1, sizes


def _banks() -> dict[str, tuple[pa.Array, np.ndarray, np.ndarray]]:
    if not _BANKS:
        groups = range(PHRASE_GROUPS)
        _BANKS["need"] = _bank([[need_sentences(a, g) for a in range(4)] for g in groups])
        _BANKS["decline"] = _bank([[decline_sentences(a, g) for a in range(4)] for g in groups])
        _BANKS["opener"] = _bank([[OPENERS[g]] for g in groups])
        _BANKS["small_talk"] = _bank([[SMALL_TALK[g]] for g in groups])
        _BANKS["competitor"] = _bank(
            [[tuple(dict.fromkeys(_fill(p, "", k) for k, p in enumerate(COMPETITOR_PHRASES[g] * 3)))] for g in groups]
        )
    return _BANKS


_BANKS: dict[str, tuple[pa.Array, np.ndarray, np.ndarray]] = {}

# Every sentence that voices a need of each area, over all groups (what a note tagged with the
# area holds one of, and an untagged note none of).
AREA_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(dict.fromkeys(s for g in range(PHRASE_GROUPS) for s in need_sentences(a, g))) for a in range(4)
)


def _pick(rng: np.random.Generator, bank, group: np.ndarray, column: np.ndarray | int, take: np.ndarray) -> pa.Array:
    """One phrase (or "") per row: a random phrase of choice list (group, column) where `take`."""
    phrases, offsets, sizes = bank
    size = sizes[group, column]
    idx = np.where(take & (size > 0), offsets[group, column] + (rng.random(group.size) * size).astype(np.int64), 0)
    return pc.take(phrases, pa.array(idx))


def build_notes(
    rng: np.random.Generator,
    tags: np.ndarray,
    competitor_news: np.ndarray,
    groups: np.ndarray | None = None,
) -> pa.Array:
    """Notes text for n interviews.

    tags: bool (n, 4), the areas the note truly voices; competitor_news: bool (n,), whether the
    account mentioned a competitor's approach; groups: the phrase group of each note
    (`phrase_group_of` its account; all 0 when not given). Returns a pyarrow string array of n
    notes. Draws one number from `rng`, whatever n.
    """
    n = tags.shape[0]
    rng = np.random.default_rng(int(rng.integers(2**63)))
    group = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    banks = _banks()
    zero, everyone = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    parts = [_pick(rng, banks["opener"], group, zero, everyone)]
    order = rng.permutation(4)  # the order areas appear in varies from note to note
    for area in order:
        parts.append(_pick(rng, banks["need"], group, area, tags[:, area]))
    # A need declined, for an area the note is not tagged with (noise a keyword match would
    # mistake for a need).
    declined_area = rng.integers(0, 4, n)
    declined = (rng.random(n) < DECLINE_SHARE) & ~tags[np.arange(n), declined_area]
    parts.insert(1 + int(rng.integers(0, 5)), _pick(rng, banks["decline"], group, declined_area, declined))
    parts.append(_pick(rng, banks["competitor"], group, zero, competitor_news))
    no_need = ~tags.any(axis=1)
    parts.append(_pick(rng, banks["small_talk"], group, zero, no_need | (rng.random(n) < SMALL_TALK_SHARE)))
    return pc.binary_join_element_wise(*parts, "")
