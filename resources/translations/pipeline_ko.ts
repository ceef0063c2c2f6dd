<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
    <context>
        <name>ActivitiesView</name>
        <message>
            <source>Overdue</source>
            <translation>기한 초과</translation>
        </message>
        <message>
            <source>Today</source>
            <translation>오늘</translation>
        </message>
        <message>
            <source>Upcoming</source>
            <translation>예정</translation>
        </message>
        <message>
            <source>No due date</source>
            <translation>기한 없음</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>완료</translation>
        </message>
        <message>
            <source>When</source>
            <translation>구분</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>기한</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>유형</translation>
        </message>
        <message>
            <source>Subject</source>
            <translation>제목</translation>
        </message>
        <message>
            <source>Deal</source>
            <translation>영업기회</translation>
        </message>
        <message>
            <source>All types</source>
            <translation>모든 유형</translation>
        </message>
        <message>
            <source>&amp;Type:</source>
            <translation>유형(&amp;T):</translation>
        </message>
        <message>
            <source>Show &amp;done</source>
            <translation>완료 항목 표시(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;Mark done</source>
            <translation>완료 처리(&amp;M)</translation>
        </message>
        <message>
            <source>&amp;Open deal</source>
            <translation>영업기회 열기(&amp;O)</translation>
        </message>
        <message>
            <source>&amp;Log activity…</source>
            <translation>활동 기록(&amp;L)…</translation>
        </message>
        <message>
            <source>Overdue: %1 · Today: %2 · Upcoming: %3</source>
            <translation>기한 초과 %1건 · 오늘 %2건 · 예정 %3건</translation>
        </message>
        <message>
            <source>Mark done</source>
            <translation>완료 처리</translation>
        </message>
    </context>
    <context>
        <name>ActivityType</name>
        <message>
            <source>Call</source>
            <translation>통화</translation>
        </message>
        <message>
            <source>Meeting</source>
            <translation>미팅</translation>
        </message>
        <message>
            <source>Email</source>
            <translation>이메일</translation>
        </message>
        <message>
            <source>Task</source>
            <translation>할 일</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>메모</translation>
        </message>
    </context>
    <context>
        <name>Channel</name>
        <message>
            <source>Inbound</source>
            <translation>인바운드</translation>
        </message>
        <message>
            <source>Outbound</source>
            <translation>아웃바운드</translation>
        </message>
        <message>
            <source>Paid</source>
            <translation>유료 광고</translation>
        </message>
        <message>
            <source>Partner</source>
            <translation>파트너</translation>
        </message>
        <message>
            <source>Referral</source>
            <translation>추천</translation>
        </message>
        <message>
            <source>Events</source>
            <translation>행사</translation>
        </message>
        <message>
            <source>Email</source>
            <translation>이메일</translation>
        </message>
        <message>
            <source>Social</source>
            <translation>소셜</translation>
        </message>
        <message>
            <source>Organic</source>
            <translation>자연 유입</translation>
        </message>
    </context>
    <context>
        <name>ChartPanel</name>
        <message>
            <source>Save as PNG…</source>
            <translation>PNG로 저장…</translation>
        </message>
        <message>
            <source>Save this chart as a PNG image</source>
            <translation>이 차트를 PNG 이미지로 저장합니다</translation>
        </message>
        <message>
            <source>Save chart</source>
            <translation>차트 저장</translation>
        </message>
        <message>
            <source>PNG images (*.png)</source>
            <translation>PNG 이미지 (*.png)</translation>
        </message>
    </context>
    <context>
        <name>ConflictsDialog</name>
        <message>
            <source>Sync conflicts</source>
            <translation>동기화 충돌</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>변경 내용</translation>
        </message>
        <message>
            <source>Why</source>
            <translation>사유</translation>
        </message>
        <message>
            <source>Yours</source>
            <translation>내 변경</translation>
        </message>
        <message>
            <source>On the server</source>
            <translation>서버 데이터</translation>
        </message>
        <message>
            <source>Retry</source>
            <translation>다시 시도</translation>
        </message>
        <message>
            <source>Discard</source>
            <translation>폐기</translation>
        </message>
        <message>
            <source>Move</source>
            <translation>이동</translation>
        </message>
        <message>
            <source>New deal</source>
            <translation>신규 영업기회</translation>
        </message>
        <message>
            <source>Edit</source>
            <translation>편집</translation>
        </message>
        <message>
            <source>Close date</source>
            <translation>예상 계약일</translation>
        </message>
        <message>
            <source>Activity</source>
            <translation>활동</translation>
        </message>
        <message>
            <source>Activity done</source>
            <translation>활동 완료</translation>
        </message>
        <message>
            <source>Evidence</source>
            <translation>증빙</translation>
        </message>
        <message>
            <source>Evidence withdrawn</source>
            <translation>증빙 철회</translation>
        </message>
        <message>
            <source>Undo of a move</source>
            <translation>이동 실행 취소</translation>
        </message>
        <message>
            <source>New account</source>
            <translation>새 고객사</translation>
        </message>
        <message>
            <source>New contact</source>
            <translation>새 고객 담당자</translation>
        </message>
        <message>
            <source>New lead source</source>
            <translation>새 리드 출처</translation>
        </message>
        <message>
            <source>to stage {0}</source>
            <translation>{0}단계로</translation>
        </message>
        <message>
            <source>(made on version {0})</source>
            <translation>(버전 {0} 기준 변경)</translation>
        </message>
        <message>
            <source>The deal changed on the server after you made this change.</source>
            <translation>이 변경을 한 뒤에 서버에서 영업기회가 바뀌었습니다.</translation>
        </message>
        <message>
            <source>The stage gate is not met on the server; missing:</source>
            <translation>서버에서 단계 게이트 조건이 충족되지 않습니다. 누락:</translation>
        </message>
        <message>
            <source>“{0}”
stage {1}, {2}, version {3}</source>
            <translation>“{0}”
{1}단계, {2}, 버전 {3}</translation>
        </message>
        <message>
            <source>(not on the server)</source>
            <translation>(서버에 없음)</translation>
        </message>
    </context>
    <context>
        <name>DashboardWidget</name>
        <message>
            <source>Period</source>
            <translation>기간</translation>
        </message>
        <message>
            <source>–</source>
            <comment>between the first and last day of the period</comment>
            <translation>~</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>담당 영업</translation>
        </message>
        <message>
            <source>Lead source</source>
            <translation>리드 출처</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>새로 고침</translation>
        </message>
        <message>
            <source>This month</source>
            <translation>이번 달</translation>
        </message>
        <message>
            <source>This quarter</source>
            <translation>이번 분기</translation>
        </message>
        <message>
            <source>This year</source>
            <translation>올해</translation>
        </message>
        <message>
            <source>Custom</source>
            <translation>직접 지정</translation>
        </message>
        <message>
            <source>Everyone</source>
            <translation>전체</translation>
        </message>
        <message>
            <source>All sources</source>
            <translation>모든 출처</translation>
        </message>
        <message>
            <source>Win rate</source>
            <translation>수주율</translation>
        </message>
        <message>
            <source>Average won deal</source>
            <translation>평균 수주 금액</translation>
        </message>
        <message>
            <source>Sales cycle</source>
            <translation>영업 주기</translation>
        </message>
        <message>
            <source>Pipeline velocity</source>
            <translation>파이프라인 속도</translation>
        </message>
        <message>
            <source>New deals</source>
            <translation>신규 영업기회</translation>
        </message>
        <message>
            <source>Won revenue</source>
            <translation>수주 매출</translation>
        </message>
        <message>
            <source>MQL → SQL</source>
            <translation>MQL → SQL 전환율</translation>
        </message>
        <message>
            <source>Customer acquisition cost</source>
            <translation>고객 획득 비용</translation>
        </message>
        <message>
            <source>Marketing ROI</source>
            <translation>마케팅 ROI</translation>
        </message>
        <message>
            <source>Days in stage (median): won, lost, open</source>
            <translation>단계별 체류 일수(중앙값): 수주, 실주, 진행 중</translation>
        </message>
        <message>
            <source>Funnel: deals that reached each stage</source>
            <translation>퍼널: 단계별 도달 영업기회</translation>
        </message>
        <message>
            <source>Forecast by month of expected close</source>
            <translation>예상 계약월별 예측</translation>
        </message>
        <message>
            <source>Close-date pushes per week</source>
            <translation>주별 계약일 연기 건수</translation>
        </message>
        <message>
            <source>Updating…</source>
            <translation>업데이트 중…</translation>
        </message>
        <message>
            <source>Could not compute the dashboard: %1</source>
            <translation>대시보드를 계산하지 못했습니다: %1</translation>
        </message>
        <message>
            <source>Updated %1</source>
            <comment>status line: the time the figures were computed</comment>
            <translation>%1 업데이트</translation>
        </message>
        <message>
            <source>%1 days</source>
            <translation>%1일</translation>
        </message>
        <message>
            <source>%1/day</source>
            <translation>%1/일</translation>
        </message>
        <message>
            <source>same as previous period</source>
            <translation>이전 기간과 동일</translation>
        </message>
        <message>
            <source>%1 pp</source>
            <translation>%1%p</translation>
        </message>
        <message>
            <source>Previous period: %1 – %2</source>
            <translation>이전 기간: %1 ~ %2</translation>
        </message>
        <message>
            <source>No stage visits in this period</source>
            <translation>이 기간에 단계 체류 기록이 없습니다</translation>
        </message>
        <message>
            <source>Won</source>
            <translation>수주</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>실주</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>진행 중</translation>
        </message>
        <message>
            <source>%1 · %2
median %3, mean %4, 75th percentile %5
%6 deal(s)</source>
            <translation>%1 · %2
중앙값 %3, 평균 %4, 75번째 백분위 %5
영업기회 %6건</translation>
        </message>
        <message>
            <source>lost/won ratio %1</source>
            <translation>실주/수주 비율 %1</translation>
        </message>
        <message>
            <source>At risk above %1 × median won</source>
            <translation>수주 중앙값의 %1배 초과 시 위험</translation>
        </message>
        <message>
            <source>No deals created in this period</source>
            <translation>이 기간에 생성된 영업기회가 없습니다</translation>
        </message>
        <message>
            <source>%1
reached: %2
went on: %3 (%4)</source>
            <translation>%1
도달: %2
다음 단계 진행: %3 (%4)</translation>
        </message>
        <message>
            <source>(%1 went on)</source>
            <translation>(%1 진행)</translation>
        </message>
        <message>
            <source>Funnel: deals created in the period that reached each stage · lead to won %1</source>
            <translation>퍼널: 기간 내 생성된 영업기회의 단계별 도달 · 리드→수주 %1</translation>
        </message>
        <message>
            <source>No expected close dates in this period</source>
            <translation>이 기간에 예상 계약일이 없습니다</translation>
        </message>
        <message>
            <source>Commit</source>
            <translation>확정</translation>
        </message>
        <message>
            <source>Best case</source>
            <translation>최상의 경우</translation>
        </message>
        <message>
            <source>Pipeline</source>
            <translation>파이프라인</translation>
        </message>
        <message>
            <source>%1 · %2: %3
weighted %4 · historical %5
target %6 · coverage %7</source>
            <translation>%1 · %2: %3
가중 %4 · 과거 실적 기준 %5
목표 %6 · 커버리지 %7</translation>
        </message>
        <message>
            <source>Target</source>
            <translation>목표</translation>
        </message>
        <message>
            <source>No close dates pushed in this period</source>
            <translation>이 기간에 연기된 계약일이 없습니다</translation>
        </message>
        <message numerus="yes">
            <source>Week of %1: %n push(es)</source>
            <translation>
                <numerusform>%1 주: 연기 %n건</numerusform>
            </translation>
        </message>
        <message>
            <source>Close-date pushes per week · %1 deal(s) pushed twice or more, %2 this week</source>
            <translation>주별 계약일 연기 · 2회 이상 연기된 영업기회 %1건, 이번 주 %2건</translation>
        </message>
        <message>
            <source>won</source>
            <translation>수주</translation>
        </message>
        <message>
            <source>lost</source>
            <translation>실주</translation>
        </message>
        <message>
            <source>open</source>
            <translation>진행 중</translation>
        </message>
        <message>
            <source>%1: %2 deals</source>
            <translation>%1: 영업기회 %2건</translation>
        </message>
        <message>
            <source>Deals that reached %1</source>
            <translation>%1 단계에 도달한 영업기회</translation>
        </message>
        <message>
            <source>Deals pushed in the week of %1</source>
            <translation>%1 주에 계약일이 연기된 영업기회</translation>
        </message>
        <message>
            <source>Deals</source>
            <translation>영업기회</translation>
        </message>
    </context>
    <context>
        <name>DealDialog</name>
        <message>
            <source>&amp;Title:</source>
            <translation>제목(&amp;T):</translation>
        </message>
        <message>
            <source>&amp;Account:</source>
            <translation>고객사(&amp;A):</translation>
        </message>
        <message>
            <source>&amp;Contact:</source>
            <translation>고객 담당자(&amp;C):</translation>
        </message>
        <message>
            <source>&amp;Owner:</source>
            <translation>담당 영업(&amp;O):</translation>
        </message>
        <message>
            <source>A&amp;mount:</source>
            <translation>금액(&amp;M):</translation>
        </message>
        <message>
            <source>E&amp;xpected close:</source>
            <translation>예상 계약일(&amp;X):</translation>
        </message>
        <message>
            <source>&amp;Forecast category:</source>
            <translation>예측 범주(&amp;F):</translation>
        </message>
        <message>
            <source>&amp;Lead source:</source>
            <translation>리드 출처(&amp;L):</translation>
        </message>
        <message>
            <source>Cam&amp;paign:</source>
            <translation>캠페인(&amp;P):</translation>
        </message>
        <message>
            <source>&amp;Description:</source>
            <translation>설명(&amp;D):</translation>
        </message>
        <message>
            <source>No date</source>
            <translation>날짜 없음</translation>
        </message>
        <message>
            <source>&amp;Save</source>
            <translation>저장(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Revert</source>
            <translation>되돌리기(&amp;R)</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>닫기</translation>
        </message>
        <message>
            <source>Exit checklist</source>
            <translation>단계 완료 체크리스트</translation>
        </message>
        <message>
            <source>History</source>
            <translation>이력</translation>
        </message>
        <message>
            <source>Activities</source>
            <translation>활동</translation>
        </message>
        <message>
            <source>Satisfy…</source>
            <translation>충족 기록…</translation>
        </message>
        <message>
            <source>Withdraw evidence</source>
            <translation>증빙 철회</translation>
        </message>
        <message>
            <source>Open evidence</source>
            <translation>증빙 열기</translation>
        </message>
        <message>
            <source>Stage history (days spent in each visit)</source>
            <translation>단계 이력 (단계별 체류 일수)</translation>
        </message>
        <message>
            <source>Expected close date changes</source>
            <translation>예상 계약일 변경 이력</translation>
        </message>
        <message>
            <source>Mark done</source>
            <translation>완료 처리</translation>
        </message>
        <message>
            <source>Log an activity:</source>
            <translation>활동 기록:</translation>
        </message>
        <message>
            <source>Subject, then Enter</source>
            <translation>제목 입력 후 Enter</translation>
        </message>
        <message>
            <source>Done now</source>
            <translation>지금 완료</translation>
        </message>
        <message>
            <source>Log</source>
            <translation>기록</translation>
        </message>
        <message>
            <source>Undo</source>
            <translation>실행 취소</translation>
        </message>
        <message>
            <source>Redo</source>
            <translation>다시 실행</translation>
        </message>
        <message>
            <source>Changed by someone else while you were editing; this is their value.</source>
            <translation>편집하는 동안 다른 사용자가 변경한 항목입니다. 그 사용자가 저장한 값입니다.</translation>
        </message>
        <message>
            <source>Changed elsewhere while you were editing; this is the saved value.</source>
            <translation>편집하는 동안 다른 곳에서 변경된 항목입니다. 지금 저장되어 있는 값입니다.</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <translation>%1: %2</translation>
        </message>
        <message>
            <source>Use mine</source>
            <translation>내 값으로 되돌리기</translation>
        </message>
        <message>
            <source>Yours was “%1”.</source>
            <translation>입력하신 값은 “%1”입니다.</translation>
        </message>
        <message>
            <source>Deal: %1</source>
            <translation>영업기회: %1</translation>
        </message>
        <message>
            <source>%1 days in stage</source>
            <translation>현 단계 %1일째</translation>
        </message>
        <message>
            <source>checklist %1/%2</source>
            <translation>체크리스트 %1/%2</translation>
        </message>
        <message>
            <source>owner %1</source>
            <translation>담당 %1</translation>
        </message>
        <message>
            <source>close date slipped</source>
            <translation>계약일 지연</translation>
        </message>
        <message>
            <source>overdue activities</source>
            <translation>기한 초과 활동 있음</translation>
        </message>
        <message>
            <source>What stage %1 needs before the deal can move on:</source>
            <translation>다음 단계로 넘어가기 전에 %1 단계에서 갖춰야 할 요건:</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>(없음)</translation>
        </message>
        <message>
            <source>“%1” was changed by someone else while you were editing: %2. Those fields now show their values (marked in the form); your other changes are kept. Nothing is saved yet: check the form and press Save.</source>
            <translation>편집하는 동안 다른 사용자가 “%1”을(를) 변경했습니다: %2. 해당 항목에는 그 사용자가 저장한 값을 표시하고 양식에 안내를 붙였으며, 나머지 변경 사항은 그대로 남아 있습니다. 아직 저장되지 않았습니다. 양식을 확인한 뒤 저장을 누르세요.</translation>
        </message>
        <message>
            <source>“%1” was changed by someone else while you were editing, but not in the fields you changed. Nothing is saved yet: your changes are still in the form; press Save to save them.</source>
            <translation>편집하는 동안 다른 사용자가 “%1”을(를) 변경했지만, 변경하신 항목은 아닙니다. 아직 저장되지 않았습니다. 변경 사항은 양식에 그대로 있으니 저장을 누르면 저장됩니다.</translation>
        </message>
        <message>
            <source>Changed by someone else</source>
            <translation>다른 사용자가 변경함</translation>
        </message>
        <message>
            <source>Withdraw the evidence for “%1”? The deliverable will count as missing again.</source>
            <translation>“%1”의 증빙을 철회할까요? 해당 요건은 다시 미충족으로 처리됩니다.</translation>
        </message>
        <message>
            <source>Deliverable</source>
            <translation>요건</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>종류</translation>
        </message>
        <message>
            <source>By</source>
            <translation>작성자</translation>
        </message>
        <message>
            <source>When</source>
            <translation>일시</translation>
        </message>
        <message>
            <source>Evidence</source>
            <translation>증빙</translation>
        </message>
        <message>
            <source>Stage</source>
            <translation>단계</translation>
        </message>
        <message>
            <source>Move</source>
            <translation>이동</translation>
        </message>
        <message>
            <source>Entered</source>
            <translation>진입</translation>
        </message>
        <message>
            <source>Left</source>
            <translation>이탈</translation>
        </message>
        <message>
            <source>Days</source>
            <translation>일수</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>사유</translation>
        </message>
        <message>
            <source>Changed</source>
            <translation>변경 일시</translation>
        </message>
        <message>
            <source>From</source>
            <translation>변경 전</translation>
        </message>
        <message>
            <source>To</source>
            <translation>변경 후</translation>
        </message>
        <message>
            <source>Shift</source>
            <translation>변동</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>유형</translation>
        </message>
        <message>
            <source>Subject</source>
            <translation>제목</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>기한</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>완료</translation>
        </message>
        <message>
            <source>Pipeline</source>
            <translation>파이프라인</translation>
        </message>
        <message>
            <source>Best case</source>
            <translation>최상의 경우</translation>
        </message>
        <message>
            <source>Commit</source>
            <translation>확정</translation>
        </message>
        <message>
            <source>Omitted</source>
            <translation>제외</translation>
        </message>
        <message>
            <source>Created</source>
            <translation>생성</translation>
        </message>
        <message>
            <source>Forward</source>
            <translation>진행</translation>
        </message>
        <message>
            <source>Moved back</source>
            <translation>되돌림</translation>
        </message>
        <message>
            <source>Won</source>
            <translation>수주</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>실주</translation>
        </message>
        <message>
            <source>Reopened</source>
            <translation>재개</translation>
        </message>
        <message>
            <source>Imported</source>
            <translation>가져옴</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>진행 중</translation>
        </message>
        <message>
            <source>filled from the deal's fields</source>
            <translation>영업기회 항목으로 충족됨</translation>
        </message>
        <message>
            <source>fill the deal's fields</source>
            <translation>영업기회 항목을 입력하세요</translation>
        </message>
        <message>
            <source>now</source>
            <translation>현재</translation>
        </message>
        <message>
            <source>Override: %1</source>
            <translation>예외 승인: %1</translation>
        </message>
        <message>
            <source>set</source>
            <translation>최초 설정</translation>
        </message>
        <message>
            <source>cleared</source>
            <translation>삭제됨</translation>
        </message>
        <message>
            <source>File: %1</source>
            <translation>파일: %1</translation>
        </message>
        <message>
            <source>Link: %1</source>
            <translation>링크: %1</translation>
        </message>
        <message>
            <source>Confirmation</source>
            <translation>확인</translation>
        </message>
        <message>
            <source>Document</source>
            <translation>문서</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>항목</translation>
        </message>
        <message>
            <source>Activity</source>
            <translation>활동</translation>
        </message>
        <message>
            <source>done activity logged: %1</source>
            <translation>완료된 활동 기록됨: %1</translation>
        </message>
        <message>
            <source>log a done activity: %1</source>
            <translation>완료된 활동을 기록하세요: %1</translation>
        </message>
        <message>
            <source>pushed +%1 d</source>
            <translation>+%1일 연기</translation>
        </message>
        <message>
            <source>pulled in %1 d</source>
            <translation>%1일 앞당김</translation>
        </message>
    </context>
    <context>
        <name>DealListModel</name>
        <message>
            <source>Title</source>
            <translation>제목</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>고객사</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>담당 영업</translation>
        </message>
        <message>
            <source>Stage</source>
            <translation>단계</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>금액</translation>
        </message>
        <message>
            <source>Won</source>
            <translation>수주</translation>
        </message>
        <message>
            <source>Lost (%1)</source>
            <translation>실주 (%1)</translation>
        </message>
    </context>
    <context>
        <name>DrillDownDialog</name>
        <message numerus="yes">
            <source>%n deal(s): double-click one to open it.</source>
            <translation>
                <numerusform>영업기회 %n건: 더블클릭하면 열립니다.</numerusform>
            </translation>
        </message>
        <message>
            <source>Show on board</source>
            <translation>보드에서 보기</translation>
        </message>
    </context>
    <context>
        <name>FirstRunDialog</name>
        <message>
            <source>Welcome to Pipeline Manager</source>
            <translation>Pipeline Manager에 오신 것을 환영합니다</translation>
        </message>
        <message>
            <source>Tell us who you are. Your name is recorded with every move, piece of evidence and activity you log.</source>
            <translation>사용자 정보를 입력해 주세요. 단계 이동, 증빙, 활동을 기록할 때마다 이름이 함께 남습니다.</translation>
        </message>
        <message>
            <source>Your name:</source>
            <translation>이름:</translation>
        </message>
        <message>
            <source>Role:</source>
            <translation>역할:</translation>
        </message>
        <message>
            <source>Language:</source>
            <translation>언어:</translation>
        </message>
        <message>
            <source>Sales rep</source>
            <translation>영업 담당자</translation>
        </message>
        <message>
            <source>Manager (may override stage gates)</source>
            <translation>영업 관리자 (단계 게이트 예외 승인 가능)</translation>
        </message>
        <message>
            <source>Start with</source>
            <translation>시작 방법</translation>
        </message>
        <message>
            <source>Sample data: a B2B company with 600 deals, to look around</source>
            <translation>샘플 데이터: 영업기회 600건이 있는 B2B 회사로 둘러보기</translation>
        </message>
        <message>
            <source>An empty database, for real work</source>
            <translation>빈 데이터베이스로 실제 업무 시작</translation>
        </message>
        <message>
            <source>Please enter your name.</source>
            <translation>이름을 입력해 주세요.</translation>
        </message>
    </context>
    <context>
        <name>LinesModel</name>
        <message>
            <source>Lead source / campaign</source>
            <translation>리드 출처 / 캠페인</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>채널</translation>
        </message>
        <message>
            <source>campaign</source>
            <translation>캠페인</translation>
        </message>
    </context>
    <context>
        <name>LogActivityDialog</name>
        <message>
            <source>Log activity</source>
            <translation>활동 기록</translation>
        </message>
        <message>
            <source>&amp;Type:</source>
            <translation>유형(&amp;T):</translation>
        </message>
        <message>
            <source>&amp;Subject:</source>
            <translation>제목(&amp;S):</translation>
        </message>
        <message>
            <source>What happened, or what is to be done</source>
            <translation>있었던 일 또는 해야 할 일</translation>
        </message>
        <message>
            <source>When:</source>
            <translation>시점:</translation>
        </message>
        <message>
            <source>&amp;Done now</source>
            <translation>지금 완료(&amp;D)</translation>
        </message>
        <message>
            <source>Due date and time</source>
            <translation>기한 날짜와 시간</translation>
        </message>
        <message>
            <source>&amp;Notes:</source>
            <translation>메모(&amp;N):</translation>
        </message>
        <message>
            <source>Optional (Shift+Enter for a new line)</source>
            <translation>선택 사항 (줄바꿈은 Shift+Enter)</translation>
        </message>
        <message>
            <source>D&amp;eal:</source>
            <translation>영업기회(&amp;E):</translation>
        </message>
        <message>
            <source>Type to search open deals (optional)</source>
            <translation>진행 중인 영업기회 검색 (선택 사항)</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>저장</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>취소</translation>
        </message>
        <message>
            <source>Pick a deal from the list, or leave it empty</source>
            <translation>목록에서 영업기회를 고르거나 비워 두세요</translation>
        </message>
        <message>
            <source>A subject is required</source>
            <translation>제목을 입력해 주세요</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Pipeline Manager</source>
            <translation>Pipeline Manager</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>파일(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Edit</source>
            <translation>편집(&amp;E)</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>보기(&amp;V)</translation>
        </message>
        <message>
            <source>De&amp;al</source>
            <translation>영업기회(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>도움말(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;Data</source>
            <translation>데이터(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;New database…</source>
            <translation>새 데이터베이스(&amp;N)…</translation>
        </message>
        <message>
            <source>&amp;Open…</source>
            <translation>열기(&amp;O)…</translation>
        </message>
        <message>
            <source>Open &amp;sample data</source>
            <translation>샘플 데이터 열기(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Backup…</source>
            <translation>백업(&amp;B)…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>끝내기(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;Find</source>
            <translation>찾기(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Log activity…</source>
            <translation>활동 기록(&amp;L)…</translation>
        </message>
        <message>
            <source>&amp;New deal…</source>
            <translation>새 영업기회(&amp;N)…</translation>
        </message>
        <message>
            <source>Se&amp;ttings…</source>
            <translation>설정(&amp;T)…</translation>
        </message>
        <message>
            <source>&amp;Board</source>
            <translation>보드(&amp;B)</translation>
        </message>
        <message>
            <source>&amp;Activities</source>
            <translation>활동(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Dashboard</source>
            <translation>대시보드(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;Refresh</source>
            <translation>새로 고침(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;About Pipeline Manager</source>
            <translation>Pipeline Manager 정보(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Import…</source>
            <translation>가져오기(&amp;I)…</translation>
        </message>
        <message>
            <source>Export &amp;weekly report…</source>
            <translation>주간 보고서 내보내기(&amp;W)…</translation>
        </message>
        <message>
            <source>&amp;Marketing spend…</source>
            <translation>마케팅 비용(&amp;M)…</translation>
        </message>
        <message>
            <source>&amp;Targets…</source>
            <translation>목표(&amp;T)…</translation>
        </message>
        <message>
            <source>&amp;Undo</source>
            <translation>실행 취소(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Redo</source>
            <translation>다시 실행(&amp;R)</translation>
        </message>
        <message>
            <source>Toolbar</source>
            <translation>도구 모음</translation>
        </message>
        <message>
            <source>Board</source>
            <translation>보드</translation>
        </message>
        <message>
            <source>Activities</source>
            <translation>활동</translation>
        </message>
        <message>
            <source>Dashboard</source>
            <translation>대시보드</translation>
        </message>
        <message>
            <source>&amp;Undo %1</source>
            <translation>%1 실행 취소(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Redo %1</source>
            <translation>%1 다시 실행(&amp;R)</translation>
        </message>
        <message>
            <source>manager</source>
            <translation>영업 관리자</translation>
        </message>
        <message>
            <source>sales rep</source>
            <translation>영업 담당자</translation>
        </message>
        <message>
            <source>Open %1 · Won %2 · Lost %3</source>
            <translation>진행 중 %1건 · 수주 %2건 · 실주 %3건</translation>
        </message>
        <message>
            <source>Cannot open the database</source>
            <translation>데이터베이스를 열 수 없습니다</translation>
        </message>
        <message>
            <source>New database</source>
            <translation>새 데이터베이스</translation>
        </message>
        <message>
            <source>Pipeline databases (*.sqlite *.db)</source>
            <translation>파이프라인 데이터베이스 (*.sqlite *.db)</translation>
        </message>
        <message>
            <source>That file already exists; use Open to open it.</source>
            <translation>이미 있는 파일입니다. 열기를 사용해 열어 주세요.</translation>
        </message>
        <message>
            <source>Open database</source>
            <translation>데이터베이스 열기</translation>
        </message>
        <message>
            <source>Pipeline databases (*.sqlite *.db);;All files (*)</source>
            <translation>파이프라인 데이터베이스 (*.sqlite *.db);;모든 파일 (*)</translation>
        </message>
        <message>
            <source>Backup</source>
            <translation>백업</translation>
        </message>
        <message>
            <source>Back up a server database with the server's own tools.</source>
            <translation>서버 데이터베이스는 서버의 백업 도구로 백업해 주세요.</translation>
        </message>
        <message>
            <source>Back up the database</source>
            <translation>데이터베이스 백업</translation>
        </message>
        <message>
            <source>Backed up to %1</source>
            <translation>%1에 백업했습니다</translation>
        </message>
        <message>
            <source>Import</source>
            <translation>가져오기</translation>
        </message>
        <message>
            <source>Marketing spend</source>
            <translation>마케팅 비용</translation>
        </message>
        <message>
            <source>Targets</source>
            <translation>목표</translation>
        </message>
        <message>
            <source>About Pipeline Manager</source>
            <translation>Pipeline Manager 정보</translation>
        </message>
        <message>
            <source>Pipeline Manager %1

A B2B sales pipeline with a gated 7-stage process: a deal leaves a stage only with its exit deliverables.</source>
            <translation>Pipeline Manager %1

7단계 게이트 프로세스 기반의 B2B 영업 파이프라인: 영업기회는 단계 완료 요건을 갖춰야만 다음 단계로 넘어갑니다.</translation>
        </message>
    </context>
    <context>
        <name>MarketingDialog</name>
        <message>
            <source>Lead sources, campaigns and marketing spend</source>
            <translation>리드 출처, 캠페인 및 마케팅 비용</translation>
        </message>
        <message>
            <source>Lead sources and campaigns</source>
            <translation>리드 출처와 캠페인</translation>
        </message>
        <message>
            <source>Add lead source…</source>
            <translation>리드 출처 추가…</translation>
        </message>
        <message>
            <source>Add campaign…</source>
            <translation>캠페인 추가…</translation>
        </message>
        <message>
            <source>Rename…</source>
            <translation>이름 변경…</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>삭제</translation>
        </message>
        <message>
            <source>Spend per month</source>
            <translation>월별 비용</translation>
        </message>
        <message>
            <source>Year</source>
            <translation>연도</translation>
        </message>
        <message>
            <source>Currency</source>
            <translation>통화</translation>
        </message>
        <message>
            <source>Type an amount in a cell (e.g. 1500000 or 1250.50); clear a cell to remove that month's spend. A lead source's column is spend not tied to a campaign.</source>
            <translation>셀에 금액을 입력하세요 (예: 1500000 또는 1250.50). 셀을 비우면 그 달의 비용이 삭제됩니다. 리드 출처 열은 특정 캠페인에 속하지 않는 비용입니다.</translation>
        </message>
        <message>
            <source>Add lead source</source>
            <translation>리드 출처 추가</translation>
        </message>
        <message>
            <source>Name of the lead source:</source>
            <translation>리드 출처 이름:</translation>
        </message>
        <message>
            <source>Select the lead source the campaign belongs to.</source>
            <translation>캠페인이 속한 리드 출처를 선택하세요.</translation>
        </message>
        <message>
            <source>Add campaign</source>
            <translation>캠페인 추가</translation>
        </message>
        <message>
            <source>Name of the campaign of %1:</source>
            <translation>%1의 캠페인 이름:</translation>
        </message>
        <message>
            <source>Rename</source>
            <translation>이름 변경</translation>
        </message>
        <message>
            <source>New name:</source>
            <translation>새 이름:</translation>
        </message>
        <message>
            <source>Delete %1 and all its spend?</source>
            <translation>%1과(와) 관련 비용을 모두 삭제할까요?</translation>
        </message>
    </context>
    <context>
        <name>NewDealDialog</name>
        <message>
            <source>New deal</source>
            <extracomment>a service's field -&gt; the form row that shows its message</extracomment>
            <translation>새 영업기회</translation>
        </message>
        <message>
            <source>&amp;Title:</source>
            <translation>제목(&amp;T):</translation>
        </message>
        <message>
            <source>&amp;Account:</source>
            <translation>고객사(&amp;A):</translation>
        </message>
        <message>
            <source>&amp;Contact:</source>
            <translation>고객 담당자(&amp;C):</translation>
        </message>
        <message>
            <source>&amp;Owner:</source>
            <translation>담당 영업(&amp;O):</translation>
        </message>
        <message>
            <source>A&amp;mount:</source>
            <translation>금액(&amp;M):</translation>
        </message>
        <message>
            <source>E&amp;xpected close:</source>
            <translation>예상 계약일(&amp;X):</translation>
        </message>
        <message>
            <source>&amp;Lead source:</source>
            <translation>리드 출처(&amp;L):</translation>
        </message>
        <message>
            <source>&amp;Description:</source>
            <translation>설명(&amp;D):</translation>
        </message>
        <message>
            <source>Required, e.g. Hanil Steel MES rollout</source>
            <translation>필수, 예: 한일철강 MES 구축</translation>
        </message>
        <message>
            <source>Pick one or type a new name</source>
            <translation>목록에서 선택하거나 새 이름을 입력하세요</translation>
        </message>
        <message>
            <source>e.g. 150,000,000</source>
            <translation>예: 150,000,000</translation>
        </message>
        <message>
            <source>No date</source>
            <translation>날짜 없음</translation>
        </message>
        <message>
            <source>Create deal</source>
            <translation>영업기회 만들기</translation>
        </message>
        <message>
            <source>Only a manager may create a deal for someone else</source>
            <translation>다른 사람의 영업기회는 관리자만 만들 수 있습니다</translation>
        </message>
    </context>
    <context>
        <name>ReminderService</name>
        <message>
            <source>Deal: %1</source>
            <translation>영업기회: %1</translation>
        </message>
        <message>
            <source>Activity due</source>
            <translation>활동 기한 도래</translation>
        </message>
    </context>
    <context>
        <name>ReportExport</name>
        <message>
            <source>{year}-W{week:02d}</source>
            <comment>an ISO week; year and week are numbers</comment>
            <translation>{year}년 {week}주차</translation>
        </message>
        <message>
            <source>Export weekly report</source>
            <translation>주간 보고서 내보내기</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>열기</translation>
        </message>
        <message>
            <source>Save weekly report</source>
            <translation>주간 보고서 저장</translation>
        </message>
        <message>
            <source>Excel workbook (*.xlsx)</source>
            <translation>Excel 통합 문서 (*.xlsx)</translation>
        </message>
        <message>
            <source>The weekly report was not written.</source>
            <translation>주간 보고서를 작성하지 못했습니다.</translation>
        </message>
        <message>
            <source>The weekly report for %1 was written to:
%2</source>
            <translation>%1 주간 보고서를 다음 위치에 저장했습니다:
%2</translation>
        </message>
        <message>
            <source>Week (choose one, or type one such as %1):</source>
            <translation>주차 (목록에서 고르거나 직접 입력, 예: %1 또는 %2):</translation>
        </message>
    </context>
    <context>
        <name>ReportProgressDialog</name>
        <message>
            <source>Export weekly report</source>
            <translation>주간 보고서 내보내기</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>취소</translation>
        </message>
        <message>
            <source>Cancelling…</source>
            <translation>취소하는 중…</translation>
        </message>
        <message>
            <source>Writing the weekly report for %1…</source>
            <translation>%1 주간 보고서를 작성하는 중…</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <translation>설정</translation>
        </message>
        <message>
            <source>User:</source>
            <translation>사용자:</translation>
        </message>
        <message>
            <source>Role:</source>
            <translation>역할:</translation>
        </message>
        <message>
            <source>Language:</source>
            <translation>언어:</translation>
        </message>
        <message>
            <source>At-risk factor k:</source>
            <translation>위험 판정 계수 k:</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>영업 관리자</translation>
        </message>
        <message>
            <source>Sales rep</source>
            <translation>영업 담당자</translation>
        </message>
        <message>
            <source>A deal is at risk when its days in the stage exceed k times the median days won deals spent there (the process limit while there is no history).</source>
            <translation>현 단계 체류 일수가 수주한 영업기회의 해당 단계 체류 일수 중앙값의 k배를 넘으면 위험으로 표시합니다 (이력이 없을 때는 프로세스에 정한 기한 기준).</translation>
        </message>
    </context>
    <context>
        <name>SpendGridModel</name>
        <message>
            <source>MMM yyyy</source>
            <comment>a month of the spend grid (Qt date format)</comment>
            <translation>yyyy년 M월</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>합계</translation>
        </message>
        <message>
            <source>%1, %2: %3</source>
            <translation>%1, %2: %3</translation>
        </message>
    </context>
    <context>
        <name>SyncController</name>
        <message>
            <source>Sync now</source>
            <translation>지금 동기화</translation>
        </message>
        <message>
            <source>Sync conflicts…</source>
            <translation>동기화 충돌…</translation>
        </message>
        <message>
            <source>&amp;Sync</source>
            <translation>동기화(&amp;S)</translation>
        </message>
        <message>
            <source>Not synced yet</source>
            <translation>아직 동기화되지 않음</translation>
        </message>
        <message>
            <source>Offline: changes are kept and sent at the next sync ({0})</source>
            <translation>오프라인: 변경 사항은 보관되었다가 다음 동기화 때 전송됩니다 ({0})</translation>
        </message>
        <message>
            <source>Synced: {0} sent, {1} received, {2} conflict(s)</source>
            <translation>동기화 완료: {0}건 전송, {1}건 수신, 충돌 {2}건</translation>
        </message>
    </context>
    <context>
        <name>TargetsDialog</name>
        <message>
            <source>–</source>
            <comment>between the first and last day of the period</comment>
            <translation>~</translation>
        </message>
        <message>
            <source>Targets</source>
            <translation>목표</translation>
        </message>
        <message>
            <source>Targets overlapping the year</source>
            <translation>해당 연도에 걸친 목표</translation>
        </message>
        <message>
            <source>Delete target</source>
            <translation>목표 삭제</translation>
        </message>
        <message>
            <source>Team (everyone)</source>
            <translation>팀 전체</translation>
        </message>
        <message>
            <source>New target</source>
            <translation>새 목표</translation>
        </message>
        <message>
            <source>Metric</source>
            <translation>지표</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>담당 영업</translation>
        </message>
        <message>
            <source>Period</source>
            <translation>기간</translation>
        </message>
        <message>
            <source>Value</source>
            <translation>값</translation>
        </message>
        <message>
            <source>e.g. 500000000, or 35 for a 35 % win rate</source>
            <translation>예: 500000000, 수주율 35%는 35</translation>
        </message>
        <message>
            <source>Add target</source>
            <translation>목표 추가</translation>
        </message>
    </context>
    <context>
        <name>TargetsModel</name>
        <message>
            <source>Won revenue</source>
            <translation>수주 매출</translation>
        </message>
        <message>
            <source>Won deals</source>
            <translation>수주 건수</translation>
        </message>
        <message>
            <source>New deals</source>
            <translation>신규 영업기회</translation>
        </message>
        <message>
            <source>Win rate (%)</source>
            <translation>수주율 (%)</translation>
        </message>
        <message>
            <source>Metric</source>
            <translation>지표</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>담당 영업</translation>
        </message>
        <message>
            <source>Period</source>
            <translation>기간</translation>
        </message>
        <message>
            <source>Target</source>
            <translation>목표</translation>
        </message>
        <message>
            <source>Actual</source>
            <translation>실적</translation>
        </message>
        <message>
            <source>Attainment</source>
            <translation>달성률</translation>
        </message>
        <message>
            <source>Team</source>
            <translation>팀</translation>
        </message>
    </context>
    <context>
        <name>Board</name>
        <message numerus="yes">
            <source>%n deal(s)</source>
            <translation>
                <numerusform>영업기회 %n건</numerusform>
            </translation>
        </message>
        <message>
            <source>Owner:</source>
            <translation>담당 영업:</translation>
        </message>
        <message>
            <source>Everyone</source>
            <translation>전체</translation>
        </message>
        <message>
            <source>Mine</source>
            <translation>내 영업기회</translation>
        </message>
        <message>
            <source>Find:</source>
            <translation>찾기:</translation>
        </message>
        <message>
            <source>Title, account or contact</source>
            <translation>제목, 고객사 또는 고객 담당자</translation>
        </message>
        <message>
            <source>Closing from</source>
            <translation>예상 계약일</translation>
        </message>
        <message>
            <source>to</source>
            <translation>~</translation>
        </message>
        <message>
            <source>Sort:</source>
            <translation>정렬:</translation>
        </message>
        <message>
            <source>+ New deal</source>
            <translation>+ 새 영업기회</translation>
        </message>
        <message>
            <source>Create a deal in the first stage (Ctrl+Shift+N)</source>
            <translation>첫 단계에 영업기회를 만듭니다 (Ctrl+Shift+N)</translation>
        </message>
        <message>
            <source>Clear filters</source>
            <translation>필터 지우기</translation>
        </message>
        <message>
            <source>New deal…</source>
            <translation>새 영업기회…</translation>
        </message>
        <message>
            <source>Import…</source>
            <translation>가져오기…</translation>
        </message>
        <message>
            <source>Drop here when won</source>
            <translation>수주하면 여기로 끌어다 놓으세요</translation>
        </message>
        <message>
            <source>Drop here when lost</source>
            <translation>실주하면 여기로 끌어다 놓으세요</translation>
        </message>
        <message numerus="yes">
            <source>%n d</source>
            <translation>
                <numerusform>%n일</numerusform>
            </translation>
        </message>
        <message>
            <source>At risk</source>
            <translation>위험</translation>
        </message>
        <message>
            <source>Slipped</source>
            <translation>일정 지연</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>기한 초과</translation>
        </message>
        <message>
            <source>any</source>
            <translation>전체</translation>
        </message>
        <message>
            <source>Close date</source>
            <translation>예상 계약일</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>금액</translation>
        </message>
        <message>
            <source>Days in stage</source>
            <translation>단계 체류 일수</translation>
        </message>
        <message>
            <source>Won</source>
            <translation>수주</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>실주</translation>
        </message>
        <message numerus="yes">
            <source>Showing %n selected deal(s)  ✕</source>
            <translation>
                <numerusform>선택한 영업기회 %n건 표시 중  ✕</numerusform>
            </translation>
        </message>
        <message>
            <source>Show all deals again</source>
            <translation>모든 영업기회 다시 표시</translation>
        </message>
        <message>
            <source>Total {0}</source>
            <translation>합계 {0}</translation>
        </message>
        <message>
            <source>Weighted {0}</source>
            <translation>가중 합계 {0}</translation>
        </message>
        <message>
            <source>No deals yet: New deal… or File → Import…</source>
            <translation>아직 영업기회가 없습니다: 새 영업기회… 또는 파일 → 가져오기…</translation>
        </message>
        <message>
            <source>Cannot refresh</source>
            <translation>새로 고칠 수 없습니다</translation>
        </message>
        <message>
            <source>“{0}” was created in the first stage; the filters hide it.</source>
            <translation>“{0}”이(가) 첫 단계에 만들어졌지만 필터 때문에 보이지 않습니다.</translation>
        </message>
        <message>
            <source>No open deals: every deal is won or lost.</source>
            <translation>진행 중인 영업기회가 없습니다: 모두 수주 또는 실주되었습니다.</translation>
        </message>
        <message>
            <source>No open deal matches the filters.</source>
            <translation>필터에 맞는 진행 중인 영업기회가 없습니다.</translation>
        </message>
        <message>
            <source>No open deal matches “{0}”.</source>
            <translation>“{0}”에 맞는 진행 중인 영업기회가 없습니다.</translation>
        </message>
    </context>
    <context>
        <name>GateDialog</name>
        <message>
            <source>Cannot record this</source>
            <translation>기록할 수 없습니다</translation>
        </message>
        <message>
            <source>Cannot move</source>
            <translation>이동할 수 없습니다</translation>
        </message>
        <message>
            <source>Won</source>
            <translation>수주</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>실주</translation>
        </message>
        <message>
            <source>Confirmation</source>
            <translation>확인</translation>
        </message>
        <message>
            <source>Document</source>
            <translation>문서</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>항목</translation>
        </message>
        <message>
            <source>Activity</source>
            <translation>활동</translation>
        </message>
        <message>
            <source>Fill in the deal</source>
            <translation>영업기회 항목 입력</translation>
        </message>
        <message>
            <source>This needs some text.</source>
            <translation>내용을 입력해 주세요.</translation>
        </message>
        <message>
            <source>Note (required):</source>
            <translation>메모 (필수):</translation>
        </message>
        <message>
            <source>Note (optional):</source>
            <translation>메모 (선택):</translation>
        </message>
        <message>
            <source>Stage gate</source>
            <translation>단계 게이트</translation>
        </message>
        <message>
            <source>Move</source>
            <translation>이동</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>취소</translation>
        </message>
        <message>
            <source>Everything the gate needs is recorded.</source>
            <translation>게이트 요건이 모두 기록되었습니다.</translation>
        </message>
        <message>
            <source>Deal lost</source>
            <translation>실주 처리</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>제목</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>고객사</translation>
        </message>
        <message>
            <source>Decision-maker contact</source>
            <translation>의사결정권자</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>담당 영업</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>금액</translation>
        </message>
        <message>
            <source>Currency</source>
            <translation>통화</translation>
        </message>
        <message>
            <source>Expected close date</source>
            <translation>예상 계약일</translation>
        </message>
        <message>
            <source>Lead source</source>
            <translation>리드 출처</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>설명</translation>
        </message>
        <message>
            <source>Pick or type a new name</source>
            <translation>선택하거나 새 이름을 입력하세요</translation>
        </message>
        <message>
            <source>e.g. 150000000</source>
            <translation>예: 150000000</translation>
        </message>
        <message>
            <source>Required to pass the stage gate</source>
            <translation>단계 게이트를 통과하려면 입력해야 합니다</translation>
        </message>
        <message>
            <source>Subject:</source>
            <translation>제목:</translation>
        </message>
        <message>
            <source>Override…</source>
            <translation>예외 승인…</translation>
        </message>
        <message>
            <source>Log activity…</source>
            <translation>활동 기록…</translation>
        </message>
        <message>
            <source>Override the gate</source>
            <translation>게이트 예외 승인</translation>
        </message>
        <message>
            <source>Why may this deal move without the missing deliverables?
The reason is stored with the move and shows in reports.</source>
            <translation>누락된 요건 없이 이 영업기회를 이동해야 하는 이유는 무엇인가요?
사유는 이동 기록에 저장되고 보고서에 표시됩니다.</translation>
        </message>
        <message>
            <source>An override needs a written reason.</source>
            <translation>예외 승인에는 사유를 적어야 합니다.</translation>
        </message>
        <message>
            <source>Reopen deal</source>
            <translation>영업기회 재개</translation>
        </message>
        <message>
            <source>Attach a file or link a document?</source>
            <translation>파일을 첨부할까요, 문서 링크를 걸까요?</translation>
        </message>
        <message>
            <source>Attach file…</source>
            <translation>파일 첨부…</translation>
        </message>
        <message>
            <source>Link…</source>
            <translation>링크…</translation>
        </message>
        <message>
            <source>Link (URL or document location):</source>
            <translation>링크 (URL 또는 문서 위치):</translation>
        </message>
        <message>
            <source>Activity type:</source>
            <translation>활동 유형:</translation>
        </message>
        <message>
            <source>Confirm…</source>
            <translation>확인…</translation>
        </message>
        <message>
            <source>Fill in…</source>
            <translation>입력…</translation>
        </message>
        <message>
            <source>Why was “{0}” lost?</source>
            <translation>“{0}”의 실주 사유는 무엇인가요?</translation>
        </message>
        <message>
            <source>Move back</source>
            <translation>이전 단계로 이동</translation>
        </message>
        <message>
            <source>“{0}” can move to {1}.</source>
            <translation>“{0}”은(는) {1}(으)로 이동할 수 있습니다.</translation>
        </message>
        <message>
            <source>“{0}” cannot move to {1} yet. Record the missing exit deliverables below, then move it.</source>
            <translation>“{0}”은(는) 아직 {1}(으)로 이동할 수 없습니다. 아래의 누락된 단계 완료 요건을 기록한 뒤 이동하세요.</translation>
        </message>
        <message>
            <source>Why is “{0}” reopened?</source>
            <translation>“{0}”을(를) 재개하는 사유는 무엇인가요?</translation>
        </message>
        <message>
            <source>Why does “{0}” move back to {1}?</source>
            <translation>“{0}”을(를) {1}(으)로 되돌리는 사유는 무엇인가요?</translation>
        </message>
    </context>
    <context>
        <name>ImportWizard</name>
        <message>
            <source>%1 rows: %2 new deals, %3 updated, %4 unchanged, %5 history rows</source>
            <translation>%1행: 신규 영업기회 %2건, 갱신 %3건, 변경 없음 %4건, 이력 %5행</translation>
        </message>
        <message>
            <source>Choose the file</source>
            <translation>파일 선택</translation>
        </message>
        <message>
            <source>A CSV or Excel file: an export of Pipedrive, Salesforce, HubSpot, or your own.</source>
            <translation>CSV 또는 Excel 파일: Pipedrive, Salesforce, HubSpot에서 내보낸 파일이나 직접 만든 파일.</translation>
        </message>
        <message>
            <source>File:</source>
            <translation>파일:</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>찾아보기…</translation>
        </message>
        <message>
            <source>Layout:</source>
            <translation>형식:</translation>
        </message>
        <message>
            <source>Load mapping…</source>
            <translation>매핑 불러오기…</translation>
        </message>
        <message>
            <source>Text encoding:</source>
            <translation>텍스트 인코딩:</translation>
        </message>
        <message>
            <source>Detect (UTF-8 or Korean CP949)</source>
            <translation>자동 감지 (UTF-8 또는 한국어 CP949)</translation>
        </message>
        <message>
            <source>UTF-8</source>
            <translation>UTF-8</translation>
        </message>
        <message>
            <source>Korean (CP949, Korean Excel)</source>
            <translation>한국어 (CP949, 한글 Excel)</translation>
        </message>
        <message>
            <source>Western European (Windows-1252)</source>
            <translation>서유럽 (Windows-1252)</translation>
        </message>
        <message>
            <source>Japanese (Shift_JIS)</source>
            <translation>일본어 (Shift_JIS)</translation>
        </message>
        <message>
            <source>Chinese (GB18030)</source>
            <translation>중국어 (GB18030)</translation>
        </message>
        <message>
            <source>How the CSV file's text is encoded; an Excel workbook needs none</source>
            <translation>CSV 파일의 텍스트 인코딩입니다. Excel 통합 문서에는 필요하지 않습니다</translation>
        </message>
        <message>
            <source>Stage history file:</source>
            <translation>단계 이력 파일:</translation>
        </message>
        <message>
            <source>Salesforce OpportunityHistory.csv (found beside the file if empty)</source>
            <translation>Salesforce OpportunityHistory.csv (비워 두면 같은 폴더에서 찾음)</translation>
        </message>
        <message>
            <source>First rows of the file:</source>
            <translation>파일의 처음 몇 행:</translation>
        </message>
        <message>
            <source>Import deals from</source>
            <translation>영업기회를 가져올 파일</translation>
        </message>
        <message>
            <source>Spreadsheets (*.csv *.xlsx *.txt);;All files (*)</source>
            <translation>스프레드시트 (*.csv *.xlsx *.txt);;모든 파일 (*)</translation>
        </message>
        <message>
            <source>Stage history file</source>
            <translation>단계 이력 파일</translation>
        </message>
        <message>
            <source>Spreadsheets (*.csv *.xlsx);;All files (*)</source>
            <translation>스프레드시트 (*.csv *.xlsx);;모든 파일 (*)</translation>
        </message>
        <message>
            <source>Load mapping</source>
            <translation>매핑 불러오기</translation>
        </message>
        <message>
            <source>Mapping (*.json)</source>
            <translation>매핑 (*.json)</translation>
        </message>
        <message>
            <source>Map the columns</source>
            <translation>열 매핑</translation>
        </message>
        <message>
            <source>Which column holds each deal field, and what the file's stages and statuses mean.</source>
            <translation>각 영업기회 항목이 어느 열에 있는지, 파일의 단계와 상태 값이 무엇을 뜻하는지 지정하세요.</translation>
        </message>
        <message>
            <source>Deal fields</source>
            <translation>영업기회 항목</translation>
        </message>
        <message>
            <source>Stage values</source>
            <translation>단계 값</translation>
        </message>
        <message>
            <source>Status values</source>
            <translation>상태 값</translation>
        </message>
        <message>
            <source>Save mapping…</source>
            <translation>매핑 저장…</translation>
        </message>
        <message>
            <source>Rows are matched to deals already imported by the source id; a re-import updates them.</source>
            <translation>행은 원본 ID로 이미 가져온 영업기회와 대조되며, 다시 가져오면 해당 영업기회를 갱신합니다.</translation>
        </message>
        <message>
            <source>Save mapping</source>
            <translation>매핑 저장</translation>
        </message>
        <message>
            <source>%1 new users, %2 new accounts</source>
            <translation>신규 사용자 %1명, 신규 고객사 %2곳</translation>
        </message>
        <message>
            <source>Cancelled; nothing was imported.</source>
            <translation>취소되었습니다. 아무것도 가져오지 않았습니다.</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>검사</translation>
        </message>
        <message>
            <source>Every row is checked before anything is written.</source>
            <translation>저장하기 전에 모든 행을 검사합니다.</translation>
        </message>
        <message>
            <source>Import</source>
            <translation>가져오기</translation>
        </message>
        <message>
            <source>All rows are written in one transaction.</source>
            <translation>모든 행을 하나의 트랜잭션으로 저장합니다.</translation>
        </message>
        <message>
            <source>Import deals</source>
            <translation>영업기회 가져오기</translation>
        </message>
        <message>
            <source>Source id</source>
            <translation>원본 ID</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>제목</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>고객사</translation>
        </message>
        <message>
            <source>Contact</source>
            <translation>고객 담당자</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>담당 영업</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>금액</translation>
        </message>
        <message>
            <source>Currency</source>
            <translation>통화</translation>
        </message>
        <message>
            <source>Expected close date</source>
            <translation>예상 계약일</translation>
        </message>
        <message>
            <source>Created</source>
            <translation>생성일</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>종료일</translation>
        </message>
        <message>
            <source>Won date</source>
            <translation>수주일</translation>
        </message>
        <message>
            <source>Lost date</source>
            <translation>실주일</translation>
        </message>
        <message>
            <source>Entered current stage</source>
            <translation>현 단계 진입일</translation>
        </message>
        <message>
            <source>Lead source</source>
            <translation>리드 출처</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>상태</translation>
        </message>
        <message>
            <source>Stage</source>
            <translation>단계</translation>
        </message>
        <message>
            <source>Loss reason</source>
            <translation>실주 사유</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>설명</translation>
        </message>
        <message>
            <source>Detect from the header row</source>
            <translation>머리글 행으로 자동 감지</translation>
        </message>
        <message>
            <source>Generic (our column names)</source>
            <translation>일반 (이 프로그램의 열 이름)</translation>
        </message>
        <message>
            <source>Pipedrive</source>
            <translation>Pipedrive</translation>
        </message>
        <message>
            <source>Salesforce (Opportunity + history)</source>
            <translation>Salesforce (영업기회 + 이력)</translation>
        </message>
        <message>
            <source>HubSpot</source>
            <translation>HubSpot</translation>
        </message>
        <message>
            <source>File</source>
            <translation>파일</translation>
        </message>
        <message>
            <source>Row</source>
            <translation>행</translation>
        </message>
        <message>
            <source>Column</source>
            <translation>열</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>문제</translation>
        </message>
        <message>
            <source>— not imported —</source>
            <translation>— 가져오지 않음 —</translation>
        </message>
        <message>
            <source>choose the file's text encoding above (Windows-1252 for Western European Excel), or save the file as UTF-8</source>
            <translation>위에서 파일의 텍스트 인코딩을 선택하거나(서유럽 Excel은 Windows-1252) 파일을 UTF-8로 저장하세요</translation>
        </message>
        <message>
            <source>— not mapped —</source>
            <translation>— 매핑 안 함 —</translation>
        </message>
        <message>
            <source>Checking every row…</source>
            <translation>모든 행을 검사하는 중…</translation>
        </message>
        <message>
            <source>Importing…</source>
            <translation>가져오는 중…</translation>
        </message>
        <message>
            <source>The file's column “%1”, imported as %2</source>
            <translation>파일의 “%1” 열, %2 항목으로 가져옵니다</translation>
        </message>
        <message>
            <source>Mapping file: %1</source>
            <translation>매핑 파일: %1</translation>
        </message>
        <message>
            <source>Choose the %1 column to map its values.</source>
            <translation>값을 매핑하려면 %1 열을 선택하세요.</translation>
        </message>
        <message>
            <source>Mapping saved to %1</source>
            <translation>매핑을 %1에 저장했습니다</translation>
        </message>
        <message>
            <source>%1 problem(s) found; nothing was imported. Go back and fix the mapping or the file.</source>
            <translation>문제 %1건이 발견되어 아무것도 가져오지 않았습니다. 이전 단계로 돌아가 매핑이나 파일을 고쳐 주세요.</translation>
        </message>
        <message>
            <source>No problems. The import will do this:</source>
            <translation>문제가 없습니다. 가져오기를 하면 다음과 같이 반영됩니다:</translation>
        </message>
        <message>
            <source>Imported.</source>
            <translation>가져오기를 마쳤습니다.</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>진행 중</translation>
        </message>
        <message>
            <source>Won</source>
            <translation>수주</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>실주</translation>
        </message>
    </context>
    <context>
        <name>Operations</name>
        <message>
            <source>Title</source>
            <translation>제목</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>금액</translation>
        </message>
        <message>
            <source>Currency</source>
            <translation>통화</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>담당 영업</translation>
        </message>
        <message>
            <source>Stage</source>
            <translation>단계</translation>
        </message>
        <message>
            <source>Expected close</source>
            <translation>예상 계약일</translation>
        </message>
        <message>
            <source>Forecast category</source>
            <translation>예측 범주</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>고객사</translation>
        </message>
        <message>
            <source>Contact</source>
            <translation>고객 담당자</translation>
        </message>
        <message>
            <source>Lead source</source>
            <translation>리드 출처</translation>
        </message>
        <message>
            <source>Campaign</source>
            <translation>캠페인</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>설명</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>사유</translation>
        </message>
        <message>
            <source>Loss reason</source>
            <translation>실주 사유</translation>
        </message>
        <message>
            <source>Subject</source>
            <translation>제목</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>유형</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>이름</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>역할</translation>
        </message>
        <message>
            <source>Deal</source>
            <translation>영업기회</translation>
        </message>
        <message>
            <source>Something went wrong: {0}. Nothing was saved by this step; the details are in the log.</source>
            <translation>문제가 발생했습니다: {0}. 이 단계에서는 아무것도 저장되지 않았습니다. 자세한 내용은 로그에 있습니다.</translation>
        </message>
        <message>
            <source>Changed by someone else</source>
            <translation>다른 사용자가 변경함</translation>
        </message>
        <message>
            <source>Check the values</source>
            <translation>값을 확인하세요</translation>
        </message>
        <message>
            <source>Not allowed</source>
            <translation>허용되지 않음</translation>
        </message>
        <message>
            <source>This was changed by someone else since you loaded it; it is shown again as it is now. Nothing was overwritten.</source>
            <translation>불러온 뒤에 다른 사용자가 변경했습니다. 현재 상태로 다시 표시합니다. 덮어쓴 내용은 없습니다.</translation>
        </message>
        <message>
            <source>Not found</source>
            <translation>찾을 수 없음</translation>
        </message>
        <message>
            <source>Cannot do that</source>
            <translation>할 수 없습니다</translation>
        </message>
        <message>
            <source>{0}: {1}</source>
            <translation>{0}: {1}</translation>
        </message>
    </context>
    <context>
        <name>Undo</name>
        <message>
            <source>Cannot undo or redo</source>
            <translation>실행 취소 또는 다시 실행을 할 수 없습니다</translation>
        </message>
        <message>
            <source>Move “{0}”</source>
            <translation>“{0}” 이동</translation>
        </message>
        <message>
            <source>Edit “{0}”</source>
            <translation>“{0}” 편집</translation>
        </message>
        <message>
            <source>Partly undone</source>
            <translation>일부만 실행 취소함</translation>
        </message>
        <message>
            <source>Partly redone</source>
            <translation>일부만 다시 실행함</translation>
        </message>
        <message>
            <source>The edit of “{0}” was undone except for {1}: changed since this edit, it keeps its current value.</source>
            <translation>“{0}” 편집을 실행 취소했습니다. 단, {1} 항목은 그 뒤에 변경되어 현재 값을 그대로 둡니다.</translation>
        </message>
        <message>
            <source>The edit of “{0}” was redone except for {1}: changed since, it keeps its current value.</source>
            <translation>“{0}” 편집을 다시 실행했습니다. 단, {1} 항목은 그 뒤에 변경되어 현재 값을 그대로 둡니다.</translation>
        </message>
        <message>
            <source>The edit of “{0}” was not undone: {1} has been changed since. The deal is shown as it is now.</source>
            <translation>“{0}” 편집을 실행 취소하지 않았습니다. 그 뒤에 {1} 항목이 변경되었습니다. 영업기회를 현재 상태로 표시합니다.</translation>
        </message>
        <message>
            <source>The edit of “{0}” was not redone: {1} has been changed since. The deal is shown as it is now.</source>
            <translation>“{0}” 편집을 다시 실행하지 않았습니다. 그 뒤에 {1} 항목이 변경되었습니다. 영업기회를 현재 상태로 표시합니다.</translation>
        </message>
    </context>
    <context>
        <name>AppError</name>
        <message>
            <source>--as {user}: on a team database a move is made by the member logged in, {name} ({login}); --as is for a single-user file</source>
            <translation>--as {user}: 팀 데이터베이스에서는 로그인한 팀원 {name}({login}) 님의 이름으로만 영업기회를 이동할 수 있습니다. --as는 단일 사용자 파일에서만 쓸 수 있습니다</translation>
        </message>
        <message>
            <source>--as {user}: on a team database a deal is created by the member logged in, {name} ({login}); --as is for a single-user file</source>
            <translation>--as {user}: 팀 데이터베이스에서는 로그인한 구성원 {name}({login})이(가) 영업기회를 만듭니다. --as는 단일 사용자 파일에서만 쓸 수 있습니다</translation>
        </message>
        <message>
            <source>--owner USER is required: the database has {count} users</source>
            <translation>--owner USER가 필요합니다: 데이터베이스에 사용자가 {count}명 있습니다</translation>
        </message>
        <message>
            <source>needs --server URL and --db FILE</source>
            <translation>--server URL과 --db FILE이 필요합니다</translation>
        </message>
        <message>
            <source>the server must be a PostgreSQL URL</source>
            <translation>서버는 PostgreSQL URL이어야 합니다</translation>
        </message>
        <message>
            <source>--db postgresql+psycopg://admin@host/db is required</source>
            <translation>--db postgresql+psycopg://admin@host/db를 지정해야 합니다</translation>
        </message>
        <message>
            <source>{reason}; {count} change(s) wait in the outbox</source>
            <translation>{reason}. 변경 {count}건이 전송 대기 중입니다</translation>
        </message>
        <message>
            <source>server not reachable, working offline ({reason}); {count} change(s) wait in the outbox</source>
            <translation>서버에 연결할 수 없어 오프라인으로 작업합니다 ({reason}). 변경 {count}건이 전송 대기 중입니다</translation>
        </message>
        <message>
            <source>{path}: backup target already exists</source>
            <translation>{path}: 백업 대상 파일이 이미 있습니다</translation>
        </message>
        <message>
            <source>{path}: the database was written by a newer version of this program (schema {schema}); update the program. The file was not changed.</source>
            <translation>{path}: 이 데이터베이스는 더 새로운 버전의 프로그램으로 기록되었습니다(스키마 {schema}). 프로그램을 업데이트하세요. 파일은 변경되지 않았습니다.</translation>
        </message>
        <message>
            <source>{url}: not a database file path or URL ({reason})</source>
            <translation>{url}: 데이터베이스 파일 경로나 URL이 아닙니다 ({reason})</translation>
        </message>
        <message>
            <source>{url}: not a database this program can open (a file path, or a URL such as postgresql+psycopg://user@host/db)</source>
            <translation>{url}: 이 프로그램이 열 수 있는 데이터베이스가 아닙니다 (파일 경로나 postgresql+psycopg://user@host/db 같은 URL을 지정하세요)</translation>
        </message>
        <message>
            <source>{url}: the database driver is not installed ({reason})</source>
            <translation>{url}: 데이터베이스 드라이버가 설치되어 있지 않습니다 ({reason})</translation>
        </message>
        <message>
            <source>{path}: cannot open the database ({reason})</source>
            <translation>{path}: 데이터베이스를 열 수 없습니다 ({reason})</translation>
        </message>
        <message>
            <source>{path}: no such database file</source>
            <translation>{path}: 데이터베이스 파일이 없습니다</translation>
        </message>
        <message>
            <source>{path}: folder does not exist</source>
            <translation>{path}: 폴더가 없습니다</translation>
        </message>
        <message>
            <source>{path}: is a folder, not a database file</source>
            <translation>{path}: 데이터베이스 파일이 아니라 폴더입니다</translation>
        </message>
        <message>
            <source>{path}: the database is damaged ({result}, and {count} more problem(s); run pipeline-manager check)</source>
            <translation>{path}: 데이터베이스가 손상되었습니다 ({result} 외 {count}건의 문제. pipeline-manager check를 실행하세요)</translation>
        </message>
        <message>
            <source>{path}: the database is damaged ({result})</source>
            <translation>{path}: 데이터베이스가 손상되었습니다 ({result})</translation>
        </message>
        <message>
            <source>{first}; {rest}</source>
            <translation>{first}; {rest}</translation>
        </message>
        <message>
            <source>a subject is required</source>
            <translation>제목을 입력해 주세요</translation>
        </message>
        <message>
            <source>'{type}' is not one of {allowed}</source>
            <translation>'{type}'은(는) {allowed} 중 하나가 아닙니다</translation>
        </message>
        <message>
            <source>activity {activity} not found</source>
            <translation>활동 {activity}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>owner does not exist</source>
            <translation>담당 영업이 없습니다</translation>
        </message>
        <message>
            <source>deal does not exist</source>
            <translation>영업기회가 없습니다</translation>
        </message>
        <message>
            <source>'{chart}' is not a chart (dwell, funnel, forecast, slippage, at_risk)</source>
            <translation>'{chart}'은(는) 차트가 아닙니다 (dwell, funnel, forecast, slippage, at_risk)</translation>
        </message>
        <message>
            <source>'{value}' is not a forecast category</source>
            <translation>'{value}'은(는) 예측 범주가 아닙니다</translation>
        </message>
        <message>
            <source>stage {stage} does not exist</source>
            <translation>{stage}단계는 없습니다</translation>
        </message>
        <message>
            <source>deal {deal} not found</source>
            <translation>영업기회 {deal}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>deliverable {deliverable} not found</source>
            <translation>요건 {deliverable}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>an owner is required</source>
            <translation>담당 영업을 지정해 주세요</translation>
        </message>
        <message>
            <source>account does not exist</source>
            <translation>고객사가 없습니다</translation>
        </message>
        <message>
            <source>contact does not exist</source>
            <translation>고객 담당자가 없습니다</translation>
        </message>
        <message>
            <source>lead source does not exist</source>
            <translation>리드 출처가 없습니다</translation>
        </message>
        <message>
            <source>campaign does not exist</source>
            <translation>캠페인이 없습니다</translation>
        </message>
        <message>
            <source>'{text}' is not a deal id</source>
            <translation>'{text}'은(는) 영업기회 ID가 아닙니다</translation>
        </message>
        <message>
            <source>no deal with id '{text}'</source>
            <translation>ID가 '{text}'인 영업기회가 없습니다</translation>
        </message>
        <message>
            <source>'{text}' matches more than one deal; give more of the id</source>
            <translation>'{text}'에 해당하는 영업기회가 여러 건입니다. ID를 더 길게 입력하세요</translation>
        </message>
        <message>
            <source>not a deal field</source>
            <translation>영업기회 항목이 아닙니다</translation>
        </message>
        <message>
            <source>not an editable deal field</source>
            <translation>수정할 수 있는 영업기회 항목이 아닙니다</translation>
        </message>
        <message>
            <source>deal '{title}' was changed by someone else; reload it</source>
            <translation>다른 사람이 영업기회 '{title}'을(를) 변경했습니다. 다시 불러오세요</translation>
        </message>
        <message>
            <source>only a manager may create a deal for someone else</source>
            <translation>다른 사람의 영업기회는 관리자만 만들 수 있습니다</translation>
        </message>
        <message>
            <source>several contacts are named '{name}'; give the account too</source>
            <translation>'{name}'(이)라는 고객 담당자가 여러 명입니다. 고객사도 지정하세요</translation>
        </message>
        <message>
            <source>generate it on the team server instead, e.g. pipeline-manager demo --db {server}, then sync ({sync})</source>
            <translation>대신 팀 서버에서 만든 뒤(예: pipeline-manager demo --db {server}) 동기화하세요 ({sync})</translation>
        </message>
        <message>
            <source>cannot generate demo data</source>
            <translation>데모 데이터를 만들 수 없습니다</translation>
        </message>
        <message>
            <source>the number of demo deals must be at least 1</source>
            <translation>데모 영업기회 수는 1 이상이어야 합니다</translation>
        </message>
        <message>
            <source>the database already has deals; generate demo data into a new or empty database</source>
            <translation>데이터베이스에 이미 영업기회가 있습니다. 새 데이터베이스나 빈 데이터베이스에 데모 데이터를 만드세요</translation>
        </message>
        <message>
            <source>user {user} not found</source>
            <translation>사용자 {user}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>evidence {evidence} not found</source>
            <translation>증빙 {evidence}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>is satisfied by filling the deal's {fields}, not by a tick</source>
            <translation>체크 표시가 아니라 영업기회의 {fields} 항목을 채우면 충족됩니다</translation>
        </message>
        <message>
            <source>is satisfied by logging a done {types} activity, not by a tick</source>
            <translation>체크 표시가 아니라 완료된 {types} 활동을 기록하면 충족됩니다</translation>
        </message>
        <message>
            <source>a document needs a file or a link</source>
            <translation>문서에는 파일이나 링크가 필요합니다</translation>
        </message>
        <message>
            <source>this check needs a note</source>
            <translation>이 확인 항목에는 메모가 필요합니다</translation>
        </message>
        <message>
            <source>already withdrawn</source>
            <translation>이미 철회되었습니다</translation>
        </message>
        <message>
            <source>the deal is lost; reopen it into a stage first</source>
            <translation>실주된 영업기회입니다. 먼저 단계로 재개하세요</translation>
        </message>
        <message>
            <source>the deal's stage is not part of the active process</source>
            <translation>영업기회의 단계가 현재 프로세스에 없습니다</translation>
        </message>
        <message>
            <source>the deal is won; reopen it into a stage first</source>
            <translation>수주된 영업기회입니다. 먼저 단계로 재개하세요</translation>
        </message>
        <message>
            <source>stage {position} {stage}: {deliverables}</source>
            <translation>{position}단계 {stage}: {deliverables}</translation>
        </message>
        <message>
            <source>gate refused, missing deliverables: {missing}</source>
            <translation>단계 게이트를 통과하지 못했습니다. 누락된 요건: {missing}</translation>
        </message>
        <message>
            <source>'{target}' is not a stage number, 'won' or 'lost'</source>
            <translation>'{target}'은(는) 단계 번호나 'won', 'lost'가 아닙니다</translation>
        </message>
        <message>
            <source>the deal is already won</source>
            <translation>이미 수주된 영업기회입니다</translation>
        </message>
        <message>
            <source>the deal is already lost</source>
            <translation>이미 실주된 영업기회입니다</translation>
        </message>
        <message>
            <source>deal '{title}' was changed by someone else (version {version}, you had {expected}); reload it</source>
            <translation>다른 사람이 영업기회 '{title}'을(를) 변경했습니다(현재 버전 {version}, 불러온 버전 {expected}). 다시 불러오세요</translation>
        </message>
        <message>
            <source>moving a deal back needs a reason</source>
            <translation>영업기회를 이전 단계로 옮기려면 사유가 필요합니다</translation>
        </message>
        <message>
            <source>stage {stage} does not exist (stages are 1 to {last})</source>
            <translation>{stage}단계는 없습니다 (단계는 1~{last})</translation>
        </message>
        <message>
            <source>reopening a closed deal needs a reason</source>
            <translation>종료된 영업기회를 재개하려면 사유가 필요합니다</translation>
        </message>
        <message>
            <source>{user} is a rep; only a manager can override a stage gate</source>
            <translation>{user} 님은 영업 담당자입니다. 단계 게이트 예외 승인은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>move {move} not found</source>
            <translation>이동 기록 {move}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>the deal has moved since; only its latest move can be undone</source>
            <translation>그 뒤에 영업기회가 다시 이동했습니다. 가장 최근의 이동만 되돌릴 수 있습니다</translation>
        </message>
        <message>
            <source>the deal is already in stage {stage}</source>
            <translation>영업기회가 이미 {stage}단계에 있습니다</translation>
        </message>
        <message>
            <source>a lost deal needs a loss reason</source>
            <translation>실주 처리에는 실주 사유가 필요합니다</translation>
        </message>
        <message>
            <source>a deal's creation cannot be undone as a move</source>
            <translation>영업기회 생성은 이동처럼 되돌릴 수 없습니다</translation>
        </message>
        <message>
            <source>Undo of {kind} move</source>
            <translation>{kind} 이동 실행 취소</translation>
        </message>
        <message>
            <source>Undo of reopen</source>
            <translation>재개 실행 취소</translation>
        </message>
        <message>
            <source>unknown stage '{value}' (map it in stage_values of a mapping file)</source>
            <translation>알 수 없는 단계 '{value}' (매핑 파일의 stage_values에서 매핑하세요)</translation>
        </message>
        <message>
            <source>{file}: {message}</source>
            <translation>{file}: {message}</translation>
        </message>
        <message>
            <source>import on the team server instead, e.g. pipeline-manager import FILE --db {server}, then sync ({sync})</source>
            <translation>대신 팀 서버에서 가져온 뒤(예: pipeline-manager import FILE --db {server}) 동기화하세요 ({sync})</translation>
        </message>
        <message>
            <source>cannot import deals</source>
            <translation>영업기회를 가져올 수 없습니다</translation>
        </message>
        <message>
            <source>{file}, row {row}, column '{column}': {message}</source>
            <translation>{file}, {row}행, '{column}' 열: {message}</translation>
        </message>
        <message>
            <source>{file}, row {row}: {message}</source>
            <translation>{file}, {row}행: {message}</translation>
        </message>
        <message>
            <source>{file}, column '{column}': {message}</source>
            <translation>{file}, '{column}' 열: {message}</translation>
        </message>
        <message>
            <source>import refused: {problems} problem(s) in {rows} row(s); nothing was imported</source>
            <translation>가져오기 거부: {rows}개 행에서 문제 {problems}건이 있어 아무것도 가져오지 않았습니다</translation>
        </message>
        <message>
            <source>import refused: {problems} problem(s); nothing was imported</source>
            <translation>가져오기 거부: 문제 {problems}건이 있어 아무것도 가져오지 않았습니다</translation>
        </message>
        <message>
            <source>import cancelled; nothing was imported</source>
            <translation>가져오기를 취소했습니다. 아무것도 가져오지 않았습니다</translation>
        </message>
        <message>
            <source>a title is required</source>
            <translation>제목은 필수입니다</translation>
        </message>
        <message>
            <source>owner '{value}' is a Salesforce user id, not a name: put User.csv (Id, Name) from the same export beside the file, or map the owner to a column of names</source>
            <translation>담당자 '{value}'은(는) 이름이 아니라 Salesforce 사용자 ID입니다: 같은 내보내기의 User.csv(Id, Name)를 파일 옆에 두거나, 담당자를 이름이 든 열에 매핑하세요</translation>
        </message>
        <message>
            <source>the source id is longer than 100 characters</source>
            <translation>원본 ID가 100자를 넘습니다</translation>
        </message>
        <message>
            <source>no such column (history {key})</source>
            <translation>열이 없습니다 (이력 파일의 {key})</translation>
        </message>
        <message>
            <source>the time is empty</source>
            <translation>시각이 비어 있습니다</translation>
        </message>
        <message>
            <source>no column is mapped to the deal title</source>
            <translation>영업기회 제목에 매핑된 열이 없습니다</translation>
        </message>
        <message>
            <source>the {layout} layout has no history file; use the salesforce preset or a mapping with history_file</source>
            <translation>{layout} 형식에는 이력 파일이 없습니다. salesforce 형식이나 history_file이 있는 매핑을 사용하세요</translation>
        </message>
        <message>
            <source>{count} deal(s) were changed by someone else while the import ran; nothing was imported, run it again</source>
            <translation>가져오는 동안 다른 사람이 영업기회 {count}건을 변경했습니다. 아무것도 가져오지 않았으니 다시 실행하세요</translation>
        </message>
        <message>
            <source>the title is longer than 300 characters</source>
            <translation>제목이 300자를 넘습니다</translation>
        </message>
        <message>
            <source>'{code}' is not an ISO currency code</source>
            <translation>'{code}'은(는) ISO 통화 코드가 아닙니다</translation>
        </message>
        <message>
            <source>amount {amount}: {reason}</source>
            <translation>금액 {amount}: {reason}</translation>
        </message>
        <message>
            <source>the source id is empty</source>
            <translation>원본 ID가 비어 있습니다</translation>
        </message>
        <message>
            <source>source id '{source_id}' is also on row {row}</source>
            <translation>원본 ID '{source_id}'이(가) {row}행에도 있습니다</translation>
        </message>
        <message>
            <source>the same deal (title, account, created) is also on row {row}</source>
            <translation>같은 영업기회(제목, 고객사, 생성일)가 {row}행에도 있습니다</translation>
        </message>
        <message>
            <source>no such history file</source>
            <translation>이력 파일이 없습니다</translation>
        </message>
        <message>
            <source>unknown status '{value}' (map it in status_values: open, won or lost)</source>
            <translation>알 수 없는 상태 '{value}' (status_values에서 open, won, lost 중 하나로 매핑하세요)</translation>
        </message>
        <message>
            <source>the same deal as row {row} (one row names it by its id, the other by its source id)</source>
            <translation>{row}행과 같은 영업기회입니다 (한 행은 ID로, 다른 행은 원본 ID로 가리킵니다)</translation>
        </message>
        <message>
            <source>no such column (mapped to {field})</source>
            <translation>열이 없습니다 ({field}에 매핑됨)</translation>
        </message>
        <message>
            <source>no such column (used in the {field} template)</source>
            <translation>열이 없습니다 ({field} 템플릿에서 사용)</translation>
        </message>
        <message>
            <source>{key}: {value} is not a stage (1-7), 'won', 'lost' or 'open'</source>
            <translation>{key}: {value}은(는) 단계(1-7)나 'won', 'lost', 'open'이 아닙니다</translation>
        </message>
        <message>
            <source>{key}: stage {stage} does not exist (1-7)</source>
            <translation>{key}: {stage}단계는 없습니다 (1-7)</translation>
        </message>
        <message>
            <source>{key}: status {status} is not open, won or lost</source>
            <translation>{key}: 상태 {status}은(는) open, won, lost 중 하나가 아닙니다</translation>
        </message>
        <message>
            <source>a mapping is a JSON object</source>
            <translation>매핑은 JSON 객체여야 합니다</translation>
        </message>
        <message>
            <source>unknown key(s) {keys} (see docs/import-mapping.md)</source>
            <translation>알 수 없는 키: {keys} (docs/import-mapping.md 참고)</translation>
        </message>
        <message>
            <source>'fields' must be an object of deal field -&gt; column name</source>
            <translation>'fields'는 영업기회 항목 -&gt; 열 이름으로 된 객체여야 합니다</translation>
        </message>
        <message>
            <source>date_order: 'mdy' (US, 02/23/26), 'dmy' (23/02/26) or 'mdy-dots' (month first with dots too, 02.23.2026; else a dotted date is day first)</source>
            <translation>date_order: 'mdy'(미국식, 02/23/26), 'dmy'(23/02/26) 또는 'mdy-dots'(점으로 구분한 날짜도 월이 먼저, 02.23.2026; 그 외에는 점으로 구분한 날짜는 일이 먼저)여야 합니다</translation>
        </message>
        <message>
            <source>{path}: no such mapping file</source>
            <translation>{path}: 매핑 파일이 없습니다</translation>
        </message>
        <message>
            <source>{path}: cannot read the mapping file ({detail})</source>
            <translation>{path}: 매핑 파일을 읽을 수 없습니다 ({detail})</translation>
        </message>
        <message>
            <source>{path}: not valid JSON (line {line}: {detail})</source>
            <translation>{path}: 올바른 JSON이 아닙니다 ({line}행: {detail})</translation>
        </message>
        <message>
            <source>{path}: {message}</source>
            <translation>{path}: {message}</translation>
        </message>
        <message>
            <source>fields: '{field}' is not a deal field (one of {fields})</source>
            <translation>fields: '{field}'은(는) 영업기회 항목이 아닙니다 ({fields} 중 하나)</translation>
        </message>
        <message>
            <source>status_values.{key}: {value} is not open, won or lost</source>
            <translation>status_values.{key}: {value}은(는) open, won, lost 중 하나가 아닙니다</translation>
        </message>
        <message>
            <source>timezone: '{timezone}' is not a time zone name (e.g. Asia/Seoul)</source>
            <translation>timezone: '{timezone}'은(는) 시간대 이름이 아닙니다 (예: Asia/Seoul)</translation>
        </message>
        <message>
            <source>history_file.{key}: a column name or a list of column names</source>
            <translation>history_file.{key}: 열 이름 또는 열 이름 목록이어야 합니다</translation>
        </message>
        <message>
            <source>history_file: an object with 'file', 'deal_id', 'at', 'stage'</source>
            <translation>history_file: 'file', 'deal_id', 'at', 'stage'가 있는 객체여야 합니다</translation>
        </message>
        <message>
            <source>lookups[{index}]: an object with field, file, key, name</source>
            <translation>lookups[{index}]: field, file, key, name이 있는 객체여야 합니다</translation>
        </message>
        <message>
            <source>fields.{field}: a column name, a list of column names, {template} or {value}</source>
            <translation>fields.{field}: 열 이름, 열 이름 목록, {template}, {value} 중 하나여야 합니다</translation>
        </message>
        <message>
            <source>pass the file's encoding with --encoding (e.g. --encoding cp1252 for Western European Excel, --encoding cp949 for Korean), or save the file as UTF-8</source>
            <translation>--encoding으로 파일의 인코딩을 지정하거나(예: 서유럽 Excel은 --encoding cp1252, 한국어는 --encoding cp949) 파일을 UTF-8로 저장하세요</translation>
        </message>
        <message>
            <source>day is out of range for month</source>
            <translation>그 달에 없는 날짜입니다</translation>
        </message>
        <message>
            <source>second must be in 0..59</source>
            <translation>초는 0~59여야 합니다</translation>
        </message>
        <message>
            <source>the file is not UTF-8 and does not read as CP949 (Korean Excel); it looks like an unknown encoding: {hint}</source>
            <translation>파일이 UTF-8이 아니고 CP949(한국어 Excel)로도 읽히지 않습니다. 알 수 없는 인코딩으로 보입니다: {hint}</translation>
        </message>
        <message>
            <source>{size:,} characters spanning several lines, more than the {limit:,} a value may have: a quote that is never closed makes the rest of the file one value</source>
            <translation>여러 줄에 걸친 {size:,}자로, 한 값에 허용되는 {limit:,}자를 넘습니다. 닫히지 않은 따옴표가 있으면 파일의 나머지 전체가 하나의 값이 됩니다</translation>
        </message>
        <message>
            <source>{size:,} characters, more than the {limit:,} a value may have</source>
            <translation>{size:,}자로, 한 값에 허용되는 {limit:,}자를 넘습니다</translation>
        </message>
        <message>
            <source>year {year} is out of range</source>
            <translation>{year}년은 범위를 벗어났습니다</translation>
        </message>
        <message>
            <source>month must be in 1..12</source>
            <translation>월은 1~12여야 합니다</translation>
        </message>
        <message>
            <source>hour must be in 0..23</source>
            <translation>시는 0~23이어야 합니다</translation>
        </message>
        <message>
            <source>minute must be in 0..59</source>
            <translation>분은 0~59여야 합니다</translation>
        </message>
        <message>
            <source>the file is not UTF-8 and does not read as CP949 (Korean Excel); it looks like Windows-1252 (Western European) or another 8-bit encoding: {hint}</source>
            <translation>파일이 UTF-8이 아니고 CP949(한국어 Excel)로도 읽히지 않습니다. Windows-1252(서유럽) 또는 다른 8비트 인코딩으로 보입니다: {hint}</translation>
        </message>
        <message>
            <source>no such file</source>
            <translation>파일이 없습니다</translation>
        </message>
        <message>
            <source>row {row}, column '{column}': {reason}</source>
            <translation>{row}행, '{column}' 열: {reason}</translation>
        </message>
        <message>
            <source>row {row}, column {number}: {reason}</source>
            <translation>{row}행, {number}번째 열: {reason}</translation>
        </message>
        <message>
            <source>misplaced thousands separator</source>
            <translation>천 단위 구분 기호의 위치가 잘못되었습니다</translation>
        </message>
        <message>
            <source>not a number</source>
            <translation>숫자가 아닙니다</translation>
        </message>
        <message>
            <source>more than one decimal separator</source>
            <translation>소수점 기호가 두 개 이상입니다</translation>
        </message>
        <message>
            <source>nothing after the decimal separator</source>
            <translation>소수점 뒤에 숫자가 없습니다</translation>
        </message>
        <message>
            <source>{serial} is outside the range of Excel dates</source>
            <translation>{serial}은(는) Excel 날짜 범위를 벗어납니다</translation>
        </message>
        <message>
            <source>'{value}' is not a date</source>
            <translation>'{value}'은(는) 날짜가 아닙니다</translation>
        </message>
        <message>
            <source>'{encoding}' is not an encoding Python knows (e.g. utf-8, cp949, cp1252)</source>
            <translation>'{encoding}'은(는) 알 수 없는 인코딩입니다 (예: utf-8, cp949, cp1252)</translation>
        </message>
        <message>
            <source>the file is not {encoding} text (byte {byte}: {detail})</source>
            <translation>파일이 {encoding} 텍스트가 아닙니다 (바이트 {byte}: {detail})</translation>
        </message>
        <message>
            <source>not a readable CSV file ({detail})</source>
            <translation>읽을 수 있는 CSV 파일이 아닙니다 ({detail})</translation>
        </message>
        <message>
            <source>not a readable XLSX workbook ({detail})</source>
            <translation>읽을 수 있는 XLSX 통합 문서가 아닙니다 ({detail})</translation>
        </message>
        <message>
            <source>'{value}' is not an amount</source>
            <translation>'{value}'은(는) 금액이 아닙니다</translation>
        </message>
        <message>
            <source>'{value}' is not an amount ({reason})</source>
            <translation>'{value}'은(는) 금액이 아닙니다 ({reason})</translation>
        </message>
        <message>
            <source>not a date</source>
            <translation>날짜가 아닙니다</translation>
        </message>
        <message>
            <source>hour must be 1 to 12 with AM/PM</source>
            <translation>AM/PM을 쓰면 시는 1~12여야 합니다</translation>
        </message>
        <message>
            <source>'{value}' is not a date ({reason})</source>
            <translation>'{value}'은(는) 날짜가 아닙니다 ({reason})</translation>
        </message>
        <message>
            <source>the file is empty</source>
            <translation>파일이 비어 있습니다</translation>
        </message>
        <message>
            <source>the first sheet is empty</source>
            <translation>첫 번째 시트가 비어 있습니다</translation>
        </message>
        <message>
            <source>a plain number is a date only in a numeric XLSX cell; write the date as YYYY-MM-DD</source>
            <translation>숫자만 쓴 값은 XLSX의 숫자 셀일 때만 날짜로 읽습니다. 날짜를 YYYY-MM-DD 형식으로 쓰세요</translation>
        </message>
        <message>
            <source>unknown preset '{name}' (one of {presets})</source>
            <translation>알 수 없는 형식 '{name}' ({presets} 중 하나)</translation>
        </message>
        <message>
            <source>lead sources, campaigns, marketing spend and targets cannot be changed</source>
            <translation>리드 출처, 캠페인, 마케팅 비용과 목표는 변경할 수 없습니다</translation>
        </message>
        <message>
            <source>change them with the team server open ({server}), then sync ({sync})</source>
            <translation>팀 서버({server})를 연 상태에서 변경한 다음 동기화하세요 ({sync})</translation>
        </message>
        <message>
            <source>an amount is required</source>
            <translation>금액은 필수입니다</translation>
        </message>
        <message>
            <source>a date is required</source>
            <translation>날짜는 필수입니다</translation>
        </message>
        <message>
            <source>'{value}' is not a known ISO 4217 currency code</source>
            <translation>'{value}'은(는) 알려진 ISO 4217 통화 코드가 아닙니다</translation>
        </message>
        <message>
            <source>a lead source name is required</source>
            <translation>리드 출처 이름은 필수입니다</translation>
        </message>
        <message>
            <source>the end is before the start</source>
            <translation>종료일이 시작일보다 앞섭니다</translation>
        </message>
        <message>
            <source>a campaign name is required</source>
            <translation>캠페인 이름은 필수입니다</translation>
        </message>
        <message>
            <source>must be the first day of a month</source>
            <translation>매월 1일이어야 합니다</translation>
        </message>
        <message>
            <source>'{metric}' is not one of {metrics}</source>
            <translation>'{metric}'은(는) {metrics} 중 하나가 아닙니다</translation>
        </message>
        <message>
            <source>a win rate target is a percentage between 0 and 100</source>
            <translation>수주율 목표는 0에서 100 사이의 백분율입니다</translation>
        </message>
        <message>
            <source>must be a whole number</source>
            <translation>정수여야 합니다</translation>
        </message>
        <message>
            <source>at most {count} characters</source>
            <translation>{count}자 이하여야 합니다</translation>
        </message>
        <message>
            <source>must be a number</source>
            <translation>숫자여야 합니다</translation>
        </message>
        <message>
            <source>campaign '{name}' already exists for this lead source</source>
            <translation>이 리드 출처에 캠페인 '{name}'이(가) 이미 있습니다</translation>
        </message>
        <message>
            <source>must be 0 or more</source>
            <translation>0 이상이어야 합니다</translation>
        </message>
        <message>
            <source>lead source {lead_source} not found</source>
            <translation>리드 출처 {lead_source}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>campaign {campaign} not found</source>
            <translation>캠페인 {campaign}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>the campaign belongs to another lead source</source>
            <translation>이 캠페인은 다른 리드 출처에 속합니다</translation>
        </message>
        <message>
            <source>spend {spend} not found</source>
            <translation>비용 항목 {spend}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>target {target} not found</source>
            <translation>목표 {target}을(를) 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>is too large</source>
            <translation>너무 큽니다</translation>
        </message>
        <message>
            <source>lead source '{name}' already exists</source>
            <translation>리드 출처 '{name}'이(가) 이미 있습니다</translation>
        </message>
        <message>
            <source>'{name}' is the lead source of {count} deal(s); it cannot be deleted</source>
            <translation>'{name}'은(는) 영업기회 {count}건의 리드 출처라서 삭제할 수 없습니다</translation>
        </message>
        <message>
            <source>'{name}' is the campaign of {count} deal(s); it cannot be deleted</source>
            <translation>'{name}'은(는) 영업기회 {count}건의 캠페인이라서 삭제할 수 없습니다</translation>
        </message>
        <message>
            <source>at most two decimal places</source>
            <translation>소수점 이하 두 자리까지만 입력할 수 있습니다</translation>
        </message>
        <message>
            <source>{refused} on an offline replica (what is written only here never reaches the team server): {instead}</source>
            <translation>오프라인 복제본: {refused}. 여기에만 기록한 내용은 팀 서버에 전달되지 않습니다. {instead}</translation>
        </message>
        <message>
            <source>{user} is a rep; only a manager can give a deal to someone else</source>
            <translation>{user} 님은 영업 담당자입니다. 영업기회를 다른 사람에게 넘기는 것은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>{user} is a rep and works in their own name; only a manager can record a change in someone else's name</source>
            <translation>{user} 님은 영업 담당자이므로 본인 이름으로만 작업합니다. 다른 사람 이름으로 변경을 기록하는 것은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>{user} is a rep; only a manager can give an activity to someone else</source>
            <translation>{user} 님은 영업 담당자입니다. 활동을 다른 사람에게 넘기는 것은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>{user} is a rep; only a manager can create a deal for someone else</source>
            <translation>{user} 님은 영업 담당자입니다. 다른 사람의 영업기회를 만드는 것은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>users are added on the team server by its owner, e.g. {command}, and arrive here with the next sync ({sync})</source>
            <translation>사용자는 팀 서버에서 서버 소유자가 추가하며(예: {command}), 다음 동기화({sync}) 때 이곳으로 전달됩니다</translation>
        </message>
        <message>
            <source>a name is required</source>
            <translation>이름은 필수입니다</translation>
        </message>
        <message>
            <source>cannot add a user</source>
            <translation>사용자를 추가할 수 없습니다</translation>
        </message>
        <message>
            <source>'{role}' is not a role (rep or manager)</source>
            <translation>'{role}'은(는) 역할이 아닙니다 (rep 또는 manager)</translation>
        </message>
        <message>
            <source>there is no user named '{name}' here, and users cannot be added</source>
            <translation>여기에는 '{name}' 사용자가 없으며 사용자를 추가할 수도 없습니다</translation>
        </message>
        <message>
            <source>no user named '{name}'</source>
            <translation>'{name}' 사용자가 없습니다</translation>
        </message>
        <message>
            <source>an account name is required</source>
            <translation>고객사 이름은 필수입니다</translation>
        </message>
        <message>
            <source>a contact name is required</source>
            <translation>고객 담당자 이름은 필수입니다</translation>
        </message>
        <message>
            <source>a user named '{name}' already exists</source>
            <translation>'{name}' 사용자가 이미 있습니다</translation>
        </message>
        <message>
            <source>stage {stage} does not exist (stages are numbered 1 to {last})</source>
            <translation>{stage}단계는 없습니다 (단계 번호는 1~{last})</translation>
        </message>
        <message>
            <source>stage {stage} has no deliverable '{key}' (it has: {keys})</source>
            <translation>{stage}단계에는 '{key}' 요건이 없습니다 (있는 요건: {keys})</translation>
        </message>
        <message>
            <source>the deal is no longer yours (the server gave it to someone else); this change was not applied</source>
            <translation>이 영업기회는 더 이상 내 담당이 아닙니다 (서버에서 다른 사람에게 배정됨). 이 변경은 적용되지 않았습니다</translation>
        </message>
        <message>
            <source>the deal was deleted on the server; this change was not applied</source>
            <translation>이 영업기회는 서버에서 삭제되었습니다. 이 변경은 적용되지 않았습니다</translation>
        </message>
        <message>
            <source>an earlier offline change to this deal is in conflict; resolve it first</source>
            <translation>이 영업기회에 대한 이전 오프라인 변경이 충돌 상태입니다. 먼저 해결하세요</translation>
        </message>
        <message>
            <source>the activity is no longer yours to see (the server gave it to someone else, or your role changed); this change was not applied</source>
            <translation>이 활동은 더 이상 나에게 보이지 않습니다 (서버에서 다른 사람에게 배정되었거나 내 역할이 바뀜). 이 변경은 적용되지 않았습니다</translation>
        </message>
        <message>
            <source>the server refused this change: {why} ({reason}); it was not applied</source>
            <translation>서버가 이 변경을 거부했습니다: {why} ({reason}). 이 변경은 적용되지 않았습니다</translation>
        </message>
        <message>
            <source>only a manager can record a gate override or a move in someone else's name</source>
            <translation>단계 게이트 예외 승인이나 다른 사람 이름의 단계 이동은 영업 관리자만 기록할 수 있습니다</translation>
        </message>
        <message>
            <source>only a manager can record this in someone else's name</source>
            <translation>다른 사람 이름으로 기록하는 것은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>this database is not a replica (pipeline-manager replica create)</source>
            <translation>이 데이터베이스는 복제본이 아닙니다 (pipeline-manager replica create로 만드세요)</translation>
        </message>
        <message>
            <source>{server} is another team database, not the one this replica was made from ({url}); sync with that one, or make a new replica of this one (pipeline-manager replica create)</source>
            <translation>{server}은(는) 다른 팀 데이터베이스입니다. 이 복제본을 만든 데이터베이스({url})가 아닙니다. 그 데이터베이스와 동기화하거나, 이 데이터베이스의 새 복제본을 만드세요 (pipeline-manager replica create)</translation>
        </message>
        <message>
            <source>{path} already exists</source>
            <translation>{path} 파일이 이미 있습니다</translation>
        </message>
        <message>
            <source>only a manager can give a deal to someone else</source>
            <translation>영업기회를 다른 사람에게 넘기는 것은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>{op} is not a sync conflict</source>
            <translation>{op}은(는) 동기화 충돌이 아닙니다</translation>
        </message>
        <message>
            <source>retry or discard</source>
            <translation>retry 또는 discard 중 하나입니다</translation>
        </message>
        <message>
            <source>no password stored for {key}; run: pipeline-manager login --db {url} --user {login}</source>
            <translation>{key}에 저장된 비밀번호가 없습니다. 다음을 실행하세요: pipeline-manager login --db {url} --user {login}</translation>
        </message>
        <message>
            <source>cannot log in as {key}: {reason}</source>
            <translation>{key}(으)로 로그인할 수 없습니다: {reason}</translation>
        </message>
        <message>
            <source>stage {position}: {deliverable}</source>
            <translation>{position}단계: {deliverable}</translation>
        </message>
        <message>
            <source>only a manager can give an activity to someone else</source>
            <translation>활동을 다른 사람에게 넘기는 것은 영업 관리자만 할 수 있습니다</translation>
        </message>
        <message>
            <source>a sync of {path} is already running (another window or command); try again when it is done</source>
            <translation>{path}의 동기화가 이미 진행 중입니다 (다른 창이나 명령). 끝난 뒤에 다시 시도하세요</translation>
        </message>
        <message>
            <source>the server's row-level security does not allow it to your login</source>
            <translation>서버의 행 수준 보안이 내 로그인에 이를 허용하지 않습니다</translation>
        </message>
        <message>
            <source>your login has no permission for it on the server</source>
            <translation>내 로그인에는 서버에서 이 작업을 할 권한이 없습니다</translation>
        </message>
        <message>
            <source>it breaks a rule of the server's data</source>
            <translation>서버 데이터의 규칙에 어긋납니다</translation>
        </message>
        <message>
            <source>a login is lower-case letters, digits, '_', '.', '-' (at most 63)</source>
            <translation>로그인 이름은 영문 소문자, 숫자, '_', '.', '-'로만 씁니다 (최대 63자)</translation>
        </message>
        <message>
            <source>a password is required</source>
            <translation>비밀번호는 필수입니다</translation>
        </message>
        <message>
            <source>wrong password ({reason})</source>
            <translation>비밀번호가 틀렸습니다 ({reason})</translation>
        </message>
        <message>
            <source>this login is disabled, it was removed from the team ({reason})</source>
            <translation>이 로그인은 비활성화되었습니다. 팀에서 제외된 계정입니다 ({reason})</translation>
        </message>
        <message>
            <source>team mode needs a PostgreSQL server (--db postgresql+psycopg://user@host/db)</source>
            <translation>팀 모드에는 PostgreSQL 서버가 필요합니다 (--db postgresql+psycopg://user@host/db)</translation>
        </message>
        <message>
            <source>run this as the database's owner ({owner}), a role that may create roles; you are connected as {login}</source>
            <translation>이 명령은 역할을 만들 수 있는 데이터베이스 소유자({owner})로 실행하세요. 현재 {login}(으)로 접속되어 있습니다</translation>
        </message>
        <message>
            <source>'{login}' is not a member of this team</source>
            <translation>'{login}'은(는) 이 팀의 팀원이 아닙니다</translation>
        </message>
        <message>
            <source>{login} is not a member of this team (ask a manager: pipeline-manager server add-user)</source>
            <translation>{login}은(는) 이 팀의 팀원이 아닙니다 (영업 관리자에게 요청하세요: pipeline-manager server add-user)</translation>
        </message>
        <message>
            <source>cannot keep the password: this system has no usable keyring ({reason}); use PGPASSWORD or ~/.pgpass instead</source>
            <translation>비밀번호를 보관할 수 없습니다. 이 시스템에는 사용할 수 있는 키링이 없습니다 ({reason}). 대신 PGPASSWORD 또는 ~/.pgpass를 사용하세요</translation>
        </message>
        <message>
            <source>'{login}' ({name}) is on the team; nothing to restore</source>
            <translation>'{login}' ({name}) 님은 이미 팀원입니다. 복원할 것이 없습니다</translation>
        </message>
        <message>
            <source>'{login}' ({name}) was removed from the team</source>
            <translation>'{login}' ({name}) 님은 팀에서 제외되었습니다</translation>
        </message>
        <message>
            <source>a role is rep or manager</source>
            <translation>역할은 rep(영업 담당자) 또는 manager(영업 관리자)입니다</translation>
        </message>
        <message>
            <source>cannot move {login} to {group}: the server still has it in {groups} (a grant of another role; revoke it as that role or a superuser)</source>
            <translation>{login}을(를) {group}(으)로 옮길 수 없습니다. 서버에서 아직 {groups}에 속해 있습니다 (다른 역할이 부여한 권한입니다. 그 역할이나 슈퍼유저로 회수하세요)</translation>
        </message>
        <message>
            <source>cannot remove {login}: the server keeps it in {groups} (a grant of another role; revoke it as that role or a superuser)</source>
            <translation>{login}을(를) 제외할 수 없습니다. 서버에서 여전히 {groups}에 속해 있습니다 (다른 역할이 부여한 권한입니다. 그 역할이나 슈퍼유저로 회수하세요)</translation>
        </message>
        <message>
            <source>cannot restore {login}: the server has no role '{login}' any more (dropped by hand?); create it again with: CREATE ROLE {login} NOLOGIN</source>
            <translation>{login}을(를) 복원할 수 없습니다. 서버에 '{login}' 역할이 더 이상 없습니다 (직접 삭제했나요?). 다음으로 다시 만드세요: CREATE ROLE {login} NOLOGIN</translation>
        </message>
        <message>
            <source>cannot restore {login} into {group}: the server has it in {groups} (a grant of another role; revoke it as that role or a superuser)</source>
            <translation>{login}을(를) {group}(으)로 복원할 수 없습니다. 서버에서 {groups}에 속해 있습니다 (다른 역할이 부여한 권한입니다. 그 역할이나 슈퍼유저로 회수하세요)</translation>
        </message>
        <message>
            <source>'{login}' is already a member</source>
            <translation>'{login}'은(는) 이미 팀원입니다</translation>
        </message>
        <message>
            <source>the server already has a role '{login}'</source>
            <translation>서버에 '{login}' 역할이 이미 있습니다</translation>
        </message>
        <message>
            <source>'{name}' already has the login '{login}'</source>
            <translation>'{name}' 님은 이미 '{login}' 로그인이 있습니다</translation>
        </message>
        <message>
            <source>you cannot remove the login you are connected as</source>
            <translation>지금 접속한 로그인은 제외할 수 없습니다</translation>
        </message>
        <message>
            <source>'{login}' ({name}) was removed from the team; to bring them back: pipeline-manager server restore-user {login} --role {role}</source>
            <translation>'{login}' ({name}) 님은 팀에서 제외되었습니다. 다시 팀원으로 복원하려면: pipeline-manager server restore-user {login} --role {role}</translation>
        </message>
        <message>
            <source>hand the deals to another member</source>
            <translation>영업기회는 다른 팀원에게 넘기세요</translation>
        </message>
        <message>
            <source>{login} ({name}) owns {count} open deal(s); hand them to another member with --reassign-to LOGIN</source>
            <translation>{login} ({name}) 님이 진행 중인 영업기회 {count}건의 담당자입니다. --reassign-to LOGIN으로 다른 팀원에게 넘기세요</translation>
        </message>
        <message>
            <source>not saved: an earlier step failed ({error})</source>
            <translation>저장되지 않았습니다. 앞 단계가 실패했습니다 ({error})</translation>
        </message>
        <message>
            <source>{currency} has no minor unit: a whole amount, no cents</source>
            <translation>{currency}은(는) 소수 단위가 없습니다: 소수점 없이 정수 금액으로 입력하세요</translation>
        </message>
        <message>
            <source>at most two decimal places: amounts are kept to hundredths, {currency} too</source>
            <translation>소수점 이하 두 자리까지만 입력할 수 있습니다: 금액은 0.01 단위로 저장되며 {currency}도 마찬가지입니다</translation>
        </message>
        <message>
            <source>'{value}' is not a number</source>
            <translation>'{value}'은(는) 숫자가 아닙니다</translation>
        </message>
        <message>
            <source>'{value}' is not a valid date (use YYYY-MM-DD)</source>
            <translation>'{value}'은(는) 올바른 날짜가 아닙니다 (YYYY-MM-DD 형식으로 쓰세요)</translation>
        </message>
        <message>
            <source>the amount is written in {written_in} but the deal is in {currency}</source>
            <translation>금액은 {written_in}(으)로 적혀 있지만 영업기회 통화는 {currency}입니다</translation>
        </message>
        <message>
            <source>'{code}' is not a known ISO 4217 currency code</source>
            <translation>'{code}'은(는) 알려진 ISO 4217 통화 코드가 아닙니다</translation>
        </message>
        <message>
            <source>'{value}' is not one of {allowed}</source>
            <translation>'{value}'은(는) {allowed} 중 하나가 아닙니다</translation>
        </message>
        <message>
            <source>'{week}' is not an ISO week like 2026-W47</source>
            <translation>'{week}'은(는) ISO 주가 아닙니다 (예: 2026-W47)</translation>
        </message>
        <message>
            <source>{path}: is a folder, not a file</source>
            <translation>{path}: 파일이 아니라 폴더입니다</translation>
        </message>
        <message>
            <source>{path}: is not a folder</source>
            <translation>{path}: 폴더가 아닙니다</translation>
        </message>
        <message>
            <source>export cancelled; no file was written</source>
            <translation>내보내기를 취소했습니다. 파일을 저장하지 않았습니다</translation>
        </message>
        <message>
            <source>no week given; type one like {year}-W{week:02d} or week {week} of {year}</source>
            <translation>주차를 입력하세요 (예: {year}년 {week}주차 또는 {year}-W{week:02d})</translation>
        </message>
        <message>
            <source>'{text}' is not a week; type one like {year}-W{week:02d} or week {week} of {year}</source>
            <translation>'{text}'은(는) 주차로 읽을 수 없습니다. {year}년 {week}주차 또는 {year}-W{week:02d} 형식으로 입력하세요</translation>
        </message>
        <message>
            <source>there is no week {week}; weeks are numbered 1 to 53</source>
            <translation>{week}주차는 없습니다. 주차는 1부터 53까지입니다</translation>
        </message>
        <message>
            <source>{year} has no week {week}; its weeks are numbered 1 to {weeks}</source>
            <translation>{year}년에는 {week}주차가 없습니다. {year}년의 주차는 1부터 {weeks}까지입니다</translation>
        </message>
        <message>
            <source>{path}: cannot write the file ({reason})</source>
            <translation>{path}: 파일을 저장할 수 없습니다 ({reason})</translation>
        </message>
    </context>
</TS>
