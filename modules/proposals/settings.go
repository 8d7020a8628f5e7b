// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import "github.com/polder-civic/polder/core/registry"

// Who may author proposals.
const (
	AuthorsParticipants = "participants" // any logged-in participant
	AuthorsVerified     = "verified"     // participants whose account is verified (confirmed)
)

// Quota of 0 means "no limit" for every quota setting.
var settingsSchema = registry.Schema{
	{Key: "quota_theme_session", Type: registry.Int, Default: 1, Min: registry.IntPtr(0), Max: registry.IntPtr(1000), Label: "proposals.setting.quota_theme_session", Help: "proposals.setting.quota_help"},
	{Key: "quota_session", Type: registry.Int, Default: 0, Min: registry.IntPtr(0), Max: registry.IntPtr(10000), Label: "proposals.setting.quota_session", Help: "proposals.setting.quota_help"},
	{Key: "quota_total", Type: registry.Int, Default: 0, Min: registry.IntPtr(0), Max: registry.IntPtr(100000), Label: "proposals.setting.quota_total", Help: "proposals.setting.quota_help"},
	{Key: "authors", Type: registry.Enum, Default: AuthorsParticipants, Options: []string{AuthorsParticipants, AuthorsVerified}, Label: "proposals.setting.authors"},
	{Key: "groups_may_author", Type: registry.Bool, Default: true, Label: "proposals.setting.groups_may_author"},
	{Key: "group_quota_theme_session", Type: registry.Int, Default: 1, Min: registry.IntPtr(0), Max: registry.IntPtr(1000), Label: "proposals.setting.group_quota_theme_session", Help: "proposals.setting.quota_help"},
	{Key: "group_quota_session", Type: registry.Int, Default: 0, Min: registry.IntPtr(0), Max: registry.IntPtr(10000), Label: "proposals.setting.group_quota_session", Help: "proposals.setting.quota_help"},
	{Key: "group_quota_total", Type: registry.Int, Default: 0, Min: registry.IntPtr(0), Max: registry.IntPtr(100000), Label: "proposals.setting.group_quota_total", Help: "proposals.setting.quota_help"},
	{Key: "title_min", Type: registry.Int, Default: 5, Min: registry.IntPtr(1), Max: registry.IntPtr(200), Label: "proposals.setting.title_min"},
	{Key: "title_max", Type: registry.Int, Default: 150, Min: registry.IntPtr(10), Max: registry.IntPtr(500), Label: "proposals.setting.title_max"},
	{Key: "body_min", Type: registry.Int, Default: 15, Min: registry.IntPtr(0), Max: registry.IntPtr(5000), Label: "proposals.setting.body_min"},
	{Key: "body_max", Type: registry.Int, Default: 5000, Min: registry.IntPtr(100), Max: registry.IntPtr(100000), Label: "proposals.setting.body_max"},
	{Key: "supports_per_participant", Type: registry.Int, Default: 0, Min: registry.IntPtr(0), Max: registry.IntPtr(100000), Label: "proposals.setting.supports_per_participant", Help: "proposals.setting.quota_help"},
	{Key: "support_threshold", Type: registry.Int, Default: 0, Min: registry.IntPtr(0), Max: registry.IntPtr(10000000), Label: "proposals.setting.support_threshold"},
	{Key: "support_own", Type: registry.Bool, Default: false, Label: "proposals.setting.support_own"},
	{Key: "comments_enabled", Type: registry.Bool, Default: true, Label: "proposals.setting.comments_enabled"},
	{Key: "withdrawal_returns_quota", Type: registry.Bool, Default: false, Label: "proposals.setting.withdrawal_returns_quota"},
	{Key: "edit_minutes", Type: registry.Int, Default: 60, Min: registry.IntPtr(0), Max: registry.IntPtr(525600), Label: "proposals.setting.edit_minutes"},
	{Key: "auto_hide_reports", Type: registry.Int, Default: 3, Min: registry.IntPtr(0), Max: registry.IntPtr(1000), Label: "proposals.setting.auto_hide_reports"},
}

var sessionSchema = registry.Schema{
	{Key: "proposals_open", Type: registry.Bool, Default: true, Label: "proposals.setting.proposals_open"},
	{Key: "supports_open", Type: registry.Bool, Default: true, Label: "proposals.setting.supports_open"},
}

// Settings are a component's settings, typed.
type Settings struct {
	QuotaThemeSession, QuotaSession, QuotaTotal                int
	Authors                                                    string
	GroupsMayAuthor                                            bool
	GroupQuotaThemeSession, GroupQuotaSession, GroupQuotaTotal int
	TitleMin, TitleMax, BodyMin, BodyMax                       int
	SupportsPerParticipant, SupportThreshold                   int
	SupportOwn, CommentsEnabled, WithdrawalReturnsQuota        bool
	EditMinutes, AutoHideReports                               int
}

// SessionSettings are the settings of one session, typed.
type SessionSettings struct {
	ProposalsOpen, SupportsOpen bool
}

// SettingsFrom types decoded settings values.
func SettingsFrom(v registry.Values) Settings {
	return Settings{
		QuotaThemeSession: v.Int("quota_theme_session"), QuotaSession: v.Int("quota_session"), QuotaTotal: v.Int("quota_total"),
		Authors: v.String("authors"), GroupsMayAuthor: v.Bool("groups_may_author"),
		GroupQuotaThemeSession: v.Int("group_quota_theme_session"), GroupQuotaSession: v.Int("group_quota_session"), GroupQuotaTotal: v.Int("group_quota_total"),
		TitleMin: v.Int("title_min"), TitleMax: v.Int("title_max"), BodyMin: v.Int("body_min"), BodyMax: v.Int("body_max"),
		SupportsPerParticipant: v.Int("supports_per_participant"), SupportThreshold: v.Int("support_threshold"),
		SupportOwn: v.Bool("support_own"), CommentsEnabled: v.Bool("comments_enabled"), WithdrawalReturnsQuota: v.Bool("withdrawal_returns_quota"),
		EditMinutes: v.Int("edit_minutes"), AutoHideReports: v.Int("auto_hide_reports"),
	}
}

// SessionSettingsFrom types decoded session settings values.
func SessionSettingsFrom(v registry.Values) SessionSettings {
	return SessionSettings{ProposalsOpen: v.Bool("proposals_open"), SupportsOpen: v.Bool("supports_open")}
}

// Quotas are the three limits that apply to one author (0 = no limit).
type Quotas struct{ ThemeSession, Session, Total int }

// QuotasFor returns the quotas of an author kind: user groups have their own.
func (s Settings) QuotasFor(kind string) Quotas {
	if kind == "group" {
		return Quotas{s.GroupQuotaThemeSession, s.GroupQuotaSession, s.GroupQuotaTotal}
	}
	return Quotas{s.QuotaThemeSession, s.QuotaSession, s.QuotaTotal}
}
