"""The documented mechanism behind the demo's churn and adoption.

Every month each account carries a latent dissatisfaction `risk` (an AR(1) process pulled toward
the account's own level, which is set by an unobservable loyalty trait) that rises with
complaints and competitors' poaching attempts. Risk is what a model cannot see directly; it
shows through what it causes:

* erosion — members leave the group and the network, lines and terminals are cut, products are
  cancelled, so revenue falls for months before most churns;
* more complaints, and poaching attempts that managers report (about three quarters of them).

Churn hazard (probability that churn starts next month), on the logit scale:

    intercept + risk·risk + expiring·[agreement ends within 3 months]
    + poached·[poaching attempt this or last month] + complaints·(complaints in the last 3 months)
    + products·(products held − 3) + class effect + key·[key account]
    + latent·(an unobservable trait, independent of risk)

A churn is abrupt when the account showed no erosion in the three months before; the poaching
and expiry terms make those possible. When churn starts, either every product is cancelled
that month (离网), or revenue drops to 5–25% of its level and stays there (partial churn, a few
of them going fully silent, 沉默) — both satisfy SPEC §2's churn definition.

An account's latent need for an area also shows in what it holds at the start (holdings of the
area scale with exp(0.5·need)), as well as in what its interviews voice.

Upsell propensity of area a (probability of starting a new product of that area next month):

    adopt_intercept[a] + need·need[a] (latent, voiced in interviews) + whitespace·(best fit of a
    product of the area the account lacks) + peer·(share of industry × size-band peers holding
    the area) + voiced·[need for a voiced in an interview in the last 3 months]
    + size·log(employees/50) + risk_drag·max(risk, 0) + key·[key account]

The latent needs show, too, in the account's registered business scope (经营范围, `scopes.py`):
items drawn from the phrase bank `data/scope_phrases.csv` for the account's industry and for all
industries. An item that implies an area (道路普通货物运输, 安全技术防范系统设计施工服务 and
物联网技术服务 imply production control; 广告发布 and 会员服务 service and marketing; 企业管理咨询
and 物业管理 mobile office; 信息系统集成服务 basic communications) is registered with probability

    sigmoid(logit(rate) + scope_need·need[area])

so an account with a latent need of an area more often registers the business that has it, as it
more often voices it in interviews; the industry's core items and boilerplate (技术服务、技术开发、
技术咨询…, 货物进出口, 办公用品销售) are drawn with their own rate and imply nothing. The scope
is fixed at registration: it reflects the lasting need, not the month's. A share of accounts
has none recorded (`scope_missing`; more among public bodies, which hold no business licence),
and a share write it the post-2021 way (一般项目：…许可项目：…, `scope_new_style`). The latent
needs themselves are kept in `truth_needs`, what the scope model is judged against.

Retention actions (客户挽留, `retention.py`, `retention_actions`). At the end of each month a
manager looks at what can be seen of each account — complaints in the last 3 months, a poaching
attempt reported (争抢) this or last month, revenue falling (the last 3 months' bill ≥ 10% below the
3 before), an
agreement ending within 3 months — and counts it as at risk when

    seen = seen_complaints·[complaints] + seen_poaching·[reported poaching]
           + seen_falling·[falling revenue] + seen_expiring·[expiring]  ≥  seen_threshold

An at-risk account gets an action with probability min(act_max, act_base + act_seen·seen) ×
the manager's diligence (capped at 1), any other account with act_routine; one action at a time
(none while another is in force), and never on the accounts held out (a share
`retention_holdout` of all accounts, drawn once: the department's control group). Actions thus
go mostly to accounts that would churn more anyway: comparing churn of treated and untreated
accounts is confounded, and only an estimate that adjusts for what the manager saw can read the
effect (the holdout gives the at-risk accounts untreated twins).

The kind (enum action_kind) follows what the manager saw, with habit (Gumbel noise): price offers
after reported poaching or falling revenue, visits to key and large accounts, solution upgrades
for accounts with few products, service recovery after complaints, renewal when the agreement
runs out — but every kind is tried everywhere now and then. Each kind lowers the churn logit of
the next churn-window months (the hazards of months t+1 … t+3 for an action in month t) by

    price_offer       effect_price · clip(price_sensitivity, 0, 2)
                      (a latent trait: 0.7·N(0,1) + 0.9·[class C/D] − 0.4)
    visit             effect_visit_key·[key account] + effect_visit_large·[class A/B, not key]
    solution_upgrade  effect_upgrade · clip(4 − products held, 0, 3)
    service_recovery  effect_recovery · min(complaints in the last 3 months, 3)
    renewal           effect_renewal · [agreement ends within 3 months]

so a kind does nothing for some accounts (an offer to a price-insensitive account, service
recovery without a complaint, renewal far from the agreement's end). `truth_retention_effects`
keeps, per account, month and kind, the true effect on the churn-window probability: the window
probability at the hazard without any action minus that with the kind's reduction (the month's
state held, like truth_churn's). The actions are written with the account's manager as owner, a
time in the month, and — once their window has passed — status 已完成 with the outcome of what
happened (挽留成功 no churn, 部分挽留 a partial churn, 挽留失败 a full one); later ones are 进行中.
Their draws come from a generator of their own, so that every other draw stays as it was.

Opportunities (商机, `pipeline.py`, `truth_opportunities`). An opportunity is opened on an account's
area either some weeks before a product start of the area that the billing shows (the account was
ready to buy: `ready`), or after an interview voiced a need of the area that no start followed
within six months (not ready), or — the open ones — on a need voiced in the last three months.
Its outcome is drawn from its win probability, on the logit scale

    win_intercept + win_ready·[ready] + win_propensity·(logit(q) − logit(win_q_ref))
    + win_competitor·[a competitor report on the account in the 180 days before]
    + win_visits·min(interviews of the account in the 90 days before, 3)
    + win_value·log(expected monthly value / win_value_ref) + win_key·[key account]
    + latent (normal, sd win_latent)

where q is truth_adoption's 6-month propensity of the area at the month before it was opened
(clipped to [0.005, 0.9]). Readiness is the mechanism's own knowledge (the start it precedes) and
no feature shows it directly: it is why a model's AUC stays below the truth's. A ready one won is
signed a few days to weeks before the first bill; a ready one lost closes before the start (the
account started the product anyway, ordered elsewhere: that start has no won opportunity); one not
ready and won is signed but its products never bill (the customer did not go live — the project
follow-up's "revenue not arrived"); not ready and lost is lost at some stage. An open one's truth
is the probability averaged over readiness at the share of ready ones among the closed.
`truth_opportunities` keeps each opportunity's probability and its drawn outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mechanism:
    # dissatisfaction
    risk_persistence: float = 0.88
    risk_noise: float = 0.22
    risk_poach_shock: float = 0.6
    risk_complaint_shock: float = 0.25
    risk_loyalty: float = -0.9  # the level each account's risk reverts to, per unit of loyalty
    erosion_threshold: float = 1.1  # risk above which erosion sets in
    # churn hazard (logit)
    churn_intercept: float = -5.8
    churn_risk: float = 1.35
    churn_expiring: float = 1.0
    churn_poached: float = 1.1
    churn_complaints: float = 0.25
    churn_products: float = -0.22
    churn_class: dict[str, float] = field(default_factory=lambda: {"A": -0.5, "B": -0.25, "C": 0.0, "D": 0.45})
    churn_key: float = -0.4
    churn_latent: float = 0.3
    partial_share: float = 0.4  # share of churns that keep a residual revenue
    silent_share: float = 0.25  # share of partial churns that fall silent (zero usage)
    # events
    poach_intercept: float = -5.0
    poach_risk: float = 0.9
    poach_expiring: float = 0.8
    poach_reported_share: float = 0.75
    complaint_rate: float = 0.03
    complaint_risk: float = 0.7
    # adoption (logit)
    adopt_intercept: tuple[float, float, float, float] = (-6.9, -6.6, -6.7, -6.7)
    adopt_need: float = 0.7
    holding_need: float = 0.5  # initial holdings of an area scale with exp(holding_need · need)
    adopt_whitespace: float = 3.0
    adopt_peer: float = 1.5
    adopt_voiced: float = 1.2
    adopt_size: float = 0.2
    adopt_risk_drag: float = -0.8
    adopt_key: float = 0.3
    # interviews
    visit_rate: dict[str, float] = field(default_factory=lambda: {"A": 0.85, "B": 0.45, "C": 0.28, "D": 0.12})
    voice_intercept: float = -1.5
    voice_need: float = 1.8
    # business scope (经营范围)
    scope_need: float = 1.8  # logit lift of an area's scope items per unit of latent need (as voice_need)
    scope_missing: float = 0.05  # share of accounts with no scope recorded (public bodies: more)
    scope_new_style: float = 0.35  # share written 一般项目：…许可项目：…
    # retention actions (客户挽留)
    retention_holdout: float = 0.2  # share of accounts the department holds out of every action
    seen_complaints: float = 1.0
    seen_poaching: float = 1.5
    seen_falling: float = 1.0
    seen_expiring: float = 0.7  # an agreement running out alone does not make an account look at risk
    seen_threshold: float = 1.0
    act_base: float = 0.45
    act_seen: float = 0.2
    act_max: float = 0.9
    act_routine: float = 0.01  # an action on an account that does not look at risk
    effect_price: float = 1.2  # logit reductions (see the docstring)
    effect_visit_key: float = 1.0
    effect_visit_large: float = 0.5
    effect_upgrade: float = 0.45
    effect_recovery: float = 0.55
    effect_renewal: float = 1.4
    # opportunities (商机): the win probability (logit, see the docstring)
    win_intercept: float = -2.0
    win_ready: float = 3.6
    win_propensity: float = 0.6
    win_q_ref: float = 0.07
    win_competitor: float = -0.8
    win_visits: float = 0.3
    win_value: float = -0.4
    win_value_ref: float = 500.0
    win_key: float = 0.3
    win_latent: float = 0.5


MECHANISM = Mechanism()
