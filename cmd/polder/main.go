// SPDX-License-Identifier: AGPL-3.0-or-later

// Command polder runs a Polder instance and its administration tasks:
//
//	polder serve                 serve the configured instance
//	polder demo                  seed a demo organisation and serve it
//	polder migrate up|down|status
//	polder apply -f PRESET.yaml  create or update a process from a preset
//	polder <module> …            a module's own commands (budgets, opinionmap, sortition, synthesis)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/polder-civic/polder/config"
	"github.com/polder-civic/polder/core/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "polder:", err)
		os.Exit(1)
	}
}

const usage = `Usage: polder COMMAND [flags]

Commands:
  serve                      serve the instance (POLDER_ADDR, POLDER_DATABASE_URL, POLDER_DATA_DIR)
  demo                       seed a demo organisation with the climate convention and serve it
  migrate up|down|status     manage the database schema
  apply -f FILE.yaml         create or update a process from a YAML preset
  admin create --email E --password P   create or update an organisation admin
%s
Run "polder COMMAND -h" for a command's flags.
`

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(out, usage, moduleUsage())
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serveCmd(ctx, rest, out, false)
	case "demo":
		return serveCmd(ctx, rest, out, true)
	case "migrate":
		return migrateCmd(ctx, rest, out)
	case "apply":
		return applyCmd(ctx, rest, out)
	case "admin":
		return adminCmd(ctx, rest, out)
	}
	if c, ok := moduleCommands[cmd]; ok {
		return c.run(ctx, rest, out)
	}
	fmt.Fprintf(out, usage, moduleUsage())
	return fmt.Errorf("unknown command %q", cmd)
}

// commonFlags are the flags of every command that opens the instance.
type commonFlags struct {
	config, addr, database, dataDir string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "YAML configuration file (POLDER_CONFIG)")
	fs.StringVar(&c.addr, "addr", "", "listen address (POLDER_ADDR, default 127.0.0.1:8080)")
	fs.StringVar(&c.database, "database", "", "database URL: postgres://… or sqlite:PATH (POLDER_DATABASE_URL)")
	fs.StringVar(&c.dataDir, "data-dir", "", "data folder for the SQLite file and uploads (POLDER_DATA_DIR, default ./data)")
}

func (c *commonFlags) load() (config.Config, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return cfg, err
	}
	if c.addr != "" {
		cfg.Addr = c.addr
	}
	if c.database != "" {
		cfg.DatabaseURL = c.database
	}
	if c.dataDir != "" {
		cfg.DataDir = c.dataDir
	}
	setupLogging(cfg)
	return cfg, nil
}

func setupLogging(cfg config.Config) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if strings.EqualFold(cfg.LogFormat, "json") {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	slog.SetDefault(slog.New(h))
}

func openApp(ctx context.Context, cfg config.Config, skipMigrate bool) (*app.App, error) {
	return app.New(ctx, cfg, app.Options{SpaceTypes: spaceTypes(), Modules: modules(), SkipMigrate: skipMigrate})
}

func serveCmd(ctx context.Context, args []string, out io.Writer, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
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
	if demo {
		if err := seedDemo(ctx, a, cfg, out); err != nil {
			return fmt.Errorf("seeding demo: %w", err)
		}
	}
	// The first requests after a start find the database connections
	// open (a failure only costs them that time).
	if err := a.DB.Warm(ctx); err != nil {
		slog.Warn("warming the database pool", "err", err)
	}
	a.Jobs.Start(ctx, 2)
	// Role changes made through another instance reach this one.
	go a.Authz.ReloadEvery(ctx, 30*time.Second)
	fmt.Fprintf(out, "Polder %s listening on http://%s (database %s)\n", app.Version, cfg.Addr, a.DB.URL)
	return a.Server.ListenAndServe(ctx, cfg.Addr)
}

func migrateCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: polder migrate up|down|status")
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	opts := app.Options{SpaceTypes: spaceTypes(), Modules: modules()}
	a, err := openAppForMigrate(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	sets := app.MigrationSets(opts)
	switch fs.Arg(0) {
	case "up":
		if err := a.MigrateUp(ctx, sets...); err != nil {
			return err
		}
		fmt.Fprintln(out, "database is up to date")
	case "down":
		// Roll back the newest migration of the last owner that has one.
		st, err := a.MigrationStatuses(ctx, sets...)
		if err != nil {
			return err
		}
		for i := len(sets) - 1; i >= 0; i-- {
			for _, s := range st {
				if s.Owner == sets[i].Owner && s.Applied {
					if err := a.MigrateDown(ctx, sets[i]); err != nil {
						return err
					}
					fmt.Fprintf(out, "rolled back the latest migration of %s\n", sets[i].Owner)
					return nil
				}
			}
		}
		fmt.Fprintln(out, "nothing to roll back")
	case "status":
		st, err := a.MigrationStatuses(ctx, sets...)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(out, "%-12s %6d  %-8s %s\n", s.Owner, s.Version, state, s.Name)
		}
	default:
		return fmt.Errorf("unknown migrate action %q: want up, down or status", fs.Arg(0))
	}
	return nil
}
