// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import "github.com/polder-civic/polder/core/registry"

var settingsSchema = registry.Schema{
	{Key: "max_topics", Type: registry.Int, Default: 10, Min: registry.IntPtr(2), Max: registry.IntPtr(15), Label: "synthesis.setting.max_topics"},
	{Key: "seed", Type: registry.Int, Default: 1, Min: registry.IntPtr(0), Max: registry.IntPtr(1000000), Label: "synthesis.setting.seed"},
}
