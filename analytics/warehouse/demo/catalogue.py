"""The demo's editable reference data: products, industries and their product fit, names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.config import AREAS, DEMO_DATA_DIR

DISTRICTS: tuple[str, ...] = (
    "浦东",
    "黄浦",
    "静安",
    "徐汇",
    "长宁",
    "普陀",
    "虹口",
    "杨浦",
    "闵行",
    "宝山",
    "嘉定",
    "金山",
    "松江",
    "青浦",
    "奉贤",
    "崇明",
)
# Relative size of each district's enterprise base (浦东 is by far the largest).
DISTRICT_WEIGHTS = np.array([18, 7, 7, 7, 5, 5, 4, 5, 9, 6, 6, 3, 6, 4, 4, 2], dtype=float)

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = list(
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建文辉力斌宇浩凯鹏飞鑫波宁琳雪婷倩颖晨晓佳欣怡雯蕾嘉俊峰海燕立新春梅亮"
)
NAME_WORDS = list(
    "华联盛通达鑫源恒泰宏远锦程博瑞汇丰嘉禾天成永信中建新辰康宁九州百川长城东方云海星辰金桥银河宝利德安润和科创智慧远航"
)
INDUSTRY_SUFFIX: dict[str, tuple[str, ...]] = {
    "制造业": ("机械制造有限公司", "电子科技有限公司", "精密制造有限公司", "汽车零部件有限公司", "化工有限公司"),
    "批发和零售业": ("商贸有限公司", "超市连锁有限公司", "贸易有限公司", "便利店有限公司"),
    "建筑业": ("建设工程有限公司", "建筑安装有限公司", "市政工程有限公司"),
    "交通运输仓储和邮政业": ("物流有限公司", "运输有限公司", "仓储有限公司", "快递服务有限公司"),
    "金融业": ("银行支行", "证券营业部", "保险代理有限公司", "小额贷款有限公司"),
    "教育": ("中学", "小学", "职业技术学校", "幼儿园", "培训学校"),
    "卫生和社会工作": ("医院", "社区卫生服务中心", "养老院", "口腔诊所"),
    "公共管理社会保障和社会组织": ("街道办事处", "人力资源和社会保障局", "市场监督管理所", "行业协会"),
    "信息传输软件和信息技术服务业": ("信息技术有限公司", "软件有限公司", "网络科技有限公司"),
    "房地产业": ("置业有限公司", "物业管理有限公司", "房地产开发有限公司"),
    "住宿和餐饮业": ("酒店有限公司", "餐饮管理有限公司", "宾馆"),
    "租赁和商务服务业": ("商务咨询有限公司", "人力资源有限公司", "广告有限公司"),
    "科学研究和技术服务业": ("研究所", "检测技术有限公司", "设计院"),
    "电力热力燃气及水生产和供应业": ("供电公司", "燃气有限公司", "自来水有限公司"),
    "采矿业": ("矿业有限公司", "石材有限公司"),
    "农林牧渔业": ("农业发展有限公司", "水产养殖合作社", "园艺有限公司"),
    "文化体育和娱乐业": ("文化传媒有限公司", "体育发展有限公司", "影视有限公司"),
    "居民服务修理和其他服务业": ("家政服务有限公司", "汽车维修有限公司", "洗衣服务部"),
    "水利环境和公共设施管理业": ("环境卫生管理所", "园林绿化有限公司", "水务管理站"),
}

SIZE_BANDS = (0, 50, 200, 1000)  # employee_count lower bounds of the four size bands


@dataclass(frozen=True)
class Catalogue:
    products: pd.DataFrame  # one row per product, in a fixed order
    industries: pd.DataFrame  # one row per industry that the demo draws from
    fit: np.ndarray  # industries × products: probability an account of the industry holds it

    @property
    def area_index(self) -> np.ndarray:
        """Area position (0..3) of each product."""
        return self.products["area"].map({a: i for i, a in enumerate(AREAS)}).to_numpy()


def load() -> Catalogue:
    """Read the demo's reference data from `analytics/warehouse/demo/data/`."""
    products = pd.read_csv(DEMO_DATA_DIR / "products.csv", dtype={"product_id": str})
    industries = pd.read_csv(DEMO_DATA_DIR / "industries.csv")
    industries["share"] = industries["share"] / industries["share"].sum()
    fit_rows = pd.read_csv(DEMO_DATA_DIR / "industry_fit.csv")
    multiplier = np.ones((len(industries), len(products)))
    ind_pos = {name: i for i, name in enumerate(industries["industry"])}
    prod_pos = {pid: j for j, pid in enumerate(products["product_id"])}
    for row in fit_rows.itertuples(index=False):
        multiplier[ind_pos[row.industry], prod_pos[row.product_id]] = row.multiplier
    base = products["base_adoption"].to_numpy()[None, :]
    # For a product with no base rate (和校园 is for schools only) the file gives the rate itself.
    fit = np.clip(np.where(base > 0, base * multiplier, np.where(multiplier != 1, multiplier, 0.0)), 0.0, 0.85)
    return Catalogue(products=products, industries=industries, fit=fit)


def size_band(employees: np.ndarray) -> np.ndarray:
    """Size band 0..3 of each account by employee count."""
    return np.searchsorted(np.array(SIZE_BANDS[1:]), employees, side="right")
