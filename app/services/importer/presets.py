"""Mappings for real export layouts: Pipedrive, Salesforce (Opportunity + OpportunityHistory),
HubSpot (with its per-stage "Date entered" columns) and our own column names (generic).

Each preset lists the header spellings found in the wild (matched case-insensitively, a
trailing ``*`` stripped); the first one present in a file is used. Source stages map onto
our seven stages by meaning and win probability (see docs/import-mapping.md).
"""

from __future__ import annotations

from app.errors import AppError, Message
from app.services.importer.mapping import HistoryFile, Lookup, Mapping, norm

PRESETS = ("generic", "pipedrive", "salesforce", "hubspot")


def _m(name: str, source_system: str, fields: dict, stages: dict, statuses: dict | None = None, **kw) -> Mapping:
    data = {"name": name, "source_system": source_system, "fields": fields, "stage_values": stages,
            "status_values": statuses or {}, **kw}
    return Mapping.from_dict(data)


def generic() -> Mapping:
    """Our own column names, as ``pipeline-manager deals`` writes them (plus dates). Its
    ``id`` is read as the source id, and an id that is one of our deals' is that deal (the
    engine's rule), so an export imported back updates the deals it lists."""
    return _m("generic", "import", {
        "source_id": ["source_id", "id"],
        "title": ["title"],
        "account": ["account"],
        "contact": ["contact"],
        "owner": ["owner"],
        "amount": ["amount"],
        "currency": ["currency"],
        "expected_close": ["expected_close"],
        "created": ["created", "created_at"],
        "closed": ["closed", "closed_at"],
        "won_date": ["won_date"],
        "lost_date": ["lost_date"],
        "stage_changed": ["stage_changed", "stage_entered_at"],
        "lead_source": ["lead_source"],
        "status": ["status"],
        "stage": ["stage"],
        "loss_reason": ["loss_reason"],
        "description": ["description"],
    }, {})


def pipedrive() -> Mapping:
    """``Deal - …`` headers in the spellings of Pipedrive's export, import sheet and API tools."""
    return _m("pipedrive", "pipedrive", {
        "source_id": ["Deal - ID", "Deal - Pipedrive System ID"],
        "title": ["Deal - Title"],
        "owner": ["Deal - Owner"],
        "amount": ["Deal - Value", "Deal - Deal value"],
        "currency": ["Deal - Currency of Value", "Deal - Currency"],
        "account": ["Deal - Organization", "Organization", "Organization - Name"],
        "contact": ["Deal - Contact person", "Contact person", "Person - Name"],
        "stage": ["Deal - Stage", "Deal - Stage (pipeline)"],
        "status": ["Deal - Status"],
        "created": ["Deal - Deal created", "Deal - Creation date", "Deal - Deal created on"],
        "closed": ["Deal - Deal closed on", "Deal - Closed on"],
        "won_date": ["Deal - Won time"],
        "lost_date": ["Deal - Lost time"],
        "stage_changed": ["Deal - Last stage change"],
        "expected_close": ["Deal - Expected close date"],
        "loss_reason": ["Deal - Lost reason"],
        "lead_source": ["Deal - Source origin", "Deal - Source channel"],
    }, {
        "Lead In": 1, "Contact Made": 2, "Qualified": 2, "Needs Defined": 3, "Demo Scheduled": 5,
        "Proposal Made": 4, "Negotiations Started": 6,
    }, {"Open": "open", "Won": "won", "Lost": "lost"}, currency="USD")


SALESFORCE_STAGES = {
    "Prospecting": 1, "Qualification": 2, "Needs Analysis": 3, "Value Proposition": 4,
    "Id. Decision Makers": 4, "Perception Analysis": 5, "Proposal/Price Quote": 5,
    "Negotiation/Review": 6, "Closed Won": "won", "Closed Lost": "lost",
}


