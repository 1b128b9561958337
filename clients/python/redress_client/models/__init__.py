"""Contains all the data models used in inputs/outputs"""

from .api_key_create import ApiKeyCreate
from .api_key_create_role import ApiKeyCreateRole
from .api_key_list import ApiKeyList
from .api_key_public import ApiKeyPublic
from .api_key_summary import ApiKeySummary
from .arbitration import Arbitration
from .attempt import Attempt
from .attempt_response_headers_type_0 import AttemptResponseHeadersType0
from .case_create import CaseCreate
from .case_create_condition_type_0 import CaseCreateConditionType0
from .case_create_kind import CaseCreateKind
from .case_create_lost_at_type_0 import CaseCreateLostAtType0
from .case_create_plan_type_0 import CaseCreatePlanType0
from .case_create_platform import CaseCreatePlatform
from .case_list import CaseList
from .case_public import CasePublic
from .case_public_fields import CasePublicFields
from .case_public_resolution_type_0 import CasePublicResolutionType0
from .case_public_text_translations import CasePublicTextTranslations
from .case_summary import CaseSummary
from .case_summary_resolution_type_0 import CaseSummaryResolutionType0
from .certification import Certification
from .chain_verification import ChainVerification
from .checkpoint import Checkpoint
from .checkpoint_page import CheckpointPage
from .cloud_event import CloudEvent
from .cloud_event_data import CloudEventData
from .contact_hours import ContactHours
from .deadline_at_risk import DeadlineAtRisk
from .deadline_explanation import DeadlineExplanation
from .deadline_explanation_calendar import DeadlineExplanationCalendar
from .deadline_explanation_started_by import DeadlineExplanationStartedBy
from .deadline_public import DeadlinePublic
from .deadlines_at_risk import DeadlinesAtRisk
from .decision import Decision
from .decision_decision import DecisionDecision
from .delivery import Delivery
from .delivery_list import DeliveryList
from .diagnosis import Diagnosis
from .diagnosis_outcome import DiagnosisOutcome
from .empty import Empty
from .erasure_public import ErasurePublic
from .erasure_request import ErasureRequest
from .escalate import Escalate
from .event_page import EventPage
from .explained_segment import ExplainedSegment
from .first_response import FirstResponse
from .history import History
from .history_entry import HistoryEntry
from .history_entry_actor import HistoryEntryActor
from .history_entry_data import HistoryEntryData
from .history_entry_resolution_type_0 import HistoryEntryResolutionType0
from .http_validation_error import HTTPValidationError
from .list_cases_route_v1_cases_get_resolution_type_0 import ListCasesRouteV1CasesGetResolutionType0
from .list_cases_route_v1_cases_get_sort import ListCasesRouteV1CasesGetSort
from .message_in import MessageIn
from .message_public import MessagePublic
from .message_public_author import MessagePublicAuthor
from .order_in import OrderIn
from .order_public import OrderPublic
from .overview import Overview
from .overview_v1_stats_overview_get_platform_type_0 import OverviewV1StatsOverviewGetPlatformType0
from .paused_deadline import PausedDeadline
from .payout_confirmation import PayoutConfirmation
from .platform_list import PlatformList
from .platform_stats import PlatformStats
from .platform_stats_by_resolution import PlatformStatsByResolution
from .platform_stats_by_status import PlatformStatsByStatus
from .platforms_v1_platforms_get_response_platforms_v1_platforms_get import (
    PlatformsV1PlatformsGetResponsePlatformsV1PlatformsGet,
)
from .policy_draft import PolicyDraft
from .policy_version_v1_platforms_platform_versions_version_get_platform import (
    PolicyVersionV1PlatformsPlatformVersionsVersionGetPlatform,
)
from .policy_version_v1_platforms_platform_versions_version_get_response_policy_version_v1_platforms_platform_versions_version_get import (
    PolicyVersionV1PlatformsPlatformVersionsVersionGetResponsePolicyVersionV1PlatformsPlatformVersionsVersionGet,
)
from .policy_versions_v1_platforms_platform_versions_get_platform import (
    PolicyVersionsV1PlatformsPlatformVersionsGetPlatform,
)
from .policy_versions_v1_platforms_platform_versions_get_response_policy_versions_v1_platforms_platform_versions_get import (
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet,
)
from .policy_what_if_v1_platforms_platform_what_if_post_response_policy_what_if_v1_platforms_platform_what_if_post import (
    PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost,
)
from .problem_details import ProblemDetails
from .problem_details_errors_type_0_item import ProblemDetailsErrorsType0Item
from .problem_types_v1_problems_get_response_problem_types_v1_problems_get import (
    ProblemTypesV1ProblemsGetResponseProblemTypesV1ProblemsGet,
)
from .proposal_public import ProposalPublic
from .recovery import Recovery
from .refund_in import RefundIn
from .refund_in_payer import RefundInPayer
from .refund_public import RefundPublic
from .refund_total import RefundTotal
from .reject import Reject
from .repayment import Repayment
from .respond import Respond
from .return_shipment import ReturnShipment
from .return_shipment_public import ReturnShipmentPublic
from .revocation import Revocation
from .rotated import Rotated
from .ruling import Ruling
from .ruling_in_favour_of import RulingInFavourOf
from .ruling_payer_type_0 import RulingPayerType0
from .ruling_public import RulingPublic
from .scorecard import Scorecard
from .scorecard_list import ScorecardList
from .settlement import Settlement
from .settlement_public import SettlementPublic
from .stats import Stats
from .stats_by_resolution import StatsByResolution
from .stats_by_status import StatsByStatus
from .status import Status
from .store_close import StoreClose
from .store_close_decision import StoreCloseDecision
from .store_create import StoreCreate
from .store_create_platform import StoreCreatePlatform
from .store_public import StorePublic
from .store_warning import StoreWarning
from .stores_v1_stats_stores_get_platform_type_0 import StoresV1StatsStoresGetPlatformType0
from .subject_export import SubjectExport
from .subject_export_cases_item import SubjectExportCasesItem
from .suspend import Suspend
from .suspend_reason import SuspendReason
from .suspension_proof import SuspensionProof
from .suspension_proof_authority import SuspensionProofAuthority
from .translation_public import TranslationPublic
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext
from .verification import Verification
from .webhook_create import WebhookCreate
from .webhook_created import WebhookCreated
from .webhook_list import WebhookList
from .webhook_public import WebhookPublic
from .withdraw import Withdraw

