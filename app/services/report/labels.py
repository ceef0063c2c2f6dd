"""English and Korean text of the weekly workbook: sheet names, headers, labels. No Qt.

The workbook is written by a service that also runs headless (CLI), so its text lives in
this small table rather than in Qt's translation files. Sheet names stay within Excel's
31 characters and avoid []:*?/\\.
"""

from __future__ import annotations

LANGS = ("en", "ko")

TEXT: dict[str, tuple[str, str]] = {
    # sheet names
    "sheet.summary": ("Summary", "요약"),
    "sheet.pipeline": ("Pipeline by stage", "단계별 파이프라인"),
    "sheet.open": ("Open deals", "진행 중 영업기회"),
    "sheet.moves": ("Stage moves this week", "이번 주 단계 이동"),
    "sheet.closed": ("Won and lost this week", "이번 주 수주·실주"),
    "sheet.slipping": ("Slipping deals", "일정 지연 영업기회"),
    "sheet.at_risk": ("At-risk deals", "위험 영업기회"),
    "sheet.forecast": ("Forecast by month", "월별 예측"),
    "sheet.dwell": ("Dwell time by stage", "단계별 체류 기간"),
    "sheet.activities": ("Activities", "활동"),
    # titles
    "title.report": ("Weekly pipeline report", "주간 파이프라인 보고서"),
    "title.subtitle": ("Week {week}: {start} to {end}", "{week} 주: {start} ~ {end}"),
    "title.period": ("Period {start} to {end}", "기간 {start} ~ {end}"),
    "title.owner": ("Owner: {owner}", "담당 영업: {owner}"),
    "title.all_owners": ("All owners", "담당 영업 전체"),
    "title.generated": ("Generated {at}", "작성 {at}"),
    "title.kpis": ("Key figures", "주요 지표"),
    "title.changes": ("Moves since last week ({currency} deals)", "지난주 이후 이동 ({currency} 영업기회)"),
    "title.open_as_of_history": ("Open deals, pipeline and velocity: at the end of each week, from the stage "
                                 "history (amounts as they are today).",
                                 "진행 중 영업기회, 파이프라인, 파이프라인 속도: 각 주 말 기준, 단계 이력으로 계산 (금액은 오늘 기준)."),
    "title.open_as_of_today": ("Open deals, pipeline and velocity: this week as of today (the week is not "
                               "over), last week at its end, from the stage history.",
                               "진행 중 영업기회, 파이프라인, 파이프라인 속도: 이번 주는 오늘 기준 (주가 끝나지 않음), 지난주는 "
                               "주 말 기준 (단계 이력)."),
    "title.bridge": ("Open pipeline, last week to this week ({currency} deals)",
                     "진행 중 파이프라인: 지난주 → 이번 주 ({currency} 영업기회)"),
    "title.bridge_deals": ("Deals behind each change", "변동별 영업기회"),
    "title.as_of_week_end": ("Open deals at the end of the week ({at}), from the stage history; amounts as "
                             "they are today",
                             "주 말({at}) 기준 진행 중 영업기회, 단계 이력으로 계산; 금액은 오늘 기준"),
    "title.as_of_today": ("As of today ({at})", "오늘 기준 ({at})"),
    "title.as_of_today_past": ("As of today ({at}), not at the end of the week", "주 말이 아닌 오늘 기준 ({at})"),
    "bridge.start": ("Open at the end of last week ({at})", "지난주 말 진행 중 ({at})"),
    "bridge.end": ("Open at the end of this week ({at})", "이번 주 말 진행 중 ({at})"),
    "bridge.now": ("Open now ({at})", "현재 진행 중 ({at})"),
    "bridge.new": ("New deals", "신규 영업기회"),
    "bridge.won": ("Won", "수주"),
    "bridge.lost": ("Lost", "실주"),
    "bridge.other": ("Reopened and other", "재개 및 기타"),
    "bridge.none": ("No deal changed the open pipeline.", "진행 중 파이프라인을 바꾼 영업기회가 없습니다."),
    "change.new": ("New deal", "신규 영업기회"),
    "change.won": ("Won", "수주"),
    "change.lost": ("Lost", "실주"),
    "change.other": ("Reopened or other", "재개 또는 기타"),
    "unit.pp": (" pp", "%p"),
    "title.currency_note": ("Key figures, forecast and slipping deals count {currency} deals; the other "
                            "lists show every currency, with a total per currency.",
                            "주요 지표, 예측, 일정 지연 영업기회는 {currency} 영업기회 기준이며, 다른 목록은 모든 통화를 "
                            "통화별 합계와 함께 표시합니다."),
    "title.forecast_chart": ("Forecast by month", "월별 예측"),
    "title.dwell_chart": ("Median days in stage", "단계별 체류 일수 (중앙값)"),
    "axis.days": ("Days", "일"),
    "axis.amount": ("Amount", "금액"),
    "axis.unit": ("{currency}, {unit}", "{currency}, {unit}"),
    "unit.billions": ("billions", "십억"),
    "unit.millions": ("millions", "백만"),
    "unit.thousands": ("thousands", "천"),
    "unit.eok": ("hundred millions", "억"),
    "unit.man": ("ten thousands", "만"),
    "title.chart_data": ("Chart figures ({unit})", "차트 수치 ({unit})"),
    # common headers
    "col.metric": ("Metric", "지표"),
    "col.kpi": ("Key figure ({currency} deals)", "주요 지표 ({currency} 영업기회)"),
    "col.this_week": ("This week", "이번 주"),
    "col.last_week": ("Last week", "지난주"),
    "col.change": ("Change", "변화"),
    "col.stage_no": ("#", "#"),
    "col.stage": ("Stage", "단계"),
    "col.probability": ("Probability", "확률"),
    "col.deals": ("Deals", "영업기회 수"),
    "col.amount": ("Amount", "금액"),
    "col.weighted": ("Weighted", "가중 금액"),
    "col.currency": ("Currency", "통화"),
    "col.owner": ("Owner", "담당 영업"),
    "col.account": ("Account", "고객사"),
    "col.deal": ("Deal", "영업기회"),
    "col.expected_close": ("Expected close", "예상 계약일"),
    "col.days_in_stage": ("Days in stage", "단계 체류 일수"),
    "col.checklist": ("Checklist", "체크리스트"),
    "col.pushes": ("Close date pushes", "계약일 연기 횟수"),
    "col.at_risk": ("At risk", "위험"),
    "col.from": ("From", "이전 단계"),
    "col.to": ("To", "다음 단계"),
    "col.when": ("When", "일시"),
    "col.who": ("Who", "처리자"),
    "col.kind": ("Kind", "종류"),
    "col.reason": ("Reason", "사유"),
    "col.override_reason": ("Gate override reason", "게이트 예외 승인 사유"),
    "col.result": ("Result", "결과"),
    "col.closed_at": ("Closed", "종료일"),
    "col.days_pushed": ("Days pushed", "연기 일수"),
    "col.last_pushed": ("Last pushed", "최근 연기일"),
    "col.pushed_this_week": ("Pushed this week", "이번 주 연기"),
    "col.threshold": ("Risk threshold (days)", "위험 기준 (일)"),
    "col.days_over": ("Days over", "초과 일수"),
    "col.month": ("Month", "월"),
    "col.won": ("Won", "수주"),
    "col.commit": ("Commit", "확정"),
    "col.best_case": ("Best case", "최상의 경우"),
    "col.pipeline": ("Pipeline", "파이프라인"),
    "col.weighted_forecast": ("Weighted", "가중 예측"),
    "col.historical": ("Historical", "과거 실적 기반"),
    "col.target": ("Target", "목표"),
    "col.coverage": ("Coverage", "커버리지"),
    "col.won_median": ("Won: median days", "수주: 중앙값(일)"),
    "col.lost_median": ("Lost: median days", "실주: 중앙값(일)"),
    "col.open_median": ("Open: median days", "진행 중: 중앙값(일)"),
    "col.won_count": ("Won: visits", "수주: 건수"),
    "col.lost_count": ("Lost: visits", "실주: 건수"),
    "col.open_count": ("Open: visits", "진행 중: 건수"),
    "col.won_p75": ("Won: 75th pct.", "수주: 75분위"),
    "col.lost_p75": ("Lost: 75th pct.", "실주: 75분위"),
    "col.lost_won_ratio": ("Lost/won ratio", "실주/수주 비율"),
    "col.status": ("Status", "상태"),
    "col.type": ("Type", "유형"),
    "col.subject": ("Subject", "제목"),
    "col.due": ("Due", "기한"),
    "col.done": ("Done", "완료"),
    "col.notes": ("Notes", "메모"),
    "col.total": ("Total", "합계"),
    "col.total_won": ("Total won", "수주 합계"),
    "col.total_lost": ("Total lost", "실주 합계"),
    "col.open_pipeline": ("Open pipeline", "진행 중 파이프라인"),
    "col.effect": ("Effect on amount", "금액 영향"),
    "col.effect_deals": ("Effect on deals", "영업기회 수 영향"),
    # KPI names
    "kpi.win_rate": ("Win rate", "수주율"),
    "kpi.avg_won_size": ("Average won deal size", "평균 수주 금액"),
    "kpi.cycle_days": ("Sales cycle (days)", "영업 주기 (일)"),
    "kpi.velocity": ("Pipeline velocity (per day)", "파이프라인 속도 (일당)"),
    "kpi.new_deals": ("New deals", "신규 영업기회"),
    "kpi.won_revenue": ("Won revenue", "수주 매출"),
    "kpi.won_count": ("Deals won", "수주 건수"),
    "kpi.lost_count": ("Deals lost", "실주 건수"),
    "kpi.open_count": ("Open deals", "진행 중 영업기회"),
    "kpi.open_pipeline": ("Open pipeline", "진행 중 파이프라인"),
    # what changed
    "chg.new": ("New deals", "신규 영업기회"),
    "chg.forward": ("Moved forward", "진행"),
    "chg.backward": ("Moved back", "되돌림"),
    "chg.won": ("Won", "수주"),
    "chg.lost": ("Lost", "실주"),
    "chg.reopened": ("Reopened", "재개"),
    "chg.pushed": ("Close dates pushed", "계약일 연기"),
    "chg.overrides": ("Gate overrides", "게이트 예외 승인"),
    # values
    "yes": ("Yes", "예"),
    "no": ("No", "아니요"),
    "status.won": ("Won", "수주"),
    "status.lost": ("Lost", "실주"),
    "status.open": ("Open", "진행 중"),
    "act.done": ("Done this week", "이번 주 완료"),
    "act.overdue": ("Overdue", "기한 초과"),
    "kind.created": ("Created", "생성"),
    "kind.forward": ("Forward", "진행"),
    "kind.backward": ("Back", "되돌림"),
    "kind.won": ("Won", "수주"),
    "kind.lost": ("Lost", "실주"),
    "kind.reopened": ("Reopened", "재개"),
    "kind.imported": ("Imported", "가져옴"),
    # the reasons the program writes itself (history.system_reason); English: as stored
    "reason.undo_move": ("Undo of {kind} move", "{kind} 이동 실행 취소"),
    "reason.undo_reopen": ("Undo of reopen", "재개 실행 취소"),
    "type.call": ("Call", "통화"),
    "type.meeting": ("Meeting", "미팅"),
    "type.email": ("Email", "이메일"),
    "type.task": ("Task", "할 일"),
    "type.note": ("Note", "메모"),
}


def text(key: str, lang: str = "en", **kw) -> str:
    """The text for ``key`` in ``lang`` ("en" or "ko"), formatted with ``kw``."""
    en, ko = TEXT[key]
    s = ko if lang == "ko" else en
    return s.format(**kw) if kw else s


def check_sheet_names() -> list[str]:
    """Problems with the sheet names of the table (empty when all are valid Excel names)."""
    bad = []
    for key, pair in TEXT.items():
        if not key.startswith("sheet."):
            continue
        for name in pair:
            if len(name) > 31 or any(c in name for c in "[]:*?/\\"):
                bad.append(name)
    return bad