def salesforce() -> Mapping:
    """Opportunity.csv (API names or report labels) plus OpportunityHistory.csv beside it;
    AccountId and OwnerId are named from Account.csv and User.csv of the same export."""
    return _m("salesforce", "salesforce", {
        "source_id": ["Id", "Opportunity ID", "Opportunity Id"],
        "title": ["Name", "Opportunity Name"],
        "account": ["Account Name", "AccountName", "Account.Name", "AccountId", "Account ID"],
        "owner": ["Opportunity Owner", "Owner Name", "OwnerName", "Owner.Name", "OwnerId"],
        "amount": ["Amount", "Total Amount"],
        "currency": ["CurrencyIsoCode", "Opportunity Currency", "Total Amount Currency", "Amount Currency"],
        "expected_close": ["CloseDate", "Close Date"],
        "closed": ["CloseDate", "Close Date"],
        "created": ["CreatedDate", "Created Date"],
        "stage": ["StageName", "Stage"],
        "stage_changed": ["LastStageChangeDate"],
        "lead_source": ["LeadSource", "Lead Source"],
        "description": ["Description"],
    }, SALESFORCE_STAGES, {}, currency="USD",
        history_file={"file": "OpportunityHistory.csv", "deal_id": ["OpportunityId"], "at": ["CreatedDate"],
                      "stage": ["StageName"], "close_date": ["CloseDate"], "deleted": ["IsDeleted"]},
        lookups=[{"field": "account", "file": "Account.csv", "key": "Id", "name": "Name"},
                 {"field": "owner", "file": "User.csv", "key": "Id", "name": "Name"}])


HUBSPOT_STAGES = {
    "Appointment Scheduled": 1, "appointmentscheduled": 1,
    "Qualified To Buy": 2, "qualifiedtobuy": 2,
    "Presentation Scheduled": 4, "presentationscheduled": 4,
    "Decision Maker Bought-In": 6, "decisionmakerboughtin": 6,
    "Contract Sent": 7, "contractsent": 7,
    "Closed Won": "won", "closedwon": "won",
    "Closed Lost": "lost", "closedlost": "lost",
}


def hubspot() -> Mapping:
    """Deal exports with labels or internal names; ``Date entered "<Stage> (<Pipeline>)"``
    columns (either quote style) become the stage history."""
    return _m("hubspot", "hubspot", {
        "source_id": ["Record ID", "Deal ID", "hs_object_id"],
        "title": ["Deal Name", "dealname"],
        "stage": ["Deal Stage", "dealstage"],
        "owner": ["Deal owner", "Deal Owner", "hubspot_owner_id"],
        "amount": ["Amount", "amount"],
        "currency": ["Currency", "deal_currency_code"],
        "expected_close": ["Close Date", "closedate"],
        "closed": ["Close Date", "closedate"],
        "created": ["Create Date", "createdate"],
        "stage_changed": ["Date entered current stage"],
        "loss_reason": ["Closed Lost Reason", "closed_lost_reason"],
        "account": ["Primary Associated Company", "Associated Company", "Company name"],
        "description": ["Deal Description", "description"],
    }, HUBSPOT_STAGES, {}, currency="USD", history_columns="Date entered")


_BUILDERS = {"generic": generic, "pipedrive": pipedrive, "salesforce": salesforce, "hubspot": hubspot}


def preset(name: str) -> Mapping:
    try:
        return _BUILDERS[name.lower()]()
    except KeyError:
        raise AppError(Message("unknown preset '{name}' (one of {presets})", name=name,
                               presets=", ".join(PRESETS))) from None


def detect_preset(headers: list[str]) -> str:
    """Guess the layout from the header row."""
    h = {norm(x).rstrip("*").strip() for x in headers}
    if any(x.startswith("deal - ") for x in h):
        return "pipedrive"
    if "stagename" in h or ("opportunity name" in h and "stage" in h):
        return "salesforce"
    if "deal stage" in h or "dealstage" in h or ("record id" in h and "deal name" in h):
        return "hubspot"
    return "generic"


__all__ = ["HistoryFile", "Lookup", "PRESETS", "detect_preset", "preset"]
