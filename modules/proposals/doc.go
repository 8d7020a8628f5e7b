// SPDX-License-Identifier: AGPL-3.0-or-later

// Package proposals is the proposals module: participants (and user groups
// such as associations) file contributions in a theme of a space during a
// session, within quotas per theme and session, per session and in total
// that are enforced under the same lock that writes; others support and
// comment them; evaluators answer them; moderators hide them. Each
// published proposal carries a fingerprint (SHA-256 of a canonical JSON of
// its title and body, see Fingerprint and README.md) that anyone can check.
//
// The package follows core's layout: the manifest (module.go), typed
// settings (settings.go), the domain service (service.go and one file per
// action, each holding the domain function and its thin HTTP handlers),
// and every route in routes.go.
package proposals
