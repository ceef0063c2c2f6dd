"""A believable B2B sample company: people, accounts, lead sources with monthly spend,
targets and 18 months of deals with full stage histories that obey the gates.

Everything is drawn from one seeded RNG (UUIDs included), so the same seed and the same
``end`` date give exactly the same rows. Rows are written with SQLAlchemy Core
``insert()`` executemany in chunks, all inside one transaction. No Qt.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, text

from app.db import Database
from app.errors import AppError, Message
from app.models import (
    Account,
    Activity,
    Campaign,
    CloseDateChange,
    Contact,
    DeliverableKind,
    Evidence,
    ForecastCategory,
    LeadSource,
    MarketingSpend,
    Opportunity,
    Role,
    StageTransition,
    Status,
    Target,
    TransitionKind,
    User,
)
from app.services.bulk import BulkInserter
from app.services.collation import name_key
from app.services.outbox import refuse_on_replica
from app.services.process import active_stages

MONTHS = 18
CHUNK_DEALS = 2000
SQLITE_CACHE_KIB = 256 * 1024  # page cache while generating
DAY = 86_400

# median dwell per stage in days for a deal that will be won; lost deals dwell LOST_FACTOR x
STAGE_DWELL_DAYS = (12.0, 19.0, 28.0, 23.0, 33.0, 23.0, 13.0)
DWELL_SIGMA = 0.45
LOST_FACTOR = 1.5
# where lost deals drop out (stage 1..7)
LOST_AT_WEIGHTS = (20, 25, 19, 15, 11, 7, 3)
P_WON = 0.42  # of deals that reach an outcome before the end of the period
P_BACKWARD = 0.05
P_SKIP = 0.02
P_OVERRIDE = 0.03
P_STALL = (0.05, 0.20)  # deals stuck in one stage for a while (3x the usual dwell): won, lost

USERS = (
    ("이지은", Role.MANAGER, "jieun.lee"),
    ("Daniel Park", Role.MANAGER, "daniel.park"),
    ("김민수", Role.REP, "minsu.kim"),
    ("박서준", Role.REP, "seojun.park"),
    ("최유진", Role.REP, "yujin.choi"),
    ("정하늘", Role.REP, "haneul.jung"),
    ("한도윤", Role.REP, "doyun.han"),
    ("Sarah Kim", Role.REP, "sarah.kim"),
    ("James Lee", Role.REP, "james.lee"),
    ("Emily Choi", Role.REP, "emily.choi"),
)
REP_WEIGHTS = (14, 12, 12, 10, 9, 15, 11, 9)

KO_PREFIX = ("한빛", "대성", "세진", "미래", "동해", "청운", "새솔", "누리", "다온", "해든", "가람", "태광",
             "소망", "한결", "금강", "우진", "신성", "영진", "늘푸른", "아름", "서해", "백두", "효성",
             "진명", "해오름", "바른", "미르", "온누리", "하나", "선진")
KO_SUFFIX = ("정밀", "전자", "테크", "물산", "바이오", "시스템즈", "에너지", "화학", "로지스틱스", "중공업",
             "제약", "반도체", "소재", "엔지니어링", "모빌리티", "디스플레이", "통신", "건설", "식품", "금속")
EN_PREFIX = ("Nexus", "Bluepeak", "Orion", "Silverline", "Keystone", "Northwind", "Apex", "Vertex",
             "Crescent", "Ironclad", "Lumen", "Brightwave", "Cobalt", "Summit", "Harbor", "Evergreen",
             "Quantum", "Redwood", "Atlas", "Meridian", "Pioneer", "Sterling", "Horizon", "Granite",
             "Polaris", "Cedar", "Falcon", "Skyline", "Trident", "Zenith")
EN_SUFFIX = ("Robotics", "Logistics", "Semiconductor", "Pharma", "Energy", "Systems", "Materials",
             "Automotive", "Foods", "Analytics", "Medical", "Networks", "Aerospace", "Chemicals",
             "Retail", "Industries", "Devices", "Labs", "Mobility", "Solutions")
INDUSTRIES = ("Manufacturing", "Semiconductors", "Pharmaceuticals", "Logistics", "Energy", "Retail",
              "Automotive", "Finance", "Telecom", "Construction", "Food", "Healthcare")
KO_SURNAMES = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황")
KO_GIVEN = ("민준", "서연", "도현", "지우", "하은", "준호", "수빈", "현우", "지민", "예린", "성민", "유나",
            "동현", "은지", "태윤", "소희", "재원", "다은", "승현", "혜진")
EN_FIRST = ("Michael", "Jennifer", "David", "Laura", "Kevin", "Rachel", "Brian", "Olivia", "Steven",
            "Grace", "Andrew", "Hannah", "Peter", "Chloe", "Ryan", "Megan", "Thomas", "Emma")
EN_LAST = ("Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Moore",
           "Clark", "Lewis", "Walker", "Young", "Hall", "Allen", "Wright")
KO_TITLES = ("구매팀장", "IT본부장", "생산기술팀장", "전략기획실장", "CTO", "공장장", "품질관리팀장", "정보전략팀 부장")
EN_TITLES = ("Head of Procurement", "CIO", "VP Operations", "IT Director", "Plant Manager",
             "CTO", "Head of Quality", "Engineering Manager")
PRODUCTS = ("MES 구축", "스마트팩토리 PoC", "ERP upgrade", "Vision inspection system", "보안 솔루션 도입",
            "Predictive maintenance", "Data platform", "Robot cell retrofit", "물류 자동화", "Cloud migration",
            "품질관리 시스템", "Energy monitoring", "Digital twin pilot", "통합 유지보수 계약",
            "AI 불량 검출", "Warehouse robotics")
LEAD_SOURCES = (  # name, channel, monthly spend in KRW (median), campaigns
    ("Website", "inbound", 6_000_000, ("SEO 콘텐츠", "Product pages refresh")),
    ("Trade show", "events", 25_000_000, ("Smart Factory Expo", "SEMICON Korea", "AUTOMATICA")),
    ("Partner referral", "partner", 4_000_000, ("Partner program",)),
    ("Outbound", "outbound", 12_000_000, ("Top-100 accounts", "제조업 아웃바운드")),
    ("LinkedIn Ads", "paid", 9_000_000, ("Decision-maker ABM", "Retargeting")),
    ("Webinar", "events", 5_000_000, ("AI 품질검사 웨비나", "Industry 4.0 webinar series")),
)
LOSS_REASONS = ("Price too high", "Lost to competitor", "No budget this year", "Project postponed",
                "No decision made", "Requirements not met", "가격 경쟁력 부족", "경쟁사 선정",
                "예산 미확보", "프로젝트 보류", "의사결정 지연", "기술 요건 미충족")
BACK_REASONS = ("Customer reopened the requirements", "Budget needs re-approval",
                "Champion left the company", "요구사항 재검토 요청", "구매위원회 변경으로 재확인 필요")
OVERRIDE_REASONS = ("Framework agreement already covers this; documents follow",
                    "CEO-level commitment, evidence to be filed next week",
                    "고객사 긴급 요청으로 선진행 (서류 후속 제출)", "Strategic account: approved by sales director")
EXTRA_SUBJECTS = {
    "call": ("Follow-up call", "진행 상황 확인 통화", "Check-in with champion"),
    "email": ("Sent recap email", "자료 송부", "Answered technical questions"),
    "task": ("Prepare reference list", "내부 검토 요청", "Update account plan"),
    "note": ("Competitor spotted", "고객 내부 조직 변경", "Budget cycle starts in Q3"),
    "meeting": ("Site visit", "기술 미팅"),
}
EVIDENCE_NOTES = ("Confirmed by phone", "확인 완료", "Confirmed in meeting minutes", "메일로 회신 받음")


@dataclass(frozen=True)
class DemoStats:
    deals: int
    transitions: int
    activities: int
    evidence: int
    close_date_changes: int
    accounts: int
    contacts: int
    users: int


def _month_start(d: date, back: int = 0) -> date:
    m = d.year * 12 + (d.month - 1) - back
    return date(m // 12, m % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _month_start(first, -1) - timedelta(days=1)


class _Gen:
    """Per-call state: the RNG, the time frame, the reference rows, the output buffers."""

    def __init__(self, rng: random.Random, end: date, raw: bool = False):
        self.rng = rng
        self.raw = raw
        self._days: dict[int, str] = {}
        self.first_month = _month_start(end, MONTHS - 1)
        self.t0 = datetime(self.first_month.year, self.first_month.month, 1, tzinfo=UTC)
        self.horizon = int((datetime(end.year, end.month, end.day, tzinfo=UTC) - self.t0).total_seconds())
        self.end = end

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ts(self, secs: int) -> datetime:
        return self.t0 + timedelta(seconds=secs)

    def stamp(self, secs: int) -> datetime | str:
        """A deal-row timestamp; in raw mode directly its stored SQLite text."""
        if not self.raw:
            return self.t0 + timedelta(seconds=secs)
        day, rest = divmod(secs, DAY)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = (self.t0 + timedelta(days=day)).strftime("%Y-%m-%d")
        h, rest = divmod(rest, 3600)
        m, sec = divmod(rest, 60)
        return f"{prefix} {h:02d}:{m:02d}:{sec:02d}.000000"

    def between(self, a: int, b: int) -> int:
        """A second in [a, b) (b > a)."""
        return a + int(self.rng.random() * max(1, b - a))


def generate(db: Database, *, deals: int, seed: int, end: date | None = None,
             progress: Callable[[int, int], None] | None = None, _raw_sqlite: bool = True) -> DemoStats:
    """Fill an empty database with a sample company; ``progress(done, total)`` after each chunk.

    Refuses (AppError) a database that already has deals. (``_raw_sqlite=False`` writes
    through the column types even on SQLite: the tests compare both ways.) Refused on an
    offline replica (ReplicaRefused) before anything is written: its bulk rows would
    never be pushed to the team server.
    """
    def instead(*, server: str, owner: str, sync: str) -> Message:
        return Message("generate it on the team server instead, e.g. pipeline-manager demo --db {server}, "
                       "then sync ({sync})", server=server, sync=sync)

    refuse_on_replica(db, Message("cannot generate demo data"), instead)
    if deals < 1:
        raise AppError(Message("the number of demo deals must be at least 1"))
    end = end or datetime.now(UTC).date()
    rng = random.Random(seed)
    raw = db.is_sqlite and _raw_sqlite
    g = _Gen(rng, end, raw)
    with db.write() as s:
        if s.scalar(select(Opportunity.id).limit(1)) is not None:
            raise AppError(Message("the database already has deals; generate demo data into a new or empty database"))
        if db.is_sqlite:  # random UUID keys touch pages all over the indexes: keep them cached
            previous_cache = s.execute(text("PRAGMA cache_size")).scalar()
            s.execute(text(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}"))
        stages = active_stages(s)
        users = _users(s, g)
        reps = [u for u in users if u[1] is Role.REP]
        managers = [u for u in users if u[1] is Role.MANAGER]
        accounts, contacts_by_account, account_names = _accounts(s, g, deals)
        sources = _sources(s, g)
        _targets(s, g, deals, reps)
        sim = _DealSimulator(g, stages, reps, managers, accounts, contacts_by_account, account_names, sources)
        totals = dict(transitions=0, activities=0, evidence=0, close_date_changes=0)
        writer = BulkInserter(raw)
        done = 0
        while done < deals:
            n = min(CHUNK_DEALS, deals - done)
            buf = _Buffers()
            for _ in range(n):
                sim.deal(buf)
            writer.insert(s, Opportunity.__table__, buf.deals)
            for table, rows, key in (
                (StageTransition.__table__, buf.transitions, "transitions"),
                (Evidence.__table__, buf.evidence, "evidence"),
                (Activity.__table__, buf.activities, "activities"),
                (CloseDateChange.__table__, buf.close_changes, "close_date_changes"),
            ):
                if rows:
                    writer.insert(s, table, rows)
                totals[key] += len(rows)
            done += n
            if progress is not None:
                progress(done, deals)
        n_contacts = sum(len(v) for v in contacts_by_account.values())
        if db.is_sqlite:
            s.execute(text(f"PRAGMA cache_size = {int(previous_cache)}"))
    return DemoStats(deals=deals, accounts=len(accounts), contacts=n_contacts, users=len(users), **totals)


# ----------------------------------------------------------------- bulk writing

# ----------------------------------------------------------------- reference data

def _users(s, g: _Gen) -> list[tuple[uuid.UUID, Role, str]]:
    existing = {name: uid for uid, name in s.execute(select(User.id, User.name))}
    rows, out = [], []
    created = g.ts(-30 * DAY)
    for name, role, mail in USERS:
        uid = g.uid()
        if name in existing:
            uid = existing[name]
        else:
            rows.append(dict(id=uid, name=name, name_key=name_key(name), role=role.value, email=f"{mail}@example.co.kr",
                             active=True, created_at=created, updated_at=created))
        out.append((uid, role, name))
    if rows:
        s.execute(insert(User.__table__), rows)
    return out


def _accounts(s, g: _Gen, deals: int):
    rng = g.rng
    n = max(12, min(1200, deals // 5 + 10))
    names: list[tuple[str, bool]] = []
    ko = [(p + s_, True) for p in KO_PREFIX for s_ in KO_SUFFIX]
    en = [(f"{p} {s_}", False) for p in EN_PREFIX for s_ in EN_SUFFIX]
    rng.shuffle(ko)
    rng.shuffle(en)
    for i in range(n):
        names.append(ko[i // 2] if i % 2 == 0 else en[i // 2])
    created = g.ts(-60 * DAY)
    acc_rows, con_rows, out = [], [], []
    contacts: dict[uuid.UUID, list[uuid.UUID]] = {}
    account_names: dict[uuid.UUID, str] = {}
    for name, korean in names:
        aid = g.uid()
        slug = "".join(c for c in name.lower() if c.isascii() and c.isalnum()) or f"co{len(out)}"
        acc_rows.append(dict(id=aid, name=name, name_key=name_key(name), industry=rng.choice(INDUSTRIES),
                             country="KR" if korean or rng.random() < 0.6 else rng.choice(("US", "SG", "JP", "DE")),
                             website=f"https://www.{slug}.example.com" if not korean else None,
                             source_system=None, source_id=None, created_at=created, updated_at=created))
        out.append(aid)
        account_names[aid] = name
        contacts[aid] = []
        for _ in range(rng.randint(2, 4)):
            cid = g.uid()
            if korean:
                cname = rng.choice(KO_SURNAMES) + rng.choice(KO_GIVEN)
                title = rng.choice(KO_TITLES)
            else:
                cname = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
                title = rng.choice(EN_TITLES)
            con_rows.append(dict(id=cid, account_id=aid, name=cname, name_key=name_key(cname), job_title=title,
                                 email=f"contact{len(con_rows) + 1}@{slug or 'client'}.example.com",
                                 phone=f"+82-2-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}",
                                 created_at=created, updated_at=created))
            contacts[aid].append(cid)
    s.execute(insert(Account.__table__), acc_rows)
    s.execute(insert(Contact.__table__), con_rows)
    return out, contacts, account_names


def _sources(s, g: _Gen):
    """Lead sources with campaigns and monthly spend. Returns [(source_id, weight, [campaign rows])]."""
    rng = g.rng
    existing = {name: sid for sid, name in s.execute(select(LeadSource.id, LeadSource.name))}
    created = g.ts(-60 * DAY)
    src_rows, camp_rows, spend_rows, out = [], [], [], []
    months = [_month_start(g.end, MONTHS - 1 - i) for i in range(MONTHS)]
    weights = (22, 14, 12, 24, 16, 12)
    for (name, channel, spend, campaigns), w in zip(LEAD_SOURCES, weights, strict=True):
        sid = g.uid()
        if name in existing:
            sid = existing[name]
        else:
            src_rows.append(dict(id=sid, name=name, name_key=name_key(name), channel=channel, created_at=created, updated_at=created))
        camps = []
        for cname in campaigns:
            start_i = rng.randrange(0, MONTHS // 2)
            stop_i = rng.randrange(start_i + 3, MONTHS + 1)
            cid = g.uid()
            camp_rows.append(dict(id=cid, lead_source_id=sid, name=cname, name_key=name_key(cname), starts_on=months[start_i],
                                  ends_on=_month_end(months[stop_i - 1]), created_at=created, updated_at=created))
            camps.append((cid, months[start_i], _month_end(months[stop_i - 1])))
        for m in months:
            active = [c for c in camps if c[1] <= m <= c[2]]
            for cid in [c[0] for c in active] or [None]:
                amount = Decimal(int(spend * rng.uniform(0.6, 1.4) / max(1, len(active)) / 10_000) * 10_000)
                spend_rows.append(dict(id=g.uid(), lead_source_id=sid, campaign_id=cid, month=m,
                                       amount=amount, currency="KRW", created_at=created, updated_at=created))
        out.append((sid, w, camps))
    if src_rows:
        s.execute(insert(LeadSource.__table__), src_rows)
    s.execute(insert(Campaign.__table__), camp_rows)
    s.execute(insert(MarketingSpend.__table__), spend_rows)
    return out


def _targets(s, g: _Gen, deals: int, reps) -> None:
    """Team-wide monthly won-revenue targets and per-rep quarterly ones."""
    rng = g.rng
    created = g.ts(-30 * DAY)
    # about 27 % of the deals are won, average amount about 250 M KRW
    monthly = deals / MONTHS * 0.27 * 250_000_000
    rows = []
    for i in range(MONTHS):
        m = _month_start(g.end, MONTHS - 1 - i)
        value = Decimal(max(10_000_000, round(monthly * rng.uniform(0.95, 1.25), -7)))
        rows.append(dict(id=g.uid(), metric="won_revenue", owner_id=None, period_start=m,
                         period_end=_month_end(m), value=value, currency="KRW", created_at=created, updated_at=created))
    q = _month_start(g.first_month, (g.first_month.month - 1) % 3)
    while q <= g.end:
        q_end = _month_end(_month_start(q, -2))
        for uid, _role, _name in reps:
            value = Decimal(max(10_000_000, round(monthly * 3 / len(reps) * rng.uniform(0.9, 1.3), -7)))
            rows.append(dict(id=g.uid(), metric="won_revenue", owner_id=uid, period_start=q, period_end=q_end,
                             value=value, currency="KRW", created_at=created, updated_at=created))
        q = _month_start(q, -3)
    s.execute(insert(Target.__table__), rows)


# ----------------------------------------------------------------- deals

class _Buffers:
    def __init__(self):
        self.deals: list[dict] = []
        self.transitions: list[dict] = []
        self.evidence: list[dict] = []
        self.activities: list[dict] = []
        self.close_changes: list[dict] = []


class _DealSimulator:
    """Walks one deal through the process in time, writing only what the gates allow."""

    def __init__(self, g: _Gen, stages, reps, managers, accounts, contacts_by_account, account_names, sources):
        self.g = g
        self.rng = g.rng
        self.stages = stages
        self.stage_ids = [st.id for st in stages]
        self.n_stages = len(stages)
        # per stage: deliverables that need a recorded row (check, document, activity)
        self.recordable = [
            [d for d in st.deliverables if d.required and d.kind != DeliverableKind.FIELD.value]
            for st in stages
        ]
        self.blocked_types = [
            {t for d in st.deliverables if d.kind == DeliverableKind.ACTIVITY.value for t in d.activity_type_list}
            for st in stages
        ]
        self.reps = [r[0] for r in reps]
        self.managers = [m[0] for m in managers]
        self.accounts = accounts
        self.contacts = contacts_by_account
        self.account_names = account_names
        self.sources = sources
        self.source_weights = [w for _sid, w, _c in sources]
        self.rep_weights = list(REP_WEIGHTS[:len(self.reps)]) + [10] * max(0, len(self.reps) - len(REP_WEIGHTS))
        self.last_created = g.horizon - DAY

    def _dwell(self, pos: int, factor: float) -> int:
        median = STAGE_DWELL_DAYS[(pos - 1) % len(STAGE_DWELL_DAYS)] * DAY * factor
        return max(3 * 3600, int(median * math.exp(self.rng.gauss(0.0, DWELL_SIGMA))))

    def deal(self, buf: _Buffers) -> None:
        g, rng = self.g, self.rng
        did = g.uid()
        created = int(rng.random() * self.last_created)
        owner = rng.choices(self.reps, self.rep_weights)[0]
        account = rng.choice(self.accounts)
        contact = rng.choice(self.contacts[account])
        sid, _w, camps = rng.choices(self.sources, self.source_weights)[0]
        created_day = (g.t0 + timedelta(seconds=created)).date()
        live = [c[0] for c in camps if c[1] <= created_day <= c[2]]
        campaign = rng.choice(live) if live and rng.random() < 0.7 else None
        if rng.random() < 0.04:
            currency, amount = "USD", Decimal(int(math.exp(rng.uniform(math.log(10_000), math.log(1_500_000))) / 1000) * 1000)
        else:
            currency = "KRW"
            raw = math.exp(rng.uniform(math.log(10_000_000), math.log(2_000_000_000)))
            amount = Decimal(min(2_000_000_000, max(10_000_000, round(raw, -6))))
        outcome_won = rng.random() < P_WON
        factor = 1.0 if outcome_won else LOST_FACTOR
        stall = rng.randint(1, self.n_stages) if rng.random() < P_STALL[not outcome_won] else 0
        lost_at = 0 if outcome_won else rng.choices(range(1, self.n_stages + 1), LOST_AT_WEIGHTS[:self.n_stages])[0]

        transitions: list[dict] = []
        recorded: set = set()
        state = dict(owner=owner, did=did, contact=contact, buf=buf)

        def transition(at, from_pos, to_pos, from_status, to_status, kind, user, reason=None, override=None):
            if transitions:
                transitions[-1]["left_at"] = g.stamp(at)
            transitions.append(dict(
                id=g.uid(), opportunity_id=did,
                from_stage_id=self.stage_ids[from_pos - 1] if from_pos else None,
                to_stage_id=self.stage_ids[to_pos - 1], from_status=from_status, to_status=to_status,
                kind=kind, at=g.stamp(at), left_at=None, user_id=user, reason=reason,
                override_reason=override, imported=False))

        transition(created, None, 1, None, Status.OPEN.value, TransitionKind.CREATED.value, owner)
        t, pos, went_back, max_pos = created, 1, False, 1
        status, closed_at, loss_reason = Status.OPEN.value, None, None
        while True:
            f = factor * (0.5 if went_back and pos == max_pos - 1 else 1.0) * (3.0 if pos == stall else 1.0)
            leave = t + self._dwell(pos, f)
            self._extras(state, pos, t, min(leave, g.horizon))
            if leave >= g.horizon:  # still open at the end of the period
                self._partial(state, pos, t, g.horizon, recorded)
                self._open_tasks(state, pos, t)
                break
            if not outcome_won and pos == lost_at:
                self._partial(state, pos, t, leave, recorded)
                loss_reason = rng.choice(LOSS_REASONS)
                transition(leave, pos, pos, Status.OPEN.value, Status.LOST.value, TransitionKind.LOST.value,
                           owner, reason=loss_reason)
                status, closed_at = Status.LOST.value, leave
                break
            if pos >= 3 and not went_back and pos == max_pos and rng.random() < P_BACKWARD:
                self._partial(state, pos, t, leave, recorded)
                transition(leave, pos, pos - 1, Status.OPEN.value, Status.OPEN.value,
                           TransitionKind.BACKWARD.value, owner, reason=rng.choice(BACK_REASONS))
                went_back, t, pos = True, leave, pos - 1
                continue
            limit = self.n_stages if outcome_won else lost_at
            to = pos + 2 if pos + 2 <= limit and pos + 2 <= self.n_stages and rng.random() < P_SKIP else pos + 1
            gated = range(pos, min(to, self.n_stages + 1))
            if pos == self.n_stages:
                gated = range(pos, pos + 1)
            user, override = owner, None
            pending = [(p, d) for p in gated for d in self.recordable[p - 1] if d.id not in recorded]
            omit = None
            if pending and rng.random() < P_OVERRIDE:
                omit = rng.choice(pending)[1].id
                user, override = rng.choice(self.managers), rng.choice(OVERRIDE_REASONS)
            for p, d in pending:
                if d.id != omit:
                    self._record(state, p, d, self.g.between(t, leave), recorded)
            if pos == self.n_stages:
                transition(leave, pos, pos, Status.OPEN.value, Status.WON.value, TransitionKind.WON.value,
                           user, override=override)
                status, closed_at = Status.WON.value, leave
                break
            transition(leave, pos, to, Status.OPEN.value, Status.OPEN.value, TransitionKind.FORWARD.value,
                       user, override=override)
            t, pos = leave, to
            max_pos = max(max_pos, pos)

        last = closed_at if closed_at is not None else g.horizon
        never_left_1 = len(transitions) == 1
        if status == Status.OPEN.value and never_left_1 and rng.random() < 0.2:
            contact = None  # decision maker not identified yet
        if status == Status.OPEN.value and max_pos <= 4 and rng.random() < 0.15:
            amount = None
        expected = self._close_dates(buf, did, owner, created, last, closed_at is not None)
        if status == Status.OPEN.value:
            r = rng.random()
            fc = (ForecastCategory.COMMIT if pos >= 6 and r < 0.8 else ForecastCategory.BEST_CASE
                  if pos >= 4 and r < 0.7 else ForecastCategory.PIPELINE).value
        else:
            fc = (ForecastCategory.COMMIT if status == Status.WON.value else ForecastCategory.OMITTED).value
        cur = transitions[-1]
        title = f"{self.account_names[account]} {rng.choice(PRODUCTS)}"
        buf.deals.append(dict(
            id=did, title=title, title_key=name_key(title), account_id=account,
            contact_id=contact, owner_id=owner, amount=amount, currency=currency, expected_close=expected,
            forecast_category=fc, lead_source_id=sid, campaign_id=campaign, stage_id=self.stage_ids[pos - 1],
            status=status, stage_entered_at=cur["at"], closed_at=g.stamp(closed_at) if closed_at is not None else None,
            loss_reason=loss_reason, description=None, source_system=None, source_id=None,
            version=len(transitions), created_at=g.stamp(created), updated_at=cur["at"],
        ))
        buf.transitions.extend(transitions)

    def _record(self, state, pos: int, d, at: int, recorded: set) -> None:
        """Evidence (check/document) or a done activity (activity) for deliverable ``d``."""
        g, rng = self.g, self.rng
        recorded.add(d.id)
        kind = d.kind
        if kind == DeliverableKind.ACTIVITY.value:
            typ = rng.choice(d.activity_type_list)
            when = g.stamp(at)
            state["buf"].activities.append(dict(
                id=g.uid(), type=typ, subject=d.name_ko if rng.random() < 0.4 else d.name_en, notes=None,
                due_at=when, done_at=when, owner_id=state["owner"], opportunity_id=state["did"],
                contact_id=state["contact"], stage_id=self.stage_ids[pos - 1], created_at=when, updated_at=when))
            return
        note = file_path = link = None
        if kind == DeliverableKind.DOCUMENT.value:
            if rng.random() < 0.5:
                file_path = f"//fileserver/sales/{state['did'].hex[:8]}/{d.key}.pdf"
            else:
                link = f"https://drive.example.com/d/{state['did'].hex[:8]}-{d.key}"
        elif d.requires_note or rng.random() < 0.3:
            note = rng.choice(EVIDENCE_NOTES)
        user = state["owner"]
        if d.key == "discount_approval" and self.managers:
            user = rng.choice(self.managers)
        when = g.stamp(at)
        state["buf"].evidence.append(dict(
            id=g.uid(), opportunity_id=state["did"], deliverable_id=d.id, user_id=user, at=when, note=note,
            file_path=file_path, link=link, withdrawn_at=None, withdrawn_by_id=None,
            created_at=when, updated_at=when))

    def _partial(self, state, pos: int, start: int, stop: int, recorded: set) -> None:
        """Some of the current stage's deliverables, recorded during the visit."""
        todo = [d for d in self.recordable[pos - 1] if d.id not in recorded]
        if not todo:
            return
        k = self.rng.randint(0, len(todo))
        for d in self.rng.sample(todo, k):
            self._record(state, pos, d, self.g.between(start, stop), recorded)

    def _extras(self, state, pos: int, start: int, stop: int) -> None:
        """Calls, emails, tasks and notes during a visit (never types that would satisfy a gate)."""
        g, rng = self.g, self.rng
        types = [t for t in ("call", "email", "task", "note") if t not in self.blocked_types[pos - 1]]
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            typ = rng.choice(types)
            when = g.stamp(g.between(start, stop))
            state["buf"].activities.append(dict(
                id=g.uid(), type=typ, subject=rng.choice(EXTRA_SUBJECTS[typ]), notes=None,
                due_at=when, done_at=when, owner_id=state["owner"], opportunity_id=state["did"],
                contact_id=state["contact"], stage_id=self.stage_ids[pos - 1], created_at=when, updated_at=when))

    def _open_tasks(self, state, pos: int, start: int) -> None:
        """Open follow-ups of an open deal: some due in the next days, some overdue."""
        g, rng = self.g, self.rng
        types = [t for t in ("call", "email", "task") if t not in self.blocked_types[pos - 1]]
        for _ in range(rng.choice((0, 1, 1, 2))):
            typ = rng.choice(types)
            overdue = g.horizon - rng.randint(1, 10) * DAY + rng.randint(9, 17) * 3600
            if rng.random() < 0.35 and overdue > start + 3600:
                due = overdue
            else:
                due = g.horizon + rng.randint(0, 7) * DAY + rng.randint(9, 17) * 3600
            created = g.between(start, min(due, g.horizon))
            state["buf"].activities.append(dict(
                id=g.uid(), type=typ, subject=rng.choice(EXTRA_SUBJECTS[typ]), notes=None,
                due_at=g.stamp(due), done_at=None, owner_id=state["owner"], opportunity_id=state["did"],
                contact_id=state["contact"], stage_id=self.stage_ids[pos - 1],
                created_at=g.stamp(created), updated_at=g.stamp(created)))

    def _close_dates(self, buf: _Buffers, did, owner, created: int, last: int, closed: bool) -> date:
        """The first expected close date at creation, then pushes while the deal runs late."""
        g, rng = self.g, self.rng
        optimistic = sum(STAGE_DWELL_DAYS) * rng.uniform(0.6, 1.3)
        expected = (g.t0 + timedelta(seconds=created) + timedelta(days=optimistic)).date()
        buf.close_changes.append(dict(id=g.uid(), opportunity_id=did, old_date=None, new_date=expected,
                                      at=g.stamp(created), user_id=owner, imported=False))
        at_prev = created
        pushes = 0
        last_day = (g.t0 + timedelta(seconds=last)).date()
        while pushes < 4 and (expected < last_day or (pushes == 0 and rng.random() < 0.08)):
            at = int((datetime(expected.year, expected.month, expected.day, tzinfo=UTC) - g.t0).total_seconds())
            at = at - rng.randint(0, 5) * DAY + rng.randint(8, 18) * 3600
            at = max(at, at_prev + 3600)
            if at >= last:
                break
            new = expected + timedelta(days=rng.randint(14, 60))
            buf.close_changes.append(dict(id=g.uid(), opportunity_id=did, old_date=expected, new_date=new,
                                          at=g.stamp(at), user_id=owner, imported=False))
            expected, at_prev = new, at
            pushes += 1
        return expected
