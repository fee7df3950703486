package copilot

import "encoding/json"

// Call statuses that the [Poller] turns into events. Copilot lists many
// more; see its REST documentation.
const (
	StatusProcessed          = "PROCESSED"
	StatusPostProcessingDone = "POST_PROCESSING_DONE"
)

// Call is a call as returned by Copilot's GET /calls, with the field names
// of its REST schema. The schema does not fix the JSON type of the ids or of
// deal_value. The id fields are of type [ID], which accepts a string or a
// number. DealValue is a [json.Number], which accepts a number or a numeric
// string.
type Call struct {
	ID                   ID            `json:"id"`
	SourceID             ID            `json:"source_id,omitempty"`
	Title                string        `json:"title,omitempty"`
	Users                []CallUser    `json:"users,omitempty"`
	ExternalParticipants []Participant `json:"externalParticipants,omitempty"`
	JoinedParticipants   []Participant `json:"joinedParticipants,omitempty"`
	Status               string        `json:"status"`
	BotNotJoinReason     []string      `json:"bot_not_join_reason,omitempty"`
	Type                 string        `json:"type,omitempty"`
	Time                 string        `json:"time,omitempty"`
	ICalUID              string        `json:"icaluid,omitempty"`
	CalendarID           string        `json:"calendar_id,omitempty"`
	RecurringEventID     string        `json:"recurring_event_id,omitempty"`
	OriginalStartTime    string        `json:"original_start_time,omitempty"`
	LastModifiedTime     string        `json:"last_modified_time,omitempty"`
	AudioURL             string        `json:"audio_url,omitempty"`
	VideoURL             string        `json:"video_url,omitempty"`
	Disposition          string        `json:"disposition,omitempty"`
	DealName             string        `json:"deal_name,omitempty"`
	DealValue            json.Number   `json:"deal_value,omitempty"`
	DealCloseDate        string        `json:"deal_close_date,omitempty"`
	DealStageBeforeCall  string        `json:"deal_stage_before_call,omitempty"`
	AccountName          string        `json:"account_name,omitempty"`
	ContactNames         []string      `json:"contact_names,omitempty"`
	CRMInfo              *CRMInfo      `json:"crm_info,omitempty"`
	BookmarkTimestamps   []float64     `json:"bookmark_timestamps,omitempty"`
	Metrics              *CallMetrics  `json:"metrics,omitempty"`
	CallReviewPageURL    string        `json:"call_review_page_url,omitempty"`
}

// CallUser is a Copilot user who took part in a call.
type CallUser struct {
	UserID      ID     `json:"userId,omitempty"`
	UserEmail   string `json:"userEmail,omitempty"`
	IsOrganizer bool   `json:"isOrganizer,omitempty"`
	PersonID    ID     `json:"personId,omitempty"`
}

// Participant is a person outside the workspace who took part in a call.
type Participant struct {
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	PersonID ID     `json:"personId,omitempty"`
}

// CRMInfo links a call to CRM records.
type CRMInfo struct {
	SourceCRM  string `json:"source_crm,omitempty"`
	DealID     ID     `json:"deal_id,omitempty"`
	AccountID  ID     `json:"account_id,omitempty"`
	ContactIDs []ID   `json:"contact_ids,omitempty"`
}

// CallMetrics are the conversation metrics of a call. Durations are in
// seconds.
type CallMetrics struct {
	TalkListenRatio           float64  `json:"talk_listen_ratio,omitempty"`
	NumQuestionsAsked         int      `json:"num_questions_asked,omitempty"`
	NumQuestionsAskedByReps   int      `json:"num_questions_asked_by_reps,omitempty"`
	CallDuration              float64  `json:"call_duration,omitempty"`
	TotalSpeakDuration        float64  `json:"total_speak_duration,omitempty"`
	LongestMonologueDuration  float64  `json:"longest_monologue_duration,omitempty"`
	LongestMonologueStartTime float64  `json:"longest_monologue_start_time,omitempty"`
	EngagingQuestions         int      `json:"engaging_questions,omitempty"`
	Categories                []string `json:"categories,omitempty"`
}

// CallDetails is a call as returned by Copilot's GET /call-details: the
// fields of [Call] plus the transcript, the summary and the live deal stage.
type CallDetails struct {
	Call
	DealStageLive        string            `json:"deal_stage_live,omitempty"`
	Transcript           []TranscriptEntry `json:"transcript,omitempty"`
	Summary              *CallSummary      `json:"summary,omitempty"`
	CompetitorSentiments []json.RawMessage `json:"competitor_sentiments,omitempty"`
}

// TranscriptEntry is one utterance of a call transcript. Start and End are
// offsets from the start of the call, in seconds.
type TranscriptEntry struct {
	Text        string            `json:"text"`
	Start       float64           `json:"start"`
	End         float64           `json:"end"`
	PersonID    ID                `json:"personId,omitempty"`
	Annotations []json.RawMessage `json:"annotations,omitempty"`
}

// CallSummary is the generated summary of a call.
type CallSummary struct {
	FullSummary     string   `json:"full_summary,omitempty"`
	TopicsDiscussed []string `json:"topics_discussed,omitempty"`
	KeyActionItems  []string `json:"key_action_items,omitempty"`
}

// User is a Copilot workspace user as returned by GET /users. Role is REP,
// MANAGER or OBSERVER.
type User struct {
	ID          ID     `json:"id"`
	Email       string `json:"email"`
	Name        string `json:"name,omitempty"`
	Role        string `json:"role,omitempty"`
	IsRecording bool   `json:"is_recording,omitempty"`
	ManagerID   ID     `json:"manager_id,omitempty"`
}
