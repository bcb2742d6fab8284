"""Every word the dashboard shows, in Chinese and English, in one place.

Planners and teachers in Wuhan work in Chinese; the model's documentation is in English. Keeping both languages
side by side here lets a test check that no label, tooltip or text lacks a translation. The language is a per-session
reactive value (solara keeps a module-level reactive per browser session), so one user's switch never changes
another's page.
"""

from __future__ import annotations

import re

import solara

LANGUAGES = ("zh", "en")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

#: The session's language; Chinese first, as most of the dashboard's users work in it.
language = solara.reactive("zh")

TEXT: dict[str, dict[str, str]] = {
    # --- frame ---------------------------------------------------------------------------------------------------
    "app_title": {"zh": "联动：封控下的社区联动模拟", "en": "LiánDòng: community linkage under lockdown"},
    "page_explore": {"zh": "探索", "en": "Explore"},
    "page_compare": {"zh": "比较", "en": "Compare"},
    "page_learn": {"zh": "学习", "en": "Learn"},
    "page_district": {"zh": "街区", "en": "District"},
    "language": {"zh": "语言", "en": "Language"},
    # --- explore: scenario and run ---------------------------------------------------------------------------------
    "scenario": {"zh": "情景", "en": "Scenario"},
    "preset": {"zh": "预设情景", "en": "Preset"},
    "upload": {"zh": "上传情景文件（.toml）", "en": "Upload a scenario file (.toml)"},
    "upload_loaded": {"zh": "已载入文件 {name}", "en": "Loaded {name}"},
    "upload_invalid": {"zh": "文件无效，仍使用之前的情景：", "en": "Invalid file; the previous scenario stays:"},
    "edits_invalid": {"zh": "参数组合无效，模型未重置：", "en": "These settings are invalid; the model was not reset:"},
    "seed": {"zh": "随机种子", "en": "Seed"},
    "seed_tip": {"zh": "相同的情景和种子得到完全相同的结果。", "en": "The same scenario and seed give the same run."},
    "households": {"zh": "户数", "en": "Households"},
    "households_tip": {"zh": "社区中的家庭户数（默认约3000户，一个武汉社区的平均规模）。",
                       "en": "Households in the community (default ~3,000, a mean Wuhan community)."},
    "mass_base": {"zh": "群众基础", "en": "Mass base"},
    "step": {"zh": "单步", "en": "Step"},
    "play": {"zh": "播放", "en": "Play"},
    "pause": {"zh": "暂停", "en": "Pause"},
    "reset": {"zh": "重置", "en": "Reset"},
    "url_ignored": {"zh": "网址中有些设置无法使用，已忽略：{keys}",
                    "en": "Some settings in the address could not be used and were left out: {keys}"},
    "drawer_open": {"zh": "情景与参数", "en": "Scenario and settings"},
    "drawer_close": {"zh": "收起", "en": "Close"},
    "presentation": {"zh": "演示模式", "en": "Presentation"},
    "presentation_tip": {"zh": "投影用：字更大，一次只显示一张图。",
                         "en": "For a projector: larger type, one chart at a time."},
    "chart_community_short": {"zh": "社区全貌", "en": "The community"},
    "chart_floors_short": {"zh": "楼栋住户", "en": "One building"},
    "chart_community": {"zh": "社区全貌：各网格的楼栋（颜色越红，有未解决需求的住户越多）",
                        "en": "The community: each grid cell's buildings (redder: more households with open needs)"},
    "chart_floors": {"zh": "第 {building} 栋（网格 {grid}）：各楼层住户",
                     "en": "Building {building} (grid cell {grid}), floor by floor"},
    "community_note": {"zh": "每个方框是一个网格，框内是它的楼栋；框上写着今天负责它的干部、志愿者和楼栋长。"
                             "送来的物资先到底部的小区大门。",
                       "en": "Each box is a grid cell holding its buildings, labelled with the cadres, volunteers and "
                             "building leaders serving it today. Deliveries arrive at the gate at the bottom."},
    "cell_label": {"zh": "网格 {grid}：干部 {cadres} 名，志愿者 {volunteers} 名，楼栋长 {leaders} 名",
                   "en": "Grid cell {grid}: {cadres} cadres, {volunteers} volunteers, {leaders} building leaders"},
    "cell_short": {"zh": "网格 {grid}", "en": "cell {grid}"},
    "grid_cell": {"zh": "网格", "en": "Grid cell"},
    "building_name": {"zh": "第 {building} 栋", "en": "Building {building}"},
    "share_with_needs": {"zh": "有未解决需求的住户比例", "en": "Households with open needs"},
    "households_with_needs": {"zh": "有未解决需求的户数", "en": "households with open needs"},
    "gate": {"zh": "▲ 小区大门", "en": "▲ Gate"},
    "door_label": {"zh": "{unit}单元{door}号", "en": "stair {unit} door {door}"},
    "household_where": {"zh": "{floor}楼 {unit}单元{door}号", "en": "floor {floor}, stair {unit}, door {door}"},
    "known_needs": {"zh": "已掌握 {known} 件", "en": "{known} known"},
    "axis_door": {"zh": "单元与门牌", "en": "stair and door"},
    "axis_floor": {"zh": "楼层", "en": "floor"},
    "hidden_needs": {"zh": "没人知道的需求", "en": "needs nobody knows of"},
    "known": {"zh": "服务人员已掌握", "en": "known to responders"},
    "serving_line": {"zh": "负责网格 {grid} 的有：社区干部 {cadres} 名、下沉干部 {sunk} 名、"
                           "在岗志愿者 {volunteers} 名、楼栋长 {leaders} 名。黑点表示该户有没人知道的需求。",
                     "en": "Serving grid cell {grid}: {cadres} cadres, {sunk} sunk cadres, {volunteers} active "
                           "volunteers, {leaders} building leaders. A black dot marks a household with needs "
                           "nobody knows of."},
    "speed": {"zh": "速度（天/秒）", "en": "Speed (days/s)"},
    "speed_max": {"zh": "最快", "en": "max"},
    "goto_day": {"zh": "运行到第几天", "en": "Run to day"},
    "goto_run": {"zh": "运行", "en": "Go"},
    "goto_hint": {"zh": "（共 {days} 天）", "en": "(of {days})"},
    "pending": {"zh": "参数已修改：按“重置”以新参数重新开始。",
                "en": "Settings changed: press Reset to start again with them."},
    "day": {"zh": "第 {day} 天 / 共 {days} 天", "en": "Day {day} of {days}"},
    "phase": {"zh": "阶段：{phase}", "en": "Phase: {phase}"},
    "finished": {"zh": "模拟结束", "en": "Run finished"},
    "phase_word": {"zh": "阶段", "en": "phase"},
    "timeline": {"zh": "时间线：各阶段与各项措施的开始日", "en": "Timeline: the phases and the days measures start"},
    "timeline_phase_tip": {"zh": "{phase}：第 {start} 天至第 {end} 天", "en": "{phase}: day {start} to day {end}"},
    "timeline_event_tip": {"zh": "第 {day} 天：{event}", "en": "Day {day}: {event}"},
    "timeline_event": {"zh": "第 {day} 天{event}", "en": "day {day}, {event}"},
    "timeline_events": {"zh": "措施：", "en": "Measures: "},
    "list_sep": {"zh": "；", "en": "; "},
    "event_online": {"zh": "线上群开通", "en": "online groups open"},
    "event_leaders": {"zh": "楼栋长开始代报需求", "en": "building leaders start reporting"},
    "event_sunk": {"zh": "下沉干部到岗", "en": "sunk cadres arrive"},
    "event_group_buy": {"zh": "社区团购开始", "en": "group buying starts"},
    "event_triage": {"zh": "需求分诊开始", "en": "triage starts"},
    "event_call": {"zh": "发出志愿者招募令", "en": "the volunteer call goes out"},
    "event_organisations": {"zh": "社工开始线下服务", "en": "social workers start in the community"},
    "event_funding": {"zh": "购买服务资金减少", "en": "funding drops"},
    "mechanisms": {"zh": "联动机制", "en": "Linkage mechanisms"},
    "add_to_compare": {"zh": "加入比较", "en": "Add to Compare"},
    "district_no_compare": {
        "zh": "此社区按其在街区中分得的份额运行，“比较”页只按情景自己的数量运行，不带这些份额；"
              "请在“街区”页比较分配策略。",
        "en": "This community runs with its shares of the district's pools, which the Compare page does not carry (it "
              "runs scenarios on their own numbers): compare allocation policies on the District page."},
    "added_to_compare": {"zh": "已加入“比较”页：{name}（{changes}）", "en": "Added to Compare: {name} ({changes})"},
    "switch_on": {"zh": "开启", "en": "on"},
    "switch_off": {"zh": "关闭", "en": "off"},
    "no_changes": {"zh": "未修改", "en": "unchanged"},
    "download_scenario": {"zh": "下载情景文件", "en": "Download scenario file"},
    "explore_settings_label": {"zh": "“探索”页的设置", "en": "the Explore page's settings"},
    "source_line": {"zh": "（依据：{source}）", "en": "(Source: {source}.)"},
    "original_message": {"zh": "查看英文原文", "en": "The original message"},
    "message_untranslated": {"zh": "文件或设置有误，详见英文原文。", "en": "The file or the settings are invalid."},
    "source_assumed": {"zh": "模型假设", "en": "assumed"},
    "source_assumed_range": {"zh": "模型假设，合理范围 {span}", "en": "assumed, {span}"},
    "source_accounts": {"zh": "武汉封控期间的亲历者记述与统计资料（出处详见英文界面）",
                        "en": "first-hand accounts and facts"},
    # --- explore: charts -------------------------------------------------------------------------------------------
    "key_figures": {"zh": "关键指标", "en": "Key figures"},
    "chart_categories": {"zh": "未满足需求（按类别）", "en": "Unmet needs by category"},
    "chart_groups": {"zh": "未满足需求（按人群）", "en": "Unmet needs by group"},
    "chart_compounds": {"zh": "每千户未满足需求（按小区类型）",
                        "en": "Unmet needs per 1,000 households, by compound type"},
    "axis_needs_per_1000": {"zh": "每千户需求（件）", "en": "needs per 1,000 households"},
    "compound_old_open": {"zh": "老旧开放式小区", "en": "old open compound"},
    "compound_commodity": {"zh": "商品房小区", "en": "commodity housing"},
    "compound_work_unit": {"zh": "单位大院", "en": "work-unit compound"},
    "compound_resettlement": {"zh": "还建安置小区", "en": "resettlement compound"},
    "chart_volunteers": {"zh": "志愿者", "en": "Volunteers"},
    "chart_coordination": {"zh": "协调负荷与能力（小时）", "en": "Coordinator load and capacity (hours)"},
    "chart_prices": {"zh": "食品价格指数", "en": "Food price index"},
    "building": {"zh": "楼栋", "en": "Building"},
    "open_needs": {"zh": "未解决的需求（件）", "en": "Open needs"},
    "household": {"zh": "住户编号", "en": "household"},
    "band_low": {"zh": "最低", "en": "lowest"},
    "band_high": {"zh": "最高", "en": "highest"},
    "no_data": {"zh": "按“单步”或“播放”开始模拟。", "en": "Press Step or Play to start the run."},
    "axis_day": {"zh": "天", "en": "day"},
    "axis_count": {"zh": "数量", "en": "count"},
    "axis_needs": {"zh": "需求数", "en": "needs"},
    "axis_hours": {"zh": "小时", "en": "hours"},
    "axis_index": {"zh": "指数", "en": "index"},
    "series": {"zh": "曲线", "en": "series"},
    # --- daily series names --------------------------------------------------------------------------------------
    "cat_food": {"zh": "食品", "en": "food"},
    "cat_medicine": {"zh": "药品", "en": "medicine"},
    "cat_medical": {"zh": "就医", "en": "medical visits"},
    "cat_psych": {"zh": "心理", "en": "psychological"},
    "cat_supplies": {"zh": "防护物资", "en": "protective supplies"},
    "grp_elderly_alone": {"zh": "独居老人", "en": "elderly alone"},
    "grp_chronic": {"zh": "慢性病", "en": "chronic illness"},
    "grp_low_income": {"zh": "困难群体", "en": "low income"},
    "grp_offline": {"zh": "不上网", "en": "offline"},
    "grp_offline_elderly": {"zh": "不上网老人", "en": "offline elderly"},
    "grp_vulnerable": {"zh": "特殊人群", "en": "vulnerable"},
    "vol_applicants": {"zh": "报名者（累计）", "en": "applicants (total)"},
    "vol_vetting": {"zh": "待审核", "en": "waiting for vetting"},
    "vol_active": {"zh": "在岗", "en": "active"},
    "vol_burnt_out": {"zh": "倦怠退出", "en": "burnt out"},
    "load_cadres": {"zh": "社区干部接报负荷", "en": "cadres' report load"},
    "cap_cadres": {"zh": "社区干部接报能力", "en": "cadres' report capacity"},
    "load_volunteers": {"zh": "志愿者协调负荷", "en": "volunteer coordinators' load"},
    "cap_volunteers": {"zh": "志愿者协调能力", "en": "volunteer coordinators' capacity"},
    "price_index": {"zh": "价格指数", "en": "price index"},
    "phase_sealed_city": {"zh": "封城", "en": "sealed city"},
    "phase_closed_compound": {"zh": "小区封闭管理", "en": "closed compound"},
    "phase_full_closure": {"zh": "全面封控", "en": "full closure"},
    "phase_easing": {"zh": "逐步放开", "en": "easing"},
    "phase_reopened": {"zh": "解封", "en": "reopened"},
    # --- summary keys ----------------------------------------------------------------------------------------------
    "key_unmet_need_days": {"zh": "累计未满足需求（件·天）", "en": "Unmet need-days"},
    "key_unmet_need_days_per_1000": {"zh": "每千户累计未满足需求（件·天）",
                                     "en": "Unmet need-days per 1,000 households"},
    "key_hidden_need_share": {"zh": "未被掌握的需求占比", "en": "Share of needs nobody knew of"},
    "key_critical_failures": {"zh": "急症延误（次）", "en": "Urgent medical needs missed"},
    "key_mean_days_to_meet": {"zh": "需求平均解决用时（天）", "en": "Mean days to meet a need"},
    "key_equity_ratio": {"zh": "特殊人群与其他居民之比", "en": "Equity ratio (vulnerable / others)"},
    "key_wait_ratio": {"zh": "特殊人群与其他居民等待用时之比", "en": "Wait ratio (vulnerable / others)"},
    "key_offline_wait_ratio": {"zh": "不上网与上网住户等待用时之比", "en": "Wait ratio (offline / online)"},
    "key_peak_unmet_day": {"zh": "积压最多的一天（第几天）", "en": "Day the backlog peaked"},
    "key_volunteers_active_peak": {"zh": "在岗志愿者最多时（人）", "en": "Most volunteers at work on a day"},
    "key_coordinator_overload_days": {"zh": "协调人员超负荷天数", "en": "Days coordinators were overloaded"},
    "key_cadre_overload_days": {"zh": "社区干部报告处理超负荷天数",
                                "en": "Days the cadres' report line was overloaded"},
    "key_volunteer_coordinator_overload_days": {"zh": "志愿者协调人超负荷天数",
                                                "en": "Days the volunteer coordinators were overloaded"},
    "key_price_index_peak": {"zh": "食品价格指数最高值", "en": "Highest food price index"},
    "key_mean_distress_end": {"zh": "结束时居民平均心理压力", "en": "Mean distress on the last day"},
    # what each outcome means, in plain words (shown beside it on Compare and as the cards' tooltips)
    "def_unmet_need_days": {
        "zh": "每天还没解决的需求件数，逐日相加：一件需求拖3天算3件·天。包括没人知道的需求。",
        "en": "Needs still open at the end of each day, added up over the days: one need open for 3 days counts "
              "3. Includes needs nobody knew of."},
    "def_unmet_need_days_per_1000": {
        "zh": "同上，按每千户计算，便于比较规模不同的社区。",
        "en": "The same per 1,000 households, to compare communities of different sizes."},
    "def_hidden_need_share": {
        "zh": "在累计未满足需求中，社区干部、志愿者等任何服务人员都不知道的部分所占比例。",
        "en": "Of the unmet need-days, the share that no responder (cadre, volunteer, social worker) knew of."},
    "def_critical_failures": {
        "zh": "透析、急症等紧急就医需求超过时限仍未解决的次数。",
        "en": "Urgent medical needs (dialysis, emergencies) still unmet after their deadline."},
    "def_mean_days_to_meet": {
        "zh": "已解决的需求从出现到解决平均用了多少天。",
        "en": "For needs that were met: the mean days from arising to being met."},
    "def_equity_ratio": {
        "zh": "特殊人群每户的未满足需求，除以其他居民每户的未满足需求。1 表示持平，大于 1 表示特殊人群更吃亏。",
        "en": "Unmet need-days per vulnerable household over those per other household. 1 is equal; above 1 the "
              "vulnerable fare worse."},
    "def_wait_ratio": {
        "zh": "特殊人群的需求从出现到解决的平均天数，除以其他居民的平均天数。大于 1 表示特殊人群等得更久。",
        "en": "Mean days to meet a need for vulnerable households over those for other households. Above 1 the "
              "vulnerable wait longer."},
    "def_offline_wait_ratio": {
        "zh": "不上网住户的需求平均解决天数，除以上网住户的平均天数。大于 1 表示不上网的住户等得更久。",
        "en": "Mean days to meet a need for offline households over those for online households. Above 1 offline "
              "households wait longer."},
    "def_peak_unmet_day": {
        "zh": "未解决需求积压最多的是第几天（第0天为2020年1月23日）。",
        "en": "The day on which the backlog of open needs was largest (day 0 is 23 January 2020)."},
    "def_volunteers_active_peak": {
        "zh": "同一天在岗志愿者最多时的人数。没有志愿者机制时为 0。",
        "en": "The most volunteers at work on any one day; 0 without volunteers."},
    "def_coordinator_overload_days": {
        "zh": "需要处理的报告或志愿者事务超过协调人员当天工时的天数。",
        "en": "Days on which the reports or volunteers to handle exceeded the coordinators' hours."},
    "def_cadre_overload_days": {
        "zh": "需要处理的居民报告超过社区干部当天留作报告处理的工时的天数。",
        "en": "Days on which the residents' reports exceeded the hours the cadres set aside for taking them."},
    "def_volunteer_coordinator_overload_days": {
        "zh": "志愿者的督导、审核和纠纷处理超过志愿者协调人当天工时的天数。",
        "en": "Days on which supervising, vetting and settling the volunteers' conflicts exceeded the volunteer "
              "coordinators' hours."},
    "def_price_index_peak": {
        "zh": "食品价格指数的最高值，封控前为 1。",
        "en": "The highest food price index; 1 is the price before the lockdown."},
    "def_mean_distress_end": {
        "zh": "最后一天居民心理压力的平均值，0 为没有压力，1 为最重。",
        "en": "Households' mean distress on the last day, from 0 (none) to 1 (most severe)."},
    "better_lower": {"zh": "越低越好", "en": "lower is better"},
    "better_higher": {"zh": "越高越好", "en": "higher is better"},
    "better_none": {"zh": "仅作说明", "en": "descriptive"},
    "unit_pp": {"zh": " 个百分点", "en": " pp"},
    "interval_same": {"zh": "（每次运行都相同）", "en": "(the same in every run)"},
    "verdict_fewer": {"zh": "明显减少", "en": "clearly fewer"},
    "verdict_lower": {"zh": "明显降低", "en": "clearly lower"},
    "verdict_more": {"zh": "明显增加", "en": "clearly more"},
    "verdict_higher": {"zh": "明显升高", "en": "clearly higher"},
    "verdict_earlier": {"zh": "明显提前", "en": "clearly earlier"},
    "verdict_later": {"zh": "明显推后", "en": "clearly later"},
    "verdict_unclear": {"zh": "无明显差别", "en": "no clear difference"},
    "verdict_same": {"zh": "完全相同", "en": "no difference"},
    "verdict_none": {"zh": "无法判断", "en": "cannot tell"},
    # --- compare ---------------------------------------------------------------------------------------------------
    "compare_pick": {"zh": "选择2至4个情景（第一个为参照）",
                     "en": "Pick two to four scenarios (the first is the reference)"},
    "compare_reps": {"zh": "重复次数", "en": "Replications"},
    "compare_reps_tip": {"zh": "每个情景用相同的种子重复运行的次数（共同随机数）。",
                         "en": "Runs per scenario, on the same seeds for every scenario (common random numbers)."},
    "compare_households": {"zh": "户数（所有情景）", "en": "Households (every scenario)"},
    "compare_days": {"zh": "天数（所有情景）", "en": "Days (every scenario)"},
    "compare_run": {"zh": "开始比较", "en": "Run the comparison"},
    "compare_need_two": {"zh": "请选择2至4个情景。", "en": "Pick two to four scenarios."},
    "compare_progress": {"zh": "已完成 {done} / {total} 次运行", "en": "{done} of {total} runs done"},
    "compare_failed": {"zh": "比较未能完成：", "en": "The comparison failed:"},
    "compare_runs_failed": {"zh": "有 {failed} 次运行失败，表中未计入。",
                            "en": "{failed} runs failed and are left out of the tables."},
    "compare_bands": {"zh": "每天未解决的需求（线为各次运行的平均，色带为最少到最多）",
                      "en": "Needs open each day (line: mean over the runs; band: fewest to most)"},
    "compare_means": {"zh": "各情景的结果", "en": "Each scenario's results"},
    "compare_means_note": {
        "zh": "每个数是各次运行的平均值；下方括号内是95%区间：真实平均值有95%的把握落在其中。",
        "en": "Each number is the mean over the runs; below it, the 95% interval: the true mean lies within it "
              "with 95% confidence."},
    "compare_diffs": {"zh": "与参照情景相比", "en": "Against the reference"},
    "compare_diffs_note": {
        "zh": "变化 = 该情景 − 参照情景（{reference}），用相同的随机种子逐次配对计算。95%区间不含 0 时判为“明显”；"
              "含 0 时为“无明显差别”：这些运行还不足以说明两者不同。▼ 为减少，▲ 为增加；绿色是改善，红色是变差。",
        "en": "Change = the scenario minus the reference ({reference}), paired run by run on the same seeds. When "
              "the 95% interval leaves out 0 the change is called clear; when it includes 0 there is no clear "
              "difference: these runs cannot tell the two apart. ▼ is a fall, ▲ a rise; green is an improvement, "
              "red a harm."},
    "compare_against": {"zh": "{scenario} 与 {reference} 相比", "en": "{scenario} against {reference}"},
    "col_verdict": {"zh": "判断", "en": "verdict"},
    "why_unclear": {"zh": "{s}与{r}的累计未满足需求没有明显差别。",
                    "en": "{s} and {r} do not clearly differ in unmet need-days."},
    "why_total": {"zh": "与{r}相比，{s}的累计未满足需求{verdict}（{a} → {b} 件·天，{rel}）",
                  "en": "Against {r}, {s} has {verdict} unmet need-days ({a} → {b}, {rel})"},
    "why_category": {"zh": "变化最大的是{category}类需求（{a} → {b}）",
                     "en": "the largest change is in {category} needs ({a} → {b})"},
    "why_group": {"zh": "{group}的变化最大（{rel}）", "en": "the group it changes most for is {group} ({rel})"},
    "why_hidden": {"zh": "没人知道的需求 {a} → {b} 件·天", "en": "needs nobody knew of: {a} → {b} need-days"},
    "why_overload": {"zh": "协调人员超负荷 {a} → {b} 天", "en": "coordinators overloaded on {a} → {b} days"},
    "full_stop": {"zh": "。", "en": "."},
    "compare_download_results": {"zh": "下载结果（CSV）", "en": "Download results (CSV)"},
    "compare_download_runs": {"zh": "下载每次运行的结果（CSV）", "en": "Download each run's results (CSV)"},
    "edited_note": {"zh": "{name}：{changes}", "en": "{name}: {changes}"},
    "compare_download_report": {"zh": "下载比较报告（HTML，可打印）", "en": "Download the report (HTML, printable)"},
    "report_title": {"zh": "情景比较：{names}", "en": "Comparing scenarios: {names}"},
    "report_vs": {"zh": " 与 ", "en": " vs "},
    "report_meta": {"zh": "LiánDòng 版本 {version}；每个情景运行 {reps} 次，各情景使用相同的随机种子（根种子 {root}；"
                          "各次运行的种子 {seeds}）；生成日期 {date}。",
                    "en": "LiánDòng version {version}; {reps} runs of each scenario on the same seeds (root seed "
                          "{root}; the runs' seeds {seeds}); made on {date}."},
    "report_scenarios": {"zh": "情景与设置", "en": "Scenarios and settings"},
    "report_size": {"zh": "{households} 户，{days} 天", "en": "{households} households, {days} days"},
    "report_changed": {"zh": "与参照情景不同的设置（{n} 项）：",
                       "en": "settings that differ from the reference ({n}): "},
    "report_same": {"zh": "设置与参照情景相同", "en": "the same settings as the reference"},
    "report_reproduce": {"zh": "重现方法：在“比较”页下载各情景文件，然后运行 liandong compare <各情景文件> "
                               "--reps {reps}（情景：{labels}）。",
                         "en": "To reproduce: download each scenario's file on the Compare page, then run "
                               "liandong compare <the files> --reps {reps} (scenarios: {labels})."},
    "chart_png": {"zh": "下载 PNG 图片", "en": "Download PNG"},
    "chart_svg": {"zh": "下载 SVG 矢量图", "en": "Download SVG"},
    "compare_download_daily": {"zh": "下载每日序列（CSV）", "en": "Download daily series (CSV)"},
    "compare_download_scenario": {"zh": "下载情景 {name}", "en": "Download scenario {name}"},
    "compare_none": {"zh": "尚无结果：选择情景后运行。", "en": "No results yet: pick scenarios and run."},
    "compare_cancel": {"zh": "停止比较", "en": "Cancel"},
    "compare_cancelled": {"zh": "比较已停止，结果未保存。", "en": "The comparison was cancelled; nothing was kept."},
    "compare_settings_label": {"zh": "“比较”页的设置", "en": "the Compare page's settings"},
    # --- limits of one dashboard session ---------------------------------------------------------------------------
    "limit_households": {
        "zh": "仪表板中的社区最多 {max} 户（模型设定的最大社区规模），这里是 {got} 户。请把户数改为 {max} 户以内；"
              "更大的社区请在自己的电脑上用 liandong 命令运行。",
        "en": "The dashboard runs communities of up to {max} households (the model's largest specified size); this "
              "one has {got}. Set the households to {max} or fewer; run larger communities with the liandong "
              "command on your own computer."},
    "limit_reps": {"zh": "仪表板上每次比较最多重复 {max} 次，这里要求 {got} 次。请减少重复次数。",
                   "en": "A comparison on the dashboard runs at most {max} replications; {got} were asked for. "
                         "Lower the replications."},
    "limit_run_days": {
        "zh": "这次比较共有 {got} 个“运行×天”的每日记录，超过仪表板单次比较的上限 {max}。请减少情景、重复次数或天数。",
        "en": "This comparison would keep {got} days of daily series (runs × days); the dashboard keeps at most "
              "{max} in one comparison. Use fewer scenarios, replications or days."},
    "limit_work": {
        "zh": "这次比较的计算量为 {got} 户·天（户数 × 天数，所有运行合计），超过仪表板单次比较的上限 {max}。"
              "请减少情景、重复次数、户数或天数。",
        "en": "This comparison would simulate {got} household-days (households × days, summed over every run); the "
              "dashboard allows {max} in one comparison. Use fewer scenarios, replications, households or days."},
    # --- District ------------------------------------------------------------------------------------------------
    "district_pick": {"zh": "选择街区（多个社区共享调配资源）", "en": "District (communities sharing pools)"},
    "district_about": {
        "zh": "{communities} 个社区，共 {households} 户。在双核电脑上，运行一次约需 {seconds} 秒（机器繁忙时更久）；"
              "一次比较运行两种政策的地图各一次，再各运行“重复次数”次。",
        "en": "{communities} communities, {households} households in all. One run takes about {seconds} s on a "
              "2-core computer (longer when it is busy); Run does one run of each policy for the maps, then each "
              "policy once per replication."},
    "district_only": {
        "zh": "更大的街区（{others}）超出仪表板的计算上限：江汉区 109 个社区每次运行约需半分钟计算时间，"
              "一次三个种子的比较要运行八次（4–5 分钟），请在自己的电脑上用命令“python -m experiments.district”运行。",
        "en": "Larger districts ({others}) are beyond the dashboard's limit: Jianghan's 109 communities take about "
              "half a minute of CPU a run, and a comparison with three seeds eight runs (4-5 minutes); run them "
              "with python -m experiments.district on your own computer."},
    "district_pool": {"zh": "{pool}（共 {total}）", "en": "{pool} ({total} in all)"},
    "pool_sunk_cadres": {"zh": "下沉干部", "en": "Sunk cadres"},
    "pool_volunteers": {"zh": "志愿者报名", "en": "Volunteer sign-ups"},
    "pool_supply": {"zh": "每个供应日的物资包", "en": "Food packages each supply day"},
    "pool_social_workers": {"zh": "社工", "en": "Social workers"},
    "policy_equal": {"zh": "平均分配", "en": "equal shares"},
    "policy_per_household": {"zh": "按户数", "en": "per household"},
    "policy_by_vulnerability": {"zh": "按脆弱户数", "en": "by vulnerability"},
    "policy_by_backlog": {"zh": "按上报积压", "en": "by reported backlog"},
    "district_arm_a": {"zh": "政策甲", "en": "Policy A"},
    "district_arm_b": {"zh": "政策乙", "en": "Policy B"},
    "district_reps": {"zh": "重复次数（种子数）", "en": "Replications (seeds)"},
    "district_days": {"zh": "天数（所有社区）", "en": "Days (every community)"},
    "district_run": {"zh": "运行", "en": "Run"},
    "district_cancel": {"zh": "停止", "en": "Cancel"},
    "district_cancelled": {"zh": "运行已停止，结果未保存。", "en": "The run was cancelled; nothing was kept."},
    "district_failed": {"zh": "运行未能完成：", "en": "The run failed:"},
    "district_progress": {"zh": "已完成 {done} / {total} 步（两张地图，然后比较）",
                          "en": "{done} of {total} steps done (the two maps, then the comparison)"},
    "district_none": {"zh": "选择两种政策，然后点击“运行”。", "en": "Choose two policies and press Run."},
    "district_day": {"zh": "截至第几天", "en": "Up to day"},
    "district_map_title": {"zh": "{arm}：截至第 {day} 天，每户未满足需求天数",
                           "en": "{arm}: unmet need-days per household up to day {day}"},
    "district_map_note": {
        "zh": "每块代表一个社区，面积与户数成正比，按街道分组（文件未写街道时为一组）；颜色为截至所选日期的每户未满足"
              "需求天数，两张图与每一天用同一色标。地图显示比较的第一个种子。鼠标悬停可看小区类型构成与结果，点击可在“探索”中打开该社区。",
        "en": "A tile per community, its area in proportion to its households, grouped by sub-district (one block "
              "when the file names none); the colour is the unmet need-days per household up to the chosen day, on "
              "one scale for both maps and every day. The maps show the comparison's first seed. Hover over a tile "
              "for its compound mix and outcomes; click it to open the community in Explore."},
    "district_community": {"zh": "社区 {number}", "en": "community {number}"},
    "district_no_mix": {"zh": "未声明小区类型", "en": "no compound types declared"},
    "district_col_community": {"zh": "社区", "en": "community"},
    "district_col_households": {"zh": "户数", "en": "households"},
    "district_col_mix": {"zh": "小区类型构成", "en": "compound mix"},
    "district_col_so_far": {"zh": "截至该日每户未满足需求天数", "en": "unmet need-days per household so far"},
    "district_col_whole_run": {"zh": "全程每户未满足需求天数", "en": "unmet need-days per household, whole run"},
    "district_col_critical": {"zh": "危急事件", "en": "critical failures"},
    "district_col_hidden": {"zh": "隐性需求比例", "en": "hidden need share"},
    "district_col_cadres": {"zh": "分到的下沉干部（平均）", "en": "sunk cadres allocated (mean)"},
    "district_col_difference": {"zh": "乙 − 甲（配对差值）", "en": "B − A (paired difference)"},
    "district_interval": {"zh": "95% 区间 {low} 至 {high}", "en": "95% interval {low} to {high}"},
    "district_compare_title": {"zh": "两种政策的不平等指标", "en": "The two policies' inequality figures"},
    "district_compare_note": {
        "zh": "{reps} 个种子上的平均值（两种政策用同样的种子），括号下为 95% 区间；最后一列为配对差值及其 95% 区间"
              "（绿色：乙更好，红色：乙更差，灰色：无法区分）。",
        "en": "Means over {reps} seeds (the same seeds under both policies) with their 95% intervals; the last "
              "column is the paired difference with its 95% interval (green: B is better, red: B is worse, grey: "
              "not told apart)."},
    "district_key_gini_unmet_per_household": {"zh": "不平等（基尼系数）", "en": "Inequality (Gini)"},
    "district_def_gini_unmet_per_household": {"zh": "各社区每户未满足需求天数的基尼系数（0：完全平等）。",
                                              "en": "Gini of the communities' unmet need-days per household (0: "
                                                    "all equal)."},
    "district_key_worst_decile_unmet_per_household": {"zh": "最差十分之一的社区", "en": "Worst-decile community"},
    "district_def_worst_decile_unmet_per_household": {
        "zh": "最差十分之一社区的每户未满足需求天数（小街区：最差的一个社区）。",
        "en": "Unmet need-days per household of the worst tenth of the communities (a small district: the worst "
              "one)."},
    "district_key_unmet_need_days_per_household": {"zh": "全街区每户", "en": "District, per household"},
    "district_def_unmet_need_days_per_household": {"zh": "全街区未满足需求天数除以总户数。",
                                                   "en": "The district's unmet need-days over its households."},
    "district_key_unmet_need_days": {"zh": "全街区合计", "en": "District total"},
    "district_def_unmet_need_days": {"zh": "所有社区的未满足需求天数之和。",
                                     "en": "Unmet need-days summed over the communities."},
    "district_key_critical_failures": {"zh": "危急事件", "en": "Critical failures"},
    "district_def_critical_failures": {"zh": "所有社区急需（药品、透析等）超期未满足的次数之和。",
                                       "en": "Acute needs (medicine, dialysis) left unmet past their limit, summed "
                                             "over the communities."},
    "district_open_title": {"zh": "在“探索”中打开一个社区", "en": "Open a community in Explore"},
    "district_open_note": {
        "zh": "点击地图上的一块（或用键盘移到该块后按回车），或点击下面的按钮，即可在“探索”中打开该社区："
              "它的情景（街区生成的户数与特征）、它在地图运行中的种子，以及街区每一轮分给它的下沉干部、志愿者报名、"
              "物资和社工，所以它在“探索”中的运行与地图中的一样。地图上的一块按该图的政策打开；下面的按钮按政策甲打开。",
        "en": "Click a tile of a map (or reach it with Tab and press Enter), or a button below, to open the community "
              "in Explore: its scenario (its households and traits as the district drew them), its seed in the "
              "maps' run, and the sunk cadres, volunteer sign-ups, supply and social workers the district allocated "
              "it round by round, so that it runs there as it did in the map. A tile opens it under its map's "
              "policy; the buttons below, under Policy A."},
    "district_tile_open": {"zh": "在“探索”中打开：{name}", "en": "Open in Explore: {name}"},
    "explore_district_note": {
        "zh": "按街区“{district}”中{arm}（{policies}）下的样子运行：每一轮开始时，它持有街区该轮分给它的份额，"
              "而不是情景自己的数量——{shares}。用地图运行的种子时，结果与地图中该社区相同；改动设置则会不同。"
              "选择预设或上传文件即恢复情景自己的数量。",
        "en": "As in the district {district} under {arm} ({policies}). At the start of each round it holds the shares "
              "the district gave it for that round, not its scenario's own numbers: {shares}. With the maps' seed "
              "its results are the map's; other settings change them. A preset or an uploaded file goes back to "
              "the scenario's own numbers."},
    "explore_district_rebuilding": {
        "zh": "此网址打开街区“{district}”中{arm}下的一个社区。正在重新运行该街区（几秒钟），以得到它在街区中的份额；"
              "运行完成前不能单步或播放，以免按情景自己的数量运行。",
        "en": "This address opens a community of the district {district} under {arm}. The district is being run again "
              "(a few seconds) for the shares it gave the community; Step and Play wait for it, so that the community "
              "never runs on its scenario's own numbers instead."},
    "rebuild_progress": {"zh": "街区运行：已完成 {done} / {total}", "en": "District run: {done} of {total} done"},
    "rebuild_cancelled": {"zh": "街区运行已停止。", "en": "The district run was stopped."},
    "rebuild_failed": {"zh": "街区未能重新运行，因此不显示该社区：",
                       "en": "The district could not be run again, so the community is not shown:"},
    "pool_policy": {"zh": "{pool}：{policy}", "en": "{pool}: {policy}"},
    "explore_district_range": {"zh": "每轮 {low}–{high}", "en": "{low}–{high} by round"},
    "limit_district_work": {
        "zh": "这次运行的计算量为 {got} 户·天（户数 × 天数 × 运行次数），超过仪表板的上限 {max}。"
              "请减少重复次数或天数。",
        "en": "This run would simulate {got} household-days (households × days × runs); the dashboard allows {max}. "
              "Lower the replications or the days."},
    "limit_district_reps": {"zh": "仪表板上街区比较最多重复 {max} 次，这里要求 {got} 次。",
                            "en": "A district comparison on the dashboard runs at most {max} replications; {got} "
                                  "were asked for."},
    "col_scenario": {"zh": "情景", "en": "scenario"},
    "col_key": {"zh": "指标", "en": "outcome"},
    "col_mean": {"zh": "均值", "en": "mean"},
    "col_interval": {"zh": "95%区间", "en": "95% interval"},
    "col_diff": {"zh": "变化", "en": "change"},
    "col_relative": {"zh": "相对变化", "en": "relative"},
    "edited_name": {"zh": "{name}（修改{number}）", "en": "{name} (edit {number})"},
    # --- learn -----------------------------------------------------------------------------------------------------
    "learn_intro": {
        "zh": "这是一堂课，共五课。2020年武汉封城期间，社区靠“联动”维持居民生活：把社区干部、志愿者、社会组织和社工连接"
              "起来。宋万召把联动分为三种：应急联动、外部联动和内部联动；三社联动把社区、社会组织和社工整合在一起。每一课"
              "先讲一段亲历者的故事，请你先预测结果，再运行一对只差一项机制的情景，揭晓答案，最后给出可以自己试一试的做法。",
        "en": "A class in five lessons. In the 2020 Wuhan lockdown, communities kept residents' lives going by "
              "linkage: connecting cadres, volunteers, social organisations and social workers. Song Wanzhao names "
              "three kinds: emergency, external and internal linkage; three-social linkage integrates the community, "
              "social organisations and social workers. Each lesson tells a story from the accounts, asks you to "
              "predict, runs a pair of scenarios that differ in one mechanism, reveals the answer, and leaves you "
              "things to try."},
    "learn_question": {"zh": "先猜一猜：", "en": "Predict first: "},
    "learn_ask": {"zh": "与“{a}”相比，“{b}”的“{outcome}”会怎样？",
                  "en": "Against {a}, what happens to '{outcome}' under {b}?"},
    "predict_down": {"zh": "下降", "en": "it falls"},
    "predict_same": {"zh": "差不多", "en": "about the same"},
    "predict_up": {"zh": "上升", "en": "it rises"},
    "learn_predict_first": {"zh": "选好你的预测后再运行。", "en": "Make your prediction, then run."},
    "learn_running": {"zh": "正在运行……", "en": "Running…"},
    "learn_answer": {"zh": "结果：", "en": "The answer: "},
    "learn_result": {"zh": "与“{a}”相比，“{b}”的“{outcome}”{verdict}。",
                     "en": "Against {a}, {b} has '{outcome}' {verdict}."},
    "learn_right": {"zh": "你猜对了。", "en": "You predicted it."},
    "learn_wrong": {"zh": "和你的预测不一样：想一想为什么。", "en": "Not what you predicted: think about why."},
    "learn_try": {"zh": "试一试：", "en": "Things to try: "},
    "learn_see_compare": {"zh": "在“比较”页看全部结果", "en": "See all the results on Compare"},
    "learn_emergency_try": {"zh": "在“探索”页把“入群比例”调低到 0.3，重置后再播放，看不上网老人的曲线。",
                            "en": "On Explore, lower 'Share joining the groups' to 0.3, reset and play; watch the "
                                  "offline elderly."},
    "learn_external_try": {"zh": "把“发放方式”改为“按需分配”，再比较公平比的变化。",
                           "en": "Set 'How packages are handed out' to 'by need' and compare the equity ratio again."},
    "learn_internal_try": {"zh": "把“下沉干部到岗日”提前到第 10 天，看积压高峰是否提前回落。",
                           "en": "Bring 'Day sunk cadres arrive' forward to day 10: does the backlog turn earlier?"},
    "learn_three_try": {"zh": "在“探索”页把“三社整合度”依次设为 0.25、0.5、0.75：整合是渐进的，每提高一级，"
                              "特殊人群就更早得到服务。",
                        "en": "On Explore, set three-social integration to 0.25, 0.5 and 0.75 in turn: integration is "
                              "graded, and each step serves the vulnerable sooner."},
    "learn_story_try": {"zh": "把“协调者人数”改为 2，再运行公开招募。",
                        "en": "Set 'Coordinators' to 2 and run the open call again."},
    "learn_run_pair": {"zh": "运行这一对情景：{a} 与 {b}", "en": "Run {a} against {b}"},
    "learn_open": {"zh": "在“探索”页打开 {name}", "en": "Open {name} in Explore"},
    "learn_notice": {"zh": "留意：", "en": "What to notice: "},
    "learn_emergency_title": {"zh": "一、应急联动", "en": "1. Emergency linkage"},
    "learn_emergency_text": {
        "zh": "封城当天，社工机构转到线上：陈兰兰1月23日开了QQ群，医生、社工、居民和志愿者在网上连接起来，远程提供"
              "服务。线上群由志愿者管理，心理和医疗志愿者远程接诊。",
        "en": "On the day the city was sealed, agencies moved online: Chen Lanlan opened a QQ group on 23 January, "
              "and doctors, social workers, residents and volunteers linked up online to serve remotely. Volunteers "
              "moderate the groups; psychological and medical volunteers answer from afar."},
    "learn_emergency_notice": {
        "zh": "没人知道的需求减少，但主要在上网的家庭中。在“探索”页打开“应急线上联动”，看“未满足需求（按人群）”图里的"
              "“不上网老人”：这就是数字鸿沟。",
        "en": "Needs nobody knows of fall, but mostly among households that are online. Open Emergency online "
              "linkage on the Explore page and watch 'offline elderly' in the chart of unmet needs by group: the "
              "digital divide."},
    "learn_external_title": {"zh": "二、外部联动", "en": "2. External linkage"},
    "learn_external_text": {
        "zh": "社区之外，互联网把居民和志愿者连起来，引入实际的帮助：社区团购、爱心菜、捐赠的口罩和消毒用品。团购起初"
              "要等五六天，后来次日送达；“最后一百米”靠楼栋组织者和干部。",
        "en": "Outside the community, the internet links residents and volunteers and brings in real help: "
              "community group buying, 'love vegetables', donated masks and disinfectant. Group buying took five "
              "or six days at first and arrived next day later; the last hundred metres rely on building "
              "organisers and cadres."},
    "learn_external_notice": {
        "zh": "食品类未满足需求大幅下降，但公平比上升：会用手机团购的家庭先受益。",
        "en": "Unmet food needs fall sharply, but the equity ratio rises: households who can order on a phone "
              "benefit first."},
    "learn_internal_title": {"zh": "三、内部联动", "en": "3. Internal linkage"},
    "learn_internal_text": {
        "zh": "社区内部，社区工作者和下沉干部维持社会组织、居民自组织和社工的日常联动；“人人有责、人人参与、人人共享”。"
              "下沉干部第19天到岗，一半楼栋有楼栋长替邻居报告需求。",
        "en": "Inside the community, community workers and cadres sunk from government units keep the usual linkage "
              "of social organisations, resident self-organisations and social workers going: 'everyone "
              "responsible, everyone takes part, everyone shares'. Sunk cadres arrive on day 19; half the "
              "buildings have a leader who reports neighbours' needs."},
    "learn_internal_notice": {
        "zh": "第19天下沉干部到岗后，积压增长大为放缓，“累计未满足需求（件·天）”减少一半以上；"
              "“未被掌握的需求占比”反而上升：剩下没解决的，多是没人知道的需求。",
        "en": "After day 19 the backlog grows far more slowly and unmet need-days fall by more than half; the hidden "
              "need share rises: what is left unmet is mostly what nobody knows of."},
    "learn_three_title": {"zh": "四、三社联动", "en": "4. Three-social linkage"},
    "learn_three_text": {
        "zh": "社工由购买服务资助，不属于正式的社区体系：他们转介的个案，社区干部要另花时间核对；困难群体名册也不与他们"
              "共享。三社联动把社区、社会组织和社工整合起来：共享名册，接受并分诊社工的转介，需求急的先办。这一课的两个"
              "情景其他一切相同（线上群、下沉干部、楼栋长、有组织的招募、社会组织都在），只差“三社整合度”：0 与 1。",
        "en": "Social workers are funded through purchased services and are not part of the formal community system: "
              "their referrals cost cadres time to sort out, and the register of vulnerable households is not "
              "shared with them. Three-social linkage integrates the community, social organisations and social "
              "workers: the register is shared and their referrals are accepted and triaged, the most urgent "
              "first. The two scenarios of this lesson are the same in everything (online groups, sunk cadres, "
              "building leaders, the organised call, the social organisations) except three-social integration: "
              "0 against 1."},
    "learn_three_notice": {
        "zh": "特殊人群与其他居民之比大幅下降：整合后，干部和社工共同管理的困难户按需求排在前面，"
              "转介也不再占用干部时间。"
              "但要看清代价：其他居民等得更久了，这个比值下降有一部分是“拉平”，而不只是特殊人群变好。对照“累计未满足需求（件·天）”看一看。",
        "en": "The equity ratio falls far: integrated, the vulnerable households the cadres and social workers hold "
              "jointly are served by need, first, and referrals no longer cost cadre time. Mind the price: the "
              "other households wait longer, so part of the fall is levelling down, not only the vulnerable doing "
              "better. Look at unmet need-days beside it."},
    "learn_story_title": {"zh": "练习：800人报名的故事", "en": "Exercise: the 800 sign-ups"},
    "learn_story_text": {
        "zh": "陈兰兰讲过：一次线上招募引来800多人报名，身份核实、动机调查、人员管理和方案调整全落在一个人身上，计划"
              "不得不改。后来有效的做法是：按医疗、社工、心理分类推荐招募，建立激励和冲突处理机制，并找到居民骨干。",
        "en": "Chen Lanlan told it: one online call drew more than 800 sign-ups; identity checks, motivation "
              "surveys, personnel management and changes of plan all landed on one person, and the plan had to "
              "change. What worked: recruiting by referral into medical, social-work and psychological volunteers, "
              "incentive and conflict-handling mechanisms, and finding resident leaders."},
    "learn_story_notice": {
        "zh": "公开招募时，志愿者协调人在约一个月里天天超负荷：审核大批报名者的工时全压在一个人身上，许多报名者等不及就"
              "放弃了。分类推荐招募的报名者审核更快，协调人不再超负荷，在岗志愿者反而更多。在“探索”页打开公开招募，看"
              "“志愿者”图里待审核人数的变化。",
        "en": "Under the open call the volunteer coordinator is overloaded on every day for about a month: vetting a "
              "crowd of applicants falls on one person, and many applicants give up waiting. Referred applicants "
              "are vetted faster: the coordinator is no longer overloaded, and more volunteers end up at work. "
              "Open the open call on Explore and watch the vetting queue in the volunteers chart."},
}

