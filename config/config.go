// SPDX-License-Identifier: AGPL-3.0-or-later

// Package config loads Polder's configuration: defaults, then an optional
// YAML file, then the environment (POLDER_*), then command-line flags. It
// also embeds the process presets of presets/.
package config

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the running configuration.
type Config struct {
	// Addr is the listen address (POLDER_ADDR), default 127.0.0.1:8080.
	Addr string `yaml:"addr"`
	// DatabaseURL picks the database (POLDER_DATABASE_URL): postgres://…
	// or sqlite:PATH; default: SQLite in DataDir.
	DatabaseURL string `yaml:"database_url"`
	// DataDir holds the SQLite file and uploads (POLDER_DATA_DIR), default ./data.
	DataDir string `yaml:"data_dir"`
	// BaseURL is the public URL used in e-mails (POLDER_BASE_URL).
	BaseURL string `yaml:"base_url"`
	// SecureCookies marks cookies Secure (POLDER_SECURE_COOKIES); on when
	// BaseURL is https.
	SecureCookies bool `yaml:"secure_cookies"`
	// LogLevel: debug, info, warn, error (POLDER_LOG_LEVEL).
	LogLevel string `yaml:"log_level"`
	// LogFormat: text or json (POLDER_LOG_FORMAT).
	LogFormat string `yaml:"log_format"`
	// TrustedProxies are CIDR ranges of reverse proxies whose
	// X-Forwarded-For header gives the client address
	// (POLDER_TRUSTED_PROXIES, comma-separated).
	TrustedProxies []string `yaml:"trusted_proxies"`
	// SMTP configures the real mail sender; empty Host logs mails instead.
	SMTP SMTP `yaml:"smtp"`
	// CacheTTL is how long in-process caches of organisations, spaces and
	// components trust a read (POLDER_CACHE_TTL, e.g. "2s"; "0" turns them
	// off). Writes through an instance refresh its caches at once; the TTL
	// bounds how long other instances serve the old rows.
	CacheTTL time.Duration `yaml:"cache_ttl"`
	// DBPool is how many PostgreSQL connections an instance opens at most
	// (POLDER_DB_POOL; 0: store.DefaultPoolSize, 8).
	DBPool int `yaml:"db_pool"`
	// SourceURL is where users get the source code of the running version
	// (POLDER_SOURCE_URL), linked from every page's footer: the AGPL asks
	// an operator who modifies Polder to offer its source to the users.
	SourceURL string `yaml:"source_url"`
}

// SMTP is the mail server configuration (POLDER_SMTP_HOST, _PORT, _USER,
// _PASSWORD, _FROM).
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	From     string `yaml:"from"`
}

// Default returns the built-in defaults.
func Default() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "data", LogLevel: "info", LogFormat: "text", SMTP: SMTP{Port: 587, From: "polder@localhost"}, CacheTTL: 2 * time.Second}
}

// Load reads defaults, then the YAML file at path (if not empty; the
// environment's POLDER_CONFIG otherwise), then the environment.
func Load(path string) (Config, error) {
	cfg := Default()
	if path == "" {
		path = os.Getenv("POLDER_CONFIG")
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("reading config %s: %w", path, err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	env := func(k string, dst *string) {
		if v, ok := os.LookupEnv(k); ok && v != "" {
			*dst = v
		}
	}
	env("POLDER_ADDR", &cfg.Addr)
	env("POLDER_DATABASE_URL", &cfg.DatabaseURL)
	env("POLDER_DATA_DIR", &cfg.DataDir)
	env("POLDER_BASE_URL", &cfg.BaseURL)
	env("POLDER_SOURCE_URL", &cfg.SourceURL)
	env("POLDER_LOG_LEVEL", &cfg.LogLevel)
	env("POLDER_LOG_FORMAT", &cfg.LogFormat)
	env("POLDER_SMTP_HOST", &cfg.SMTP.Host)
	env("POLDER_SMTP_USER", &cfg.SMTP.User)
	env("POLDER_SMTP_PASSWORD", &cfg.SMTP.Password)
	env("POLDER_SMTP_FROM", &cfg.SMTP.From)
	if v := os.Getenv("POLDER_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return cfg, fmt.Errorf("POLDER_CACHE_TTL %q: want a duration such as 2s, or 0", v)
		}
		cfg.CacheTTL = d
	}
	if v := os.Getenv("POLDER_DB_POOL"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return cfg, fmt.Errorf("POLDER_DB_POOL %q: want a number of connections such as 8", v)
		}
		cfg.DBPool = n
	}
	if v := os.Getenv("POLDER_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return cfg, fmt.Errorf("POLDER_SMTP_PORT: %w", err)
		}
		cfg.SMTP.Port = p
	}
	if v := os.Getenv("POLDER_TRUSTED_PROXIES"); v != "" {
		cfg.TrustedProxies = strings.Split(v, ",")
	}
	if v := os.Getenv("POLDER_SECURE_COOKIES"); v != "" {
		cfg.SecureCookies = v == "1" || v == "true"
	}
	if strings.HasPrefix(cfg.BaseURL, "https://") {
		cfg.SecureCookies = true
	}
	return cfg, nil
}

// Database returns the database URL, defaulting to SQLite in DataDir.
func (c Config) Database() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + filepath.Join(c.DataDir, "polder.db")
}

//go:embed presets/*.yaml
var presets embed.FS

// Presets returns the embedded process presets.
func Presets() fs.FS {
	sub, _ := fs.Sub(presets, "presets")
	return sub
}
