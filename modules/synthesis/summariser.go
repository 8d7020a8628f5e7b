// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/polder-civic/polder/modules/synthesis/topics"
)

// Summariser writes a short text about a topic from its verbatim quotes.
// It is optional and off by default; its text is always shown as
// machine-written, with the ids of the contributions it was given.
type Summariser interface {
	// Summarise returns a few sentences about the quotes.
	Summarise(ctx context.Context, label string, quotes []topics.Quote) (string, error)
	// Model names the model, for the page.
	Model() string
}

// OpenAIChat calls an OpenAI-compatible chat completions endpoint
// configured by the operator.
type OpenAIChat struct {
	BaseURL, ModelName, APIKey string
	HTTP                       *http.Client
}

// SummariserFromEnv returns the operator's summariser when
// POLDER_SYNTHESIS_LLM_URL and POLDER_SYNTHESIS_LLM_MODEL are set
// (POLDER_SYNTHESIS_LLM_KEY optional), else nil: off by default.
func SummariserFromEnv() Summariser {
	u, m := os.Getenv("POLDER_SYNTHESIS_LLM_URL"), os.Getenv("POLDER_SYNTHESIS_LLM_MODEL")
	if u == "" || m == "" {
		return nil
	}
	return &OpenAIChat{BaseURL: u, ModelName: m, APIKey: os.Getenv("POLDER_SYNTHESIS_LLM_KEY"), HTTP: &http.Client{Timeout: 60 * time.Second}}
}

// Model names the model.
func (o *OpenAIChat) Model() string { return o.ModelName }

// Summarise asks the endpoint for a neutral summary of the quotes.
func (o *OpenAIChat) Summarise(ctx context.Context, label string, quotes []topics.Quote) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Topic: %s\nContributions:\n", label)
	for _, q := range quotes {
		fmt.Fprintf(&b, "[%s] %s\n", q.ID, q.Text)
	}
	body, _ := json.Marshal(map[string]any{
		"model": o.ModelName,
		"messages": []map[string]string{
			{"role": "system", "content": "Summarise in two neutral sentences what these citizen contributions say. Use only what they say; add nothing."},
			{"role": "user", "content": b.String()},
		},
		"temperature": 0,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.BaseURL, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("summariser request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if o.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.APIKey)
	}
	client := o.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("calling summariser: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("summariser answered %s", resp.Status)
	}
	var out struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("reading summariser answer: %w", err)
	}
	if len(out.Choices) == 0 {
		return "", fmt.Errorf("summariser gave no answer")
	}
	return strings.TrimSpace(out.Choices[0].Message.Content), nil
}

// summarise asks the summariser about every topic; a failure leaves the
// topic without machine text (the synthesis never depends on it).
func summarise(ctx context.Context, s Summariser, syn *topics.Synthesis) []MachineSummary {
	var out []MachineSummary
	for ti, th := range syn.Themes {
		for k, t := range th.Topics {
			text, err := s.Summarise(ctx, t.Label, t.Quotes)
			if err != nil {
				slog.Warn("synthesis summariser", "err", err)
				continue
			}
			ids := make([]string, len(t.Quotes))
			for i, q := range t.Quotes {
				ids[i] = q.ID
			}
			out = append(out, MachineSummary{Theme: ti, Topic: k, Model: s.Model(), Text: text, IDs: ids})
		}
	}
	return out
}