#: Each preset's name as people say it (the file names are for the command line and files).
SCENARIO_NAMES: dict[str, dict[str, str]] = {
    "no_linkage": {"zh": "仅靠社区干部", "en": "Cadres alone"},
    "emergency_online": {"zh": "应急线上联动", "en": "Emergency online linkage"},
    "internal": {"zh": "内部联动", "en": "Internal linkage"},
    "external": {"zh": "外部联动", "en": "External linkage"},
    "open_recruitment": {"zh": "公开招募志愿者", "en": "Open volunteer call"},
    "categorized_recruitment": {"zh": "分类招募志愿者", "en": "Categorized volunteer call"},
    "weak_mass_base": {"zh": "群众基础薄弱", "en": "Weak mass base"},
    "strong_mass_base": {"zh": "群众基础良好", "en": "Strong mass base"},
    "leader_inactive": {"zh": "组织负责人不作为", "en": "Inactive organisation leaders"},
    "three_social": {"zh": "三社联动", "en": "Three-social linkage"},
    "wuhan_2020": {"zh": "武汉2020年实际进程", "en": "Wuhan 2020 as it happened"},
    # a lesson's variant of a preset (compare.VARIANTS)
    "three_social_unintegrated": {"zh": "三社联动（社工未纳入社区体系）", "en": "Three-social linkage, not integrated"},
}

