"""Chinese interview notes for the demo, built from phrases so that their content follows the
account's true needs: each note mentions the areas it is tagged with (in varied words and
synonyms, sometimes naming a product), may add competitor news, small talk, or a need that is
explicitly declined (a negation the notes model must not take as a need)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

AREA_PHRASES: tuple[tuple[str, ...], ...] = (
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
        "分支机构之间组网需求明确，询问专线带宽价格。",
        "客户提出手机资费偏高，希望调整集团统一套餐。",
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
        "询问视频会议终端的租用方式和价格。",
        "人员流动大，通讯录维护困难，希望自动同步组织架构。",
        "食堂消费和门禁卡想合并成一张员工卡。",
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
        "智能电表、水表数据采集需要大量物联网连接。",
        "安全生产检查要求重点区域全天候摄像覆盖。",
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
        "想提升品牌形象，全员统一设置集团彩铃。",
        "线上获客渠道少，询问网站建设和推广服务。",
        "节日促销需要批量发送优惠信息给老客户。",
        "售后热线号码太多，希望统一成一个好记的号码。",
    ),
)

DECLINED_PHRASES: tuple[tuple[str, ...], ...] = (
    ("目前通信费用可以接受，暂不考虑调整套餐。",),
    ("视频会议已有自建系统，暂无移动办公方面的打算。",),
    ("暂时没有设备联网和监控的计划。",),
    ("短信营销效果一般，今年不打算投入。",),
)

OPENERS = (
    "例行走访，",
    "上门拜访客户，",
    "与客户电话沟通，",
    "参加客户座谈会，",
    "回访近期业务使用情况，",
    "陪同领导拜访，",
    "",
)
SMALL_TALK = (
    "客户对现有业务总体满意。",
    "更新了关键人联系方式。",
    "送达本月账单并解释资费明细。",
    "客户近期业务繁忙，约定下月再详谈。",
    "了解了单位近期经营情况，人员规模基本稳定。",
    "客户对装维响应速度表示认可。",
)
COMPETITOR_PHRASES = (
    "客户透露中国电信近期上门推介融合套餐，报价较低。",
    "联通客户经理多次联系客户关键人，承诺专线费用打折。",
    "广电在推宽带免费体验，客户有所动摇。",
    "客户称其他运营商给出了更优惠的报价，正在比较。",
)
COMPETITOR_OF_PHRASE = ("中国电信", "中国联通", "中国广电", "其他")


def _pick(rng: np.random.Generator, phrases: tuple[str, ...], take: np.ndarray) -> pa.Array:
    """One phrase (or "") per row: a random phrase where `take`, else the empty string."""
    choices = pa.array(("",) + phrases)
    idx = np.where(take, rng.integers(1, len(phrases) + 1, take.size), 0)
    return pc.take(choices, pa.array(idx))


def build_notes(
    rng: np.random.Generator,
    tags: np.ndarray,
    competitor_news: np.ndarray,
) -> pa.Array:
    """Notes text for n interviews.

    tags: bool (n, 4), the areas the note truly voices; competitor_news: bool (n,), whether the
    account mentioned a competitor's approach. Returns a pyarrow string array of n notes.
    """
    n = tags.shape[0]
    parts = [_pick(rng, OPENERS, np.ones(n, dtype=bool))]
    order = rng.permutation(4)  # the order areas appear in varies from note to note
    for area in order:
        parts.append(_pick(rng, AREA_PHRASES[area], tags[:, area]))
    # A need declined outright, for an area the note is not tagged with (noise a keyword match
    # would mistake for a need).
    declined_area = rng.integers(0, 4, n)
    declined = (rng.random(n) < 0.08) & ~tags[np.arange(n), declined_area]
    for area in range(4):
        parts.append(_pick(rng, DECLINED_PHRASES[area], declined & (declined_area == area)))
    parts.append(_pick(rng, COMPETITOR_PHRASES, competitor_news))
    no_need = ~tags.any(axis=1)
    parts.append(_pick(rng, SMALL_TALK, no_need | (rng.random(n) < 0.3)))
    return pc.binary_join_element_wise(*parts, "")
