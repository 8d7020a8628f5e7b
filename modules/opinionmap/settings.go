// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import "github.com/polder-civic/polder/core/registry"

// Who may take part in a conversation.
const (
	ParticipationAnonymous = "anonymous" // anyone, an account is not needed
	ParticipationAccounts  = "accounts"  // logged-in participants
	ParticipationVerified  = "verified"  // participants whose account is verified
)

// How participant statements are moderated.
const (
	ModerationPre  = "pre"  // shown once accepted
	ModerationPost = "post" // shown at once, may be rejected later
)

var settingsSchema = registry.Schema{
	{Key: "topic", Type: registry.String, Default: "", Label: "opinionmap.setting.topic"},
	{Key: "description", Type: registry.Text, Default: "", Label: "opinionmap.setting.description"},
	{Key: "participation", Type: registry.Enum, Default: ParticipationAnonymous, Options: []string{ParticipationAnonymous, ParticipationAccounts, ParticipationVerified}, Label: "opinionmap.setting.participation"},
	{Key: "participant_statements", Type: registry.Bool, Default: true, Label: "opinionmap.setting.participant_statements"},
	{Key: "moderation", Type: registry.Enum, Default: ModerationPost, Options: []string{ModerationPre, ModerationPost}, Label: "opinionmap.setting.moderation"},
	{Key: "max_length", Type: registry.Int, Default: 140, Min: registry.IntPtr(20), Max: registry.IntPtr(1000), Label: "opinionmap.setting.max_length"},
	{Key: "recompute_delay", Type: registry.Int, Default: 5, Min: registry.IntPtr(0), Max: registry.IntPtr(3600), Label: "opinionmap.setting.recompute_delay"},
}

// Settings are a conversation's settings, typed.
type Settings struct {
	Topic, Description    string
	Participation         string
	ParticipantStatements bool
	Moderation            string
	MaxLength             int
	// RecomputeDelay is the debounce, in seconds, between a vote and the
	// recompute it triggers.
	RecomputeDelay int
}

// SettingsFrom types decoded settings values.
func SettingsFrom(v registry.Values) Settings {
	return Settings{Topic: v.String("topic"), Description: v.String("description"), Participation: v.String("participation"),
		ParticipantStatements: v.Bool("participant_statements"), Moderation: v.String("moderation"),
		MaxLength: v.Int("max_length"), RecomputeDelay: v.Int("recompute_delay")}
}