#: One line on each preset, shown under the preset picker (the files' own descriptions are longer, in English).
PRESETS: dict[str, dict[str, str]] = {
    "no_linkage": {"zh": "只有社区干部：只有社区自己的工作人员提供服务，没有线上联动、外部供应、志愿者和社工。"
                         "所有联动都以它为对照。",
                   "en": "Cadres alone: the community's own workers are the only responders; the counterfactual every "
                         "linkage is measured against."},
    "emergency_online": {"zh": "应急线上联动：从第0天起，上网家庭在线上群报告需求，志愿者管理员转达，"
                               "远程心理和医疗志愿者服务。",
                         "en": "Emergency online linkage from day 0: online groups moderated by volunteers, remote "
                               "psychological and medical volunteers."},
    "internal": {"zh": "内部联动：第19天每千户10名下沉干部到岗；一半楼栋有楼栋长，从第18天起替邻居报告需求。",
                 "en": "Internal linkage: sunk cadres arrive on day 19 (10 per 1,000 households); half the buildings "
                       "have a leader who reports neighbours' needs from day 18."},
    "external": {"zh": "外部联动：第24天起社区团购，50份成团，到货从5天缩短到次日；爱心菜和捐赠物资；"
                       "无人搬运的包裹留在门口。",
                 "en": "External linkage: group buying from day 24 (50-package batches, lead time from 5 days to next "
                       "day), love vegetables and donated supplies; what nobody carries waits at the gate."},
    "open_recruitment": {"zh": "800人报名的故事：第31天公开招募，报名者未经分类，一名协调者审核所有人：审核积压、"
                               "协调超负荷。",
                         "en": "The 800-sign-up story: an open call on day 31, unsorted applicants, one coordinator: "
                               "the vetting queue and coordinator overload."},
    "categorized_recruitment": {"zh": "同一次招募，有组织地进行：分类推荐招募医疗、心理和一般志愿者，有激励和冲突处理，"
                                      "楼栋长协助协调。",
                                "en": "The same call organised: referral into medical, psychological and general "
                                      "volunteers, incentives, conflict handling, resident leaders as "
                                      "sub-coordinators."},
    "weak_mass_base": {"zh": "群众基础薄弱（0.1）的社区进行同样的分类招募：关系稀疏、信任低，邻里少互报，居民加入慢。",
                       "en": "The categorized call in a community with a weak mass base (0.1): sparse, low-trust ties; "
                             "few neighbours report; residents join slowly."},
    "strong_mass_base": {"zh": "群众基础良好（0.9）的社区进行同样的分类招募：关系紧密互信，邻里互报，"
                               "居民以身作则加入志愿者。",
                         "en": "The categorized call in a community with a strong mass base (0.9): dense, trusted "
                               "ties; neighbours report for each other; residents join by example."},
    "leader_inactive": {"zh": "社会组织负责人不作为：员工想帮忙却大多在等待，只有少数社工筛查和辅导。",
                        "en": "Social organisations whose leaders do not act: their staff mostly wait; few social "
                              "workers screen and counsel."},
    "three_social": {"zh": "所有联动并整合：线上群、下沉干部和楼栋长、有组织的招募，"
                           "社会组织与社区共享名册并分诊转介（三社联动）。",
                     "en": "All linkages, integrated: online groups, sunk cadres and leaders, the organised call, and "
                           "social organisations sharing the register and triaging referrals (three-social)."},
    "wuhan_2020": {"zh": "武汉封控的真实时间线：第28天左右积压达到高峰，随着下沉干部、团购和志愿者到位而回落。",
                   "en": "The Wuhan timeline as it happened: the backlog peaks around day 28 and falls as sunk "
                         "cadres, group buying and volunteers take hold."},
}

