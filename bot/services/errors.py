"""Domain refusals. Handlers turn the code into a translated sentence."""

from __future__ import annotations

from enum import StrEnum


class Problem(StrEnum):
    COHORT_EXISTS = "cohort_exists"
    NAME_INVALID = "name_invalid"  # a name (or its comparison key) outside the limits: bot.parsing
    START_DATE_RANGE = "start_date_range"  # a cohort's start beyond START_RANGE of today
    INVITE_LIMITS = "invite_limits"  # an invite's chosen days or uses outside the limits
    COHORT_NOT_FOUND = "cohort_not_found"
    COHORT_ENDED = "cohort_ended"
    CURRICULUM_NOT_FOUND = "curriculum_not_found"
    INVITE_NOT_FOUND = "invite_not_found"
    INVITE_EXPIRED = "expired"
    INVITE_REVOKED = "revoked"
    INVITE_USED_UP = "used_up"
    ALREADY_MEMBER = "already_member"
    NOT_ALLOWED = "not_allowed"
    PERSON_NOT_FOUND = "person_not_found"
    ROLE_UNCHANGED = "role_unchanged"
    LAST_COORDINATOR = "last_coordinator"  # /revoke would leave nobody to manage the organisation
    NO_CURRICULUM = "no_curriculum"
    LESSON_NOT_AVAILABLE = "lesson_not_available"
    SESSION_NOT_FOUND = "session_not_found"
    SESSION_EXISTS = "session_exists"
    SESSION_INVALID = "session_invalid"
    CHECKIN_CLOSED = "checkin_closed"
    CHECKIN_WRONG_CODE = "checkin_wrong_code"
    CHECKIN_TOO_MANY_TRIES = "checkin_too_many_tries"
    CHECKIN_FULL = "checkin_full"
    CHECKIN_NOT_MEMBER = "checkin_not_member"
    CHECKIN_CODE_EXPIRED = "checkin_code_expired"
    CHECKIN_ENDED = "checkin_ended"
    CHECKIN_NOT_NEAR = "checkin_not_near"  # a check-in opened far from the session's start (an old button)
    COHORT_OVER = "cohort_over"  # an ended cohort's sessions, check-ins and roll no longer change
    NOT_TRAINEE_OF_COHORT = "not_trainee_of_cohort"  # a roll button about someone who left the cohort
    NO_RECIPIENTS = "no_recipients"
    TEXT_TOO_LONG = "text_too_long"
    TIME_IN_PAST = "time_in_past"
    TIME_TOO_FAR = "time_too_far"
    PLAN_NOT_FOUND = "plan_not_found"  # campaign planner, from here on
    POST_NOT_FOUND = "post_not_found"
    NOT_PLAN_OWNER = "not_plan_owner"
    PLAN_LIMIT = "plan_limit"
    TEAM_LIMIT = "team_limit"
    TEAMMATE_OTHER_COHORT = "teammate_other_cohort"
    CAMPAIGN_TEXT = "campaign_text"
    CAMPAIGN_HASHTAG = "campaign_hashtag"
    CAMPAIGN_TARGET = "campaign_target"
    CAMPAIGN_PLATFORMS = "campaign_platforms"
    POST_IN_PAST = "post_in_past"
    POST_TOO_FAR = "post_too_far"
    REPEAT_END = "repeat_end"
    POSTS_PER_DAY = "posts_per_day"
    POSTS_PER_PLAN = "posts_per_plan"
    OCCURRENCE_GONE = "occurrence_gone"
    OCCURRENCE_NOT_YET = "occurrence_not_yet"  # Done or Skip before a reminder for it could have come


class DomainError(Exception):
    def __init__(self, problem: Problem, **details: object) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.details = details
