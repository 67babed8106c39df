-- Enumerated values of the data contract (SPEC §2, §3). The importer reads its allowed values
-- from these types, so this file is the one list of them.
create type value_class as enum ('A', 'B', 'C', 'D');
create type account_status as enum ('潜在', '在网', '沉默', '离网', '销户');
create type area as enum ('basic_comm', 'mobile_office', 'production_control', 'service_marketing');
create type billing_unit as enum ('member_month', 'line_month', 'terminal_month', 'message', 'seat_month');
create type industry as enum (
    '农林牧渔业',
    '采矿业',
    '制造业',
    '电力热力燃气及水生产和供应业',
    '建筑业',
    '批发和零售业',
    '交通运输仓储和邮政业',
    '住宿和餐饮业',
    '信息传输软件和信息技术服务业',
    '金融业',
    '房地产业',
    '租赁和商务服务业',
    '科学研究和技术服务业',
    '水利环境和公共设施管理业',
    '居民服务修理和其他服务业',
    '教育',
    '卫生和社会工作',
    '文化体育和娱乐业',
    '公共管理社会保障和社会组织',
    '国际组织'
);
create type ownership as enum ('国有企业', '民营企业', '外资企业', '事业单位', '政府机关', '社会组织');
create type contact_role as enum ('联系人', '决策人', '部门管理者', '员工', '关联单位');
create type carrier as enum ('中国移动', '中国电信', '中国联通', '中国广电', '其他');
create type competitor as enum ('中国电信', '中国联通', '中国广电', '其他');
create type channel as enum ('电话', '上门', '座谈会', '微信', '邮件');
create type report_kind as enum ('产品', '资费', '营销活动', '服务承诺', '争抢');
create type profile_kind as enum ('basic', 'personal');
create type complaint_category as enum ('网络质量', '资费账单', '业务办理', '服务态度', '故障维修');
create type complaint_severity as enum ('一般', '严重', '重大');
create type action_status as enum ('计划', '进行中', '已完成', '已取消');
create type action_outcome as enum ('挽留成功', '部分挽留', '挽留失败');
-- What a retention action does (the 客户挽留 form's kinds; the effect estimates are per kind).
create type action_kind as enum ('price_offer', 'visit', 'solution_upgrade', 'service_recovery', 'renewal');