#: Names of the scenario sections and fields the Explore page exposes, and Chinese tooltips for them.
SECTIONS: dict[str, dict[str, str]] = {
    "online": {"zh": "应急线上联动", "en": "Emergency online linkage"},
    "internal": {"zh": "内部联动", "en": "Internal linkage"},
    "external": {"zh": "外部联动", "en": "External linkage"},
    "triage": {"zh": "需求分诊", "en": "Needs triage"},
    "volunteers": {"zh": "志愿者招募与动员", "en": "Volunteer recruitment and mobilisation"},
    "organisations": {"zh": "社会组织与社工（三社联动）",
                      "en": "Social organisations and social workers (three-social)"},
    "prices": {"zh": "价格", "en": "Prices"},
}

#: English names of the levers (the schema's field names are for files).
FIELD_NAMES_EN: dict[str, str] = {
    "mass_base": "Mass base",
    "online.enabled": "On",
    "online.start_day": "Start day",
    "online.group_share": "Share joining the groups",
    "online.report_prob": "Daily chance of posting a need",
    "online.medical_volunteers": "Remote medical volunteers",
    "online.hours_per_day": "Hours a remote volunteer gives a day",
    "online.psych_hours": "Hours per counselling session",
    "online.medicine_hours": "Hours per consultation and prescription",
    "online.counselling_effect": "Effect of professional counselling",
    "internal.sunk_cadres_per_1000": "Sunk cadres per 1,000 households",
    "internal.sunk_arrival_day": "Day sunk cadres arrive",
    "internal.leader_share": "Share of buildings with a leader",
    "internal.leader_start_day": "Day leaders start reporting",
    "internal.leader_reach": "Daily chance a leader reports a neighbour's need",
    "external.group_buy": "Group buying",
    "external.group_buy_start_day": "Day group buying starts",
    "external.organiser_share": "Share of buildings with a resident organiser",
    "external.cadres_organise": "Cadres organise where nobody does",
    "external.organise_hours": "Cadre hours per order taken",
    "external.batch_min": "Smallest batch for an order",
    "external.lead_days_initial": "Days to delivery at first",
    "external.lead_days_final": "Days to delivery once matured",
    "external.maturation_days": "Days for group buying to mature",
    "external.organiser_hours": "Hours an organiser carries packages a day",
    "external.distribution_hours": "Hours to carry one package to a door",
    "external.supply_per_1000": "Food packages per 1,000 households",
    "external.donation_per_1000": "Protective kits per 1,000 households",
    "external.targeting": "How packages are handed out",
    "triage.enabled": "On",
    "triage.start_day": "Start day",
    "triage.social_workers": "Social workers screening",
    "triage.screens_per_worker": "Households a worker screens a day",
    "triage.crisis_threshold": "Distress that counts as a crisis",
    "volunteers.enabled": "On",
    "volunteers.mode": "How volunteers are recruited",
    "volunteers.call_day": "Day of the call",
    "volunteers.applicants_per_1000": "Applicants per 1,000 households",
    "volunteers.open_multiplier": "How many more an open call brings",
    "volunteers.coordinators": "Coordinators",
    "volunteers.coordinator_hours": "Hours a coordinator works a day",
    "volunteers.vetting_hours_open": "Hours to vet an open applicant",
    "volunteers.vetting_hours_categorized": "Hours to vet a referred applicant",
    "volunteers.supervision_hours": "Supervision hours per volunteer a day",
    "volunteers.leader_span": "How much leaders cut supervision",
    "volunteers.medical_share": "Share of medical volunteers",
    "volunteers.psych_share": "Share of psychological volunteers",
    "volunteers.hours_per_day": "Hours a volunteer gives a day",
    "volunteers.attrition": "Daily drop-out",
    "volunteers.overload_attrition": "Extra drop-out under overload",
    "volunteers.waiting_dropout": "Daily give-up while waiting",
    "volunteers.incentives": "Incentives",
    "volunteers.conflict_rate": "Daily chance of a conflict",
    "volunteers.conflict_handling": "Conflict handling",
    "volunteers.fatigue_rate": "Fatigue per full day",
    "volunteers.mobilisation": "Residents mobilised by neighbours",
    "volunteers.mobilisation_threshold": "Share of ties needed to join",
    "volunteers.willing_share": "Share of households willing",
    "volunteers.spontaneous_rate": "Daily chance of joining unasked",
    "organisations.enabled": "On",
    "organisations.start_day": "Start day",
    "organisations.count": "Social organisations",
    "organisations.social_workers_per_org": "Social workers per organisation",
    "organisations.leader_active_prob": "Chance a leader acts",
    "organisations.follow_share": "Share of staff acting anyway",
    "organisations.funding": "Funding before the drop",
    "organisations.funding_drop_day": "Day funding drops",
    "organisations.funding_after_drop": "Funding after the drop",
    "organisations.integration": "Three-social integration",
    "organisations.screens_per_worker": "Households a worker screens a day",
    "organisations.hours_per_day": "Counselling hours a day",
    "organisations.friction_hours": "Cadre hours per outside referral",
    "online.moderators": "Group moderators",
    "online.moderator_hours": "Hours a moderator gives a day",
    "online.post_hours": "Hours to pass on one post",
    "online.psych_sessions_per_1000": "Remote counselling sessions a day per 1,000 households",
    "online.psych_seek_prob": "Daily chance of seeking remote help",
    "internal.leader_hours": "Hours a leader gives a day",
    "internal.leader_report_hours": "Hours to report one household's needs",
    "internal.leader_example": "A leader's example to neighbours",
    "external.organiser_reach": "Share of offline households an organiser orders for",
    "external.neighbour_order_rate": "Daily chance a neighbour orders for an offline household",
    "external.proxy_order_hours": "Hours to order for an offline household",
    "external.cadres_step_in": "Cadres buy food when group buying is late",
    "external.stock_days": "Suppliers' stock (days of food)",
    "external.deliveries_days": "Daily deliveries (days of food)",
    "external.approval_days": "Days a donation waits for approval",
    "external.approval_hours": "Cadre hours to approve a donation",
    "external.subsidised_per_1000": "Subsidised packs per 1,000 households",
    "external.subsidised_price": "Price of a subsidised pack (yuan)",
    "external.subsidised_pack_days": "Days of food in a subsidised pack",
    "triage.hours_per_day": "Hours a social worker gives a day",
    "triage.screen_hours": "Hours per screening call",
    "volunteers.drive_days": "Days the call runs",
    "volunteers.first_day_share": "Share signing up on the first day",
    "volunteers.approval_days": "Days for the checks",
    "volunteers.unsuitable_share": "Share of open applicants rejected",
    "volunteers.referred_unsuitable_share": "Share of referred applicants rejected",
    "volunteers.resident_supervision_share": "Coordination a mobilised resident needs",
    "volunteers.doorstep_visits": "Doorstep visits a volunteer makes a day",
    "volunteers.visit_hours": "Hours per doorstep visit",
    "volunteers.incentive_attrition": "Drop-out left with incentives",
    "volunteers.conflict_hours": "Coordinator hours per conflict",
    "organisations.screen_hours": "Hours per screening call",
    "organisations.counselling_hours": "Counselling hours a day, at most",
    "organisations.assess_hours": "Hours to assess one household",
    "prices.cap": "Price cap",
}