__all__ = (
    "ApiKeyCreate",
    "ApiKeyCreateRole",
    "ApiKeyList",
    "ApiKeyPublic",
    "ApiKeySummary",
    "Arbitration",
    "Attempt",
    "AttemptResponseHeadersType0",
    "CaseCreate",
    "CaseCreateConditionType0",
    "CaseCreateKind",
    "CaseCreateLostAtType0",
    "CaseCreatePlanType0",
    "CaseCreatePlatform",
    "CaseList",
    "CasePublic",
    "CasePublicFields",
    "CasePublicResolutionType0",
    "CasePublicTextTranslations",
    "CaseSummary",
    "CaseSummaryResolutionType0",
    "Certification",
    "ChainVerification",
    "Checkpoint",
    "CheckpointPage",
    "CloudEvent",
    "CloudEventData",
    "ContactHours",
    "DeadlineAtRisk",
    "DeadlineExplanation",
    "DeadlineExplanationCalendar",
    "DeadlineExplanationStartedBy",
    "DeadlinePublic",
    "DeadlinesAtRisk",
    "Decision",
    "DecisionDecision",
    "Delivery",
    "DeliveryList",
    "Diagnosis",
    "DiagnosisOutcome",
    "Empty",
    "ErasurePublic",
    "ErasureRequest",
    "Escalate",
    "EventPage",
    "ExplainedSegment",
    "FirstResponse",
    "History",
    "HistoryEntry",
    "HistoryEntryActor",
    "HistoryEntryData",
    "HistoryEntryResolutionType0",
    "HTTPValidationError",
    "ListCasesRouteV1CasesGetResolutionType0",
    "ListCasesRouteV1CasesGetSort",
    "MessageIn",
    "MessagePublic",
    "MessagePublicAuthor",
    "OrderIn",
    "OrderPublic",
    "Overview",
    "OverviewV1StatsOverviewGetPlatformType0",
    "PausedDeadline",
    "PayoutConfirmation",
    "PlatformList",
    "PlatformStats",
    "PlatformStatsByResolution",
    "PlatformStatsByStatus",
    "PlatformsV1PlatformsGetResponsePlatformsV1PlatformsGet",
    "PolicyDraft",
    "PolicyVersionsV1PlatformsPlatformVersionsGetPlatform",
    "PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet",
    "PolicyVersionV1PlatformsPlatformVersionsVersionGetPlatform",
    "PolicyVersionV1PlatformsPlatformVersionsVersionGetResponsePolicyVersionV1PlatformsPlatformVersionsVersionGet",
    "PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost",
    "ProblemDetails",
    "ProblemDetailsErrorsType0Item",
    "ProblemTypesV1ProblemsGetResponseProblemTypesV1ProblemsGet",
    "ProposalPublic",
    "Recovery",
    "RefundIn",
    "RefundInPayer",
    "RefundPublic",
    "RefundTotal",
    "Reject",
    "Repayment",
    "Respond",
    "ReturnShipment",
    "ReturnShipmentPublic",
    "Revocation",
    "Rotated",
    "Ruling",
    "RulingInFavourOf",
    "RulingPayerType0",
    "RulingPublic",
    "Scorecard",
    "ScorecardList",
    "Settlement",
    "SettlementPublic",
    "Stats",
    "StatsByResolution",
    "StatsByStatus",
    "Status",
    "StoreClose",
    "StoreCloseDecision",
    "StoreCreate",
    "StoreCreatePlatform",
    "StorePublic",
    "StoresV1StatsStoresGetPlatformType0",
    "StoreWarning",
    "SubjectExport",
    "SubjectExportCasesItem",
    "Suspend",
    "SuspendReason",
    "SuspensionProof",
    "SuspensionProofAuthority",
    "TranslationPublic",
    "ValidationError",
    "ValidationErrorContext",
    "Verification",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookList",
    "WebhookPublic",
    "Withdraw",
)
