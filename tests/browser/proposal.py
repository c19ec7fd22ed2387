"""The `improvement_proposal` definition of docs/workflow-format.md, as an admin would type it."""

PROPOSAL = """\
name: improvement_proposal
title: {zh: 改进提案（渠道创新基金）, en: Improvement proposal (channel innovation fund)}
subject: channel
start: [role:channel_manager, admin]
fields:
  summary: {type: string, required: true, title: {zh: 提案摘要, en: Summary}}
  budget: {type: number, required: true, title: {zh: 申请金额（元）, en: Budget (CNY)}}
  category: {type: string, enum: [process, product, marketing, digital], default: process}
  owner: {type: string, title: {zh: 实施负责人（登录名）, en: Owner (login)}}
states:
  - name: submitted
    title: {zh: 已提交, en: Submitted}
    initial: true
    tasks:
      - name: evaluation
        title: {zh: 部门评估, en: Department evaluation}
        groups: [market, sales, finance]
        policy: 2
        requester_may_not_decide: true
        due: 5 working days
        decisions: [approve, reject]
        outcomes: {approve: evaluate, reject: decline}
  - name: evaluated
    title: {zh: 已评估, en: Evaluated}
    timers:
      - {name: funding_window, after: 30 days, fire: lapse}
  - name: funded
    title: {zh: 已拨款, en: Funded}
  - name: reviewed
    title: {zh: 已复盘, en: Reviewed}
    final: true
  - name: declined
    title: {zh: 未通过, en: Declined}
    final: true
transitions:
  - {trigger: evaluate, source: submitted, dest: evaluated, title: {zh: 评估通过, en: Evaluated}}
  - {trigger: decline, source: submitted, dest: declined, title: {zh: 评估未通过, en: Declined}}
  - {trigger: lapse, source: evaluated, dest: declined, title: {zh: 逾期未拨款, en: Lapsed}}
  - trigger: fund
    source: evaluated
    dest: funded
    title: {zh: 拨款, en: Fund}
    allowed: [requester, group:committee]
  - {trigger: review, source: funded, dest: reviewed, allowed: [group:committee],
     title: {zh: 复盘完成, en: Review done}}
sla:
  - name: funding_decision
    title: {zh: 拨款决定, en: Funding decision}
    start: [submitted]
    stop: [funded]
    goal: 15 working days
"""
FIXED_LINE = "    dest: funded"
BROKEN_LINE = "    dest: fundd"
BROKEN = PROPOSAL.replace(FIXED_LINE, BROKEN_LINE)
BROKEN_AT = PROPOSAL.splitlines().index(FIXED_LINE) + 1