#: The choices of the levers that are lists of options: (zh, en).
OPTIONS: dict[str, tuple[str, str]] = {
    "equal": ("平均分配", "equal shares"),
    "first_come": ("先到先得", "first come"),
    "need": ("按需分配", "by need"),
    "open": ("公开招募", "open call"),
    "categorized": ("分类推荐招募", "categorized referral"),
    "leaders": ("骨干带队", "led by resident leaders"),
}

#: field -> (zh name, zh tooltip). English tooltips come from the schema itself.
FIELDS: dict[str, tuple[str, str]] = {
    "mass_base": ("群众基础", "社区原有的社会资本（0-1）：邻里关系更密、更信任，更多人替邻居报告需求。"),
    "online.enabled": ("启用", "开启应急线上联动。"),
    "online.start_day": ("开始日", "线上群开通的日子（第0天 = 2020年1月23日）。"),
    "online.group_share": ("入群比例", "上网家庭中加入线上群的比例。"),
    "online.report_prob": ("群内报告概率", "群成员每天在群里报告其未满足需求的概率。"),
    "online.moderators": ("群管理员人数",
                          "志愿者群管理员人数：阅读、分诊并转达群成员的帖子（用自己的时间，不占用社区干部时间）。"),
    "online.moderator_hours": ("群管理员每天投入时间（小时）", "每位群管理员每天投入的小时数。"),
    "online.post_hours": ("处理一条帖子所需时间（小时）",
                          "群管理员阅读、分诊并转达一条帖子所需小时；超出其时间的帖子当天无人转达。"),
    "online.psych_sessions_per_1000": ("远程心理咨询每天可接待次数（每千户）",
                                       "热线和线上心理咨询每天能为本社区每千户提供的专业咨询次数。"),
    "online.psych_seek_prob": ("每天寻求远程心理帮助的概率",
                               "有心理帮助需求的家庭每天尝试联系远程心理服务的概率（其余受求助障碍所阻）。"),
    "online.medical_volunteers": ("远程医疗志愿者", "远程医疗志愿者：线上问诊和开药。"),
    "online.hours_per_day": ("每人每天服务时间（小时）", "每位远程志愿者每天服务的小时数。"),
    "online.psych_hours": ("每次心理咨询时长（小时）", "一次线上心理咨询所需小时。"),
    "online.medicine_hours": ("每次问诊开药时长（小时）", "一次线上问诊并由药房配送所需小时。"),
    "online.counselling_effect": ("专业咨询效果", "专业心理咨询后心理困扰的下降幅度。"),
    "internal.sunk_cadres_per_1000": ("每千户下沉干部", "每千户从政府单位下沉的干部人数，服务所有网格。"),
    "internal.sunk_arrival_day": ("下沉干部到岗日", "下沉干部到达社区的日子。"),
    "internal.leader_share": ("楼栋长比例", "有活跃楼栋长（居民骨干）的楼栋比例。"),
    "internal.leader_start_day": ("楼栋长开始日", "楼栋长开始替邻居报告需求的日子。"),
    "internal.leader_reach": ("楼栋长覆盖概率", "楼栋长每天得知并报告邻居需求的概率（按信任度缩放）。"),
    "internal.leader_hours": ("楼栋长每天投入时间（小时）",
                              "楼栋长每天用于了解并报告邻居需求的小时数（组织团购另计）。"),
    "internal.leader_report_hours": ("了解并报告一户所需时间（小时）", "楼栋长了解并报告一户需求所需小时。"),
    "external.group_buy": ("社区团购", "开启社区团购。"),
    "external.group_buy_start_day": ("团购开始日", "社区团购开始的日子。"),
    "external.organiser_share": ("团购组织者比例", "没有楼栋长的楼栋中，由上网居民组织团购的比例。"),
    "external.cadres_organise": ("干部代组织", "无人组织的楼栋由社区干部接单（占用干部时间）。"),
    "external.organise_hours": ("干部每单接单时间（小时）", "干部为一户接一单所需小时。"),
    "external.batch_min": ("最小成团量", "成团所需的最少份数（按网格汇总）。"),
    "external.lead_days_initial": ("初始到货天数", "团购开始时从下单到送达小区门口的天数。"),
    "external.lead_days_final": ("成熟后到货天数", "团购成熟后的到货天数（不长于初始天数）。"),
    "external.maturation_days": ("成熟所需天数", "到货天数从初始线性降到成熟值所需天数。"),
    "external.organiser_hours": ("组织者每天搬运时间（小时）",
                                 "楼栋组织者每天把包裹从门口搬到楼栋的小时数（最后一百米）。"),
    "external.distribution_hours": ("每件送到户时间（小时）", "干部把一份包裹送到户所需小时。"),
    "external.supply_per_1000": ("每千户保供包裹", "每个保供日每千户收到的保供菜/爱心菜包裹数。"),
    "external.donation_per_1000": ("每千户捐赠防护包", "每个捐赠日每千户收到的防护物资包数。"),
    "external.targeting": ("发放方式", "保供包裹和防护物资的发放方式：平均分配、先到先得或按需分配。"),
    "triage.enabled": ("启用", "按需求而非先来先服务排序。"),
    "triage.start_day": ("开始日", "需求分诊开始的日子。"),
    "triage.social_workers": ("筛查社工人数", "筛查困难群体名册的社工人数。"),
    "triage.screens_per_worker": ("每人每日筛查户数", "每位社工每天计划（电话）筛查的户数，以其时间为限。"),
    "triage.hours_per_day": ("分诊社工每天投入时间（小时）", "每位分诊社工每天为本社区投入的小时数。"),
    "triage.screen_hours": ("每次筛查电话时长（小时）", "社工打一次筛查电话所需小时。"),
    "triage.crisis_threshold": ("危机阈值",
                                "心理困扰高于此值时心理需求视为危机（紧急，社会组织的社工将其转介给远程心理服务）。"),
    "volunteers.enabled": ("启用", "开启志愿者招募与动员。"),
    "volunteers.mode": ("招募方式", "公开招募（谁都可以报名，协调者逐一审核）、分类推荐招募，或由居民骨干带队。"),
    "volunteers.call_day": ("招募日", "发出招募令的日子。"),
    "volunteers.applicants_per_1000": ("每千户报名人数", "分类招募每千户带来的报名人数（公开招募乘以倍数）。"),
    "volunteers.open_multiplier": ("公开招募倍数", "公开招募比分类招募多带来的报名倍数。"),
    "volunteers.coordinators": ("协调者人数", "审核报名者、管理志愿者的协调者人数。"),
    "volunteers.coordinator_hours": ("协调者每天工作时间（小时）", "每位协调者每天工作小时。"),
    "volunteers.vetting_hours_open": ("审核一名公开报名者（小时）",
                                      "审核一名公开报名者所需小时（身份核实、动机调查、安排岗位）。"),
    "volunteers.vetting_hours_categorized": ("审核一名推荐报名者（小时）", "审核一名经推荐、已分类的报名者所需小时。"),
    "volunteers.supervision_hours": ("每名志愿者每天督导时间（小时）", "每名在岗志愿者每天需要的协调者督导小时。"),
    "volunteers.leader_span": ("骨干管理幅度", "骨干带队时，楼栋长使每名志愿者所需督导减少的倍数。"),
    "volunteers.resident_supervision_share": ("居民志愿者督导比例",
                                              "动员加入的居民志愿者所需协调，占招募志愿者督导小时的比例；"
                                              "协调者超负荷时，他们也只能工作被覆盖的那部分时间。"),
    "volunteers.medical_share": ("医疗志愿者比例", "分类招募中医疗志愿者的比例。"),
    "volunteers.psych_share": ("心理志愿者比例", "分类招募中心理志愿者的比例。"),
    "volunteers.hours_per_day": ("志愿者每天服务时间（小时）", "在岗志愿者每天服务小时。"),
    "volunteers.attrition": ("日流失率", "在岗志愿者每天退出的概率。"),
    "volunteers.overload_attrition": ("超负荷流失倍数", "协调者超负荷的日子里额外流失（流失率的倍数）。"),
    "volunteers.waiting_dropout": ("等待放弃率", "等待审核的报名者每天放弃的概率。"),
    "volunteers.incentives": ("激励机制", "激励机制：流失率减半。"),
    "volunteers.conflict_rate": ("冲突率", "在岗志愿者每天陷入冲突的概率。"),
    "volunteers.conflict_handling": ("冲突处理机制", "冲突得到处理，而不是以退出告终。"),
    "volunteers.fatigue_rate": ("疲劳累积率", "满负荷一天累积的疲劳，达到1即倦怠退出。"),
    "volunteers.mobilisation": ("居民动员", "居民也通过社会网络的带动成为志愿者。"),
    "volunteers.mobilisation_threshold": ("带动阈值",
                                          "邻里中在岗志愿者占比超过此值时居民加入（群众基础越好阈值越低）。"),
    "volunteers.willing_share": ("潜在意愿比例", "群众基础为1时愿意当志愿者的家庭比例（为0时是其四分之一）。"),
    "volunteers.spontaneous_rate": ("自发加入率", "家庭每天自发加入的概率（公共安全是关联议题），按群众基础缩放。"),
    "organisations.enabled": ("启用", "开启社会组织。"),
    "organisations.start_day": ("开始日", "社工开始线下服务的日子。"),
    "organisations.count": ("社会组织数", "服务本社区的社会组织数量。"),
    "organisations.social_workers_per_org": ("每个组织社工数", "全额资助时每个组织的社工人数。"),
    "organisations.leader_active_prob": ("负责人行动概率", "组织负责人在紧急情况中采取行动的概率。"),
    "organisations.follow_share": ("自发行动比例", "负责人不作为时仍然行动的员工比例。"),
    "organisations.funding": ("资助水平", "资助下降前购买服务资金占全额的比例。"),
    "organisations.funding_drop_day": ("资助下降日", "资助下降的日子。"),
    "organisations.funding_after_drop": ("下降后资助", "资助下降后占全额的比例，保留的员工随之缩减。"),
    "organisations.integration": ("三社整合度",
                                  "三社整合度（0-1）：社区与社工共同管理的困难户比例（共享名册、转介即被接受并按需排序、"
                                  "无摩擦）；其余转介来自体系外，排在居民来电之后，每次耗费（1-整合度）×摩擦小时。"),
    "organisations.screens_per_worker": ("每人每日筛查户数", "每位社工每天计划（电话）筛查的户数，以其时间为限。"),
    "organisations.hours_per_day": ("社工每天工作时间（小时）",
                                    "每位社工每天的工作小时：预约的心理辅导之外，用于筛查和评估。"),
    "organisations.screen_hours": ("每次筛查电话时长（小时）", "社工打一次筛查电话所需小时。"),
    "organisations.counselling_hours": ("社工每天辅导时间上限（小时）",
                                        "每位社工每天用于心理辅导的最多小时数（筛查后剩余时间中），"
                                        "其余时间用于评估和链接资源。"),
    "organisations.assess_hours": ("评估一户所需时间（小时）",
                                   "社工评估一户已筛查家庭的未满足需求并转介（给干部，危机转给远程心理服务）"
                                   "所需小时。"),
    "organisations.friction_hours": ("处理一次体系外转介（干部小时）",
                                     "整合度为0时干部处理一次体系外社工转介所需小时"
                                     "（从居民来电后剩余的接报时间中扣除）。"),
    "prices.cap": ("限价", "价格稳定：价格指数不得高于此值（0为不设上限，否则至少为1）。"),
    "external.approval_days": ("捐赠物资审批天数",
                               "捐赠的一批物资（爱心菜、防护用品）在门口等待盖章审批的天数（核对捐赠方和物资）。"),
    "external.approval_hours": ("审批一批捐赠所需时间（干部小时）",
                                "网格本社区干部审批一批捐赠物资所需的工时；当天工时已被门岗和接电话占满时，"
                                "物资继续在门口等待。"),
    "external.cadres_step_in": ("团购延误时干部代购", "住户的团购菜超过承诺日期未到或家中断粮时，由干部为其代购送菜。"),
    "external.deliveries_days": ("每日供货量（天）",
                                 "每天运到社区供货商的食品，以社区食品需求的天数计，不超过库存上限。"),
    "external.neighbour_order_rate": ("邻居代下单率",
                                      "不上网的住户到了补货点、又没有团长代下单时，"
                                      "上网的邻居替其下单的日发生率（按信任加权的关系数计）。"),
    "external.organiser_reach": ("团长代下单覆盖率",
                                 "有团长的楼栋中，团长列入名单、每轮打电话或上门替其下单的不上网住户比例。"),
    "external.proxy_order_hours": ("代下一单所需时间（小时）", "团长或邻居替一户不上网住户下一次单所花的工时。"),
    "external.stock_days": ("供货商库存（天）",
                            "社区供货商可调用的食品（全市库存中本社区的份额），以社区食品需求的天数计，也是库存上限。"),
    "external.subsidised_pack_days": ("平价菜包可吃天数", "一个平价菜包够平均规模家庭吃的天数（按户规模折算）。"),
    "external.subsidised_per_1000": ("平价菜包数（每千户）", "每个发放日每千户分到的平价菜包数；每户每天最多一包。"),
    "external.subsidised_price": ("平价菜包价格（元）", "平价菜包的价格，不随物价指数变动。"),
    "internal.leader_example": ("楼栋长示范作用",
                                "楼栋长给本楼居民的示范：居民决定是否当志愿者时，"
                                "在其关系中志愿者所占比例之上再加这一值。"),
    "volunteers.approval_days": ("审核所需天数",
                                 "从报名到身份和健康核查结果返回、协调员可以批准或拒绝的天数；审核通过者次日上岗。"),
    "volunteers.conflict_hours": ("化解一次矛盾所需时间（小时）", "协调员化解一次志愿者矛盾所需的工时。"),
    "volunteers.doorstep_visits": ("每日上门探访户数",
                                   "每名普通志愿者每天在出发办事前，轮流上门查看的本网格不上网住户数；"
                                   "发现的需求会上报（0：不探访）。"),
    "volunteers.drive_days": ("招募持续天数", "从招募日起，报名陆续到达的天数。"),
    "volunteers.first_day_share": ("首日报名比例", "招募首日到达的报名比例；其余在招募期其他日子平均到达。"),
    "volunteers.incentive_attrition": ("激励下的流失比例", "有激励机制时，志愿者流失率保留的比例。"),
    "volunteers.referred_unsuitable_share": ("推荐报名者不合格比例",
                                             "经推荐招募的报名者中审核不通过的比例（有推荐人担保）。"),
    "volunteers.unsuitable_share": ("公开报名者不合格比例",
                                    "公开招募的报名者中审核不通过的比例（健康、年龄或联系不上等原因）。"),
    "volunteers.visit_hours": ("每次上门探访时间（小时）", "志愿者一次上门探访所需的工时。"),
}


