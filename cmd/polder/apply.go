// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/polder-civic/polder/core/orgs"
	"github.com/polder-civic/polder/spaces/process"
)

// applyCmd creates or updates a process from a YAML preset:
//
//	polder apply -f FILE.yaml [--host H] [--org-name NAME] [--check]
func applyCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(out)
	var cf commonFlags
	cf.register(fs)
	file := fs.String("f", "", "the preset (YAML), e.g. config/presets/climate-convention.yaml")
	host := fs.String("host", "127.0.0.1", "host name of the organisation the process belongs to")
	orgName := fs.String("org-name", "", "create the organisation with this name when no organisation answers on --host")
	check := fs.Bool("check", false, "only check the preset (syntax, rules, modules, settings): report its problems, write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("usage: polder apply -f FILE.yaml [--host H] [--org-name NAME] [--check]")
	}
	start := time.Now()
	b, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("reading preset: %w", err)
	}
	if *check {
		if _, _, errs := process.ParsePreset(b); len(errs) > 0 {
			return fmt.Errorf("%s is invalid:\n%w", *file, errs)
		}
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer a.Close()
	org, err := a.Orgs.Resolve(ctx, *host)
	if err != nil && *check {
		// Nothing to check modules and current data against; a check
		// never creates the organisation.
		fmt.Fprintf(out, "%s: syntax and rules are valid; no organisation answers on %s yet, so modules and settings were not checked\n", *file, orgs.HostOnly(*host))
		return nil
	}
	if err != nil && *orgName != "" {
		org, err = a.Orgs.Ensure(ctx, &orgs.Organisation{Host: *host, Name: *orgName, DefaultLocale: "en", Locales: "en,fr,nl"})
	}
	if err != nil {
		return fmt.Errorf("no organisation for %s (run polder demo, or pass --org-name): %w", orgs.HostOnly(*host), err)
	}
	apply := process.ApplyPreset
	if *check {
		apply = process.CheckPreset
	}
	res, err := apply(ctx, a, org.ID, b)
	if err != nil {
		var pe process.PresetErrors
		if errors.As(err, &pe) {
			return fmt.Errorf("%s is invalid, nothing was written:\n%w", *file, err)
		}
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(out, "warning:", w)
	}
	if *check {
		verb := "would update its process"
		if res.Created {
			verb = "would create a process"
		}
		fmt.Fprintf(out, "%s is valid: applying it %s in %s (%s)\n", *file, verb, org.Name, time.Since(start).Round(time.Millisecond))
		return nil
	}
	verb := "updated"
	if res.Created {
		verb = "created"
	}
	p := res.Process
	fmt.Fprintf(out, "process %q %s in %s (%s): %d themes, %d sessions; /processes/%s (%s)\n",
		p.Slug, verb, org.Name, p.Status, len(p.Themes), len(p.Sessions), p.Slug, time.Since(start).Round(time.Millisecond))
	return nil
}
