// SPDX-License-Identifier: AGPL-3.0-or-later

package blindtoken_test

import "os"

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