def t(key: str, **values) -> str:
    """The text `key` in the session's language, with `{placeholders}` filled from `values`."""
    text = TEXT[key][language.value]
    return text.format(**values) if values else text


def scenario_name(label: str) -> str:
    """A scenario's name for people: a preset's in the session's language; an edited one ("three_social*2", as
    Explore labels it) as its preset's with the number of the edit; any other (an uploaded file's) as written."""
    base, _, number = label.partition("*")
    if base in SCENARIO_NAMES:
        name = SCENARIO_NAMES[base][language.value]
        return t("edited_name", name=name, number=number) if number else name
    return label


def phase_name(name: str) -> str:
    """A phase's name: translated for the default schedule's phases, as written in the file otherwise."""
    key = f"phase_{name}"
    return t(key) if key in TEXT else name


def preset_line(name: str) -> str:
    """One line on a preset, or "" for a scenario that is not one."""
    return PRESETS[name][language.value] if name in PRESETS else ""


def section_name(section: str) -> str:
    return SECTIONS[section][language.value]


def field_name(key: str, english: str = "") -> str:
    """A lever's label in the session's language."""
    return FIELDS[key][0] if language.value == "zh" else FIELD_NAMES_EN.get(key, english)


def field_tip(key: str, english: str) -> str:
    """A lever's tooltip: what it means (Chinese, or the schema's English description made plain text: field names
    in backticks become their labels, and a Chinese gloss is left to the Chinese page)."""
    if language.value == "zh":
        return FIELDS[key][1]
    return plain(english, key.rpartition(".")[0])


