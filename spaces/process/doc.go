// SPDX-License-Identifier: AGPL-3.0-or-later

// Package process is Polder's first space type: the participatory process.
// A process has a slug, translated title, subtitle and description, a
// status (draft, published, closed), themes (thematic axes, one of them
// possibly transversal) and sessions (ordered phases with date windows; the
// current one follows the calendar unless an admin overrides it). Modules
// are enabled in a process as components.
//
// The package holds the domain (process.go, validate.go), its storage
// (service.go), the resolver core uses to load spaces (resolver.go), the
// YAML presets that `polder apply` reads (preset.go), and the public and
// admin pages and JSON API (routes.go lists every route; one file per
// action).
package process
