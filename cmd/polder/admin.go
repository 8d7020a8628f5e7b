// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/polder-civic/polder/core/orgs"
)

func adminCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: polder admin create --email E --password P [--host H] [--name N]")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	email := fs.String("email", "", "admin e-mail")
	password := fs.String("password", "", "admin password (at least 10 characters)")
	host := fs.String("host", "localhost", "host name of the organisation")
	name := fs.String("name", "Admin", "admin's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
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
	if err != nil {
		return fmt.Errorf("no organisation for %s (run polder demo or apply a preset first): %w", orgs.HostOnly(*host), err)
	}
	nick := strings.Split(*email, "@")[0]
	acc, err := a.Accounts.EnsureAdmin(ctx, org.ID, *email, *name, nick, *password)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "admin %s (id %d) of %s is ready\n", *email, acc.ID, org.Name)
	return nil
}