def plain(english: str, section: str = "") -> str:
    """The schema's English made plain text for the page: field names in backticks become their labels, and a
    Chinese gloss in brackets is left to the Chinese page."""

    def label(match: re.Match) -> str:
        name = match.group(1)
        full = name if "." in name or not section else f"{section}.{name}"
        return f"'{FIELD_NAMES_EN[full]}'" if full in FIELD_NAMES_EN else \
            f"'{OPTIONS[name][1]}'" if name in OPTIONS else name

    text = re.sub(r"`([^`]+)`", label, english)
    text = re.sub(r"\s*[(（][^()（）]*[\u4e00-\u9fff][^()（）]*[)）]", "", text)
    return re.sub(r"[\u4e00-\u9fff]+", "", text)


def option_name(option: str) -> str:
    """A lever's choice ("need") in the session's language."""
    return OPTIONS[option][0 if language.value == "zh" else 1] if option in OPTIONS else option


#: The internal notes a schema source cites, as a reader of the page knows them.
SOURCE_NAMES = (("domain-facts", "calibration facts"), ("domain.md", "first-hand accounts"),
                ("model-spec", "model specification"), ("the model requirements", "the model's requirements"),
                ("the source panel Timeline", "the sources' timeline"), ("sources Timeline", "the sources' timeline"),
                ("the source panel", "the sources"))


def source_text(source: str) -> str:
    """Where a lever's value comes from, for its tooltip: an assumption (with its plausible range) or the accounts
    and facts the model was calibrated on."""
    if language.value == "zh":
        assumed = re.match(r"assumed,?\s*([0-9.]+\s*-\s*[0-9.]+)?", source)
        if assumed:
            span = assumed.group(1)
            return t("source_assumed_range", span=span.replace(" ", "").replace("-", "–")) if span \
                else t("source_assumed")
        return t("source_accounts")
    for internal, shown in SOURCE_NAMES:
        source = source.replace(internal, shown)
    return plain(source)
