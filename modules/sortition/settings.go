// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

import "github.com/polder-civic/polder/core/registry"

var settingsSchema = registry.Schema{
	{Key: "panel_size", Type: registry.Int, Default: 150, Min: registry.IntPtr(1), Max: registry.IntPtr(10000), Label: "sortition.setting.panel_size"},
	{Key: "account_column", Type: registry.String, Default: "email", Max: registry.IntPtr(100), Label: "sortition.setting.account_column"},
	{Key: "retention_days", Type: registry.Int, Default: 90, Min: registry.IntPtr(0), Max: registry.IntPtr(3650), Label: "sortition.setting.retention_days"},
	{Key: "lottery_size", Type: registry.Int, Default: 1000, Min: registry.IntPtr(1), Max: registry.IntPtr(100000), Label: "sortition.setting.lottery_size"},
	{Key: "time_limit_seconds", Type: registry.Int, Default: 60, Min: registry.IntPtr(1), Max: registry.IntPtr(3600), Label: "sortition.setting.time_limit_seconds"},
	{Key: "background_from", Type: registry.Int, Default: 300, Min: registry.IntPtr(1), Max: registry.IntPtr(1000000), Label: "sortition.setting.background_from"},
	{Key: "maximin_only", Type: registry.Bool, Default: false, Label: "sortition.setting.maximin_only"},
}
